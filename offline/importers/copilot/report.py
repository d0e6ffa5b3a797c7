"""What the Copilot import did not map: the keys no mapping step took, the container fields a
workload kind does not take, and values shown the way the manifest wrote them."""

from __future__ import annotations

from typing import Any

from .context import Workload
from .tables import HANDLED_BY_EVERY_WORKLOAD, SPEC_SOURCE, UNMAPPED


def rest(w: Workload, handled: set[str]) -> None:
    """Every key not handled by the workload's own mapping nor by the shared steps."""
    for key in w.doc:
        key = str(key)
        if key in handled or key in HANDLED_BY_EVERY_WORKLOAD:
            continue
        w.add("unmapped", key, UNMAPPED.get(key, "not in the config"))


def keep(
    w: Workload, spec: dict[str, Any], fields: tuple[str, ...], message: str
) -> dict[str, Any]:
    """The container fields this workload kind takes; each other one is reported at its key."""
    out = {k: v for k, v in spec.items() if k in fields}
    for key in spec:
        if key not in out:
            w.add("unmapped", SPEC_SOURCE.get(key, key), message)
    return out


def describe(value: Any) -> str:
    """A manifest value for a finding: `key: value` of a one-key map, else its repr."""
    if isinstance(value, dict) and len(value) == 1:
        key, inner = next(iter(value.items()))
        return f"{key}: {inner}"
    return repr(value)
