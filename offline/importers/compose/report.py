"""What the Compose import did not map, and what needs the user's input.

`unmapped()` names every service key no mapping step took, with the reason from `tables`;
`missing()` names the variables a value needs; `tidy()` drops the generic findings a mapping
replaced and orders the findings by service, in file order.
"""

from __future__ import annotations

from typing import Any

from ..common import scalar_text
from ..findings import Add, Finding, StackImport
from .tables import (
    ALWAYS_RESTARTS,
    DEPLOY_MAPPED,
    DEPLOY_UNMAPPED,
    MAPPED,
    RESOURCE_KEYS,
    RESTARTS,
    UNMAPPED,
)


def unmapped(add: Add, where: str, body: dict[str, Any]) -> None:
    """A finding for each key of the service that has no equivalent here."""
    depends = body.get("depends_on")
    if depends:
        names = [
            f"{n} ({(c or {}).get('condition', 'service_started')})"
            if isinstance(depends, dict)
            else str(n)
            for n, c in (
                depends.items() if isinstance(depends, dict) else ((d, None) for d in depends)
            )
        ]
        add(
            "unmapped",
            f"{where}.depends_on",
            f"{', '.join(names)}: ECS starts "
            "services independently and they do not reach each other by Compose "
            "name; make the app retry its connections and point it at the other "
            "service's address",
        )
    restart = body.get("restart")
    if restart is not None and str(restart) not in ALWAYS_RESTARTS:
        add(
            "changed",
            f"{where}.restart",
            f"{restart}: {RESTARTS}; run-once work belongs in a scheduled task",
        )
    if body.get("profiles"):
        add(
            "changed",
            f"{where}.profiles",
            f"{body['profiles']}: ECS has no profiles; imported with the rest of the file",
        )
    for key in ("volumes", "tmpfs"):
        if body.get(key):
            listed = ", ".join(_volume_text(v) for v in _as_list(body[key]))
            add("unmapped", f"{where}.{key}", f"{listed}: {UNMAPPED[key]}")
    _deploy(add, where, body.get("deploy") or {})
    for key in map(str, body):
        if key in MAPPED or key in ("volumes", "tmpfs"):
            continue
        if key.startswith("x-"):
            add("unmapped", f"{where}.{key}", "extension field, read only by the tool it is for")
        elif key in UNMAPPED:
            add("unmapped", f"{where}.{key}", UNMAPPED[key])
        else:
            add("unmapped", f"{where}.{key}", "not in the service config")


def _deploy(add: Add, where: str, deploy: dict[str, Any]) -> None:
    for key in deploy:
        if key in DEPLOY_UNMAPPED:
            add("unmapped", f"{where}.deploy.{key}", DEPLOY_UNMAPPED[key])
        elif key not in DEPLOY_MAPPED:
            add("unmapped", f"{where}.deploy.{key}", "not in the service config")
    resources = deploy.get("resources") or {}
    for part in ("limits", "reservations"):
        for key in resources.get(part) or {}:
            if key not in RESOURCE_KEYS:
                add(
                    "unmapped",
                    f"{where}.deploy.resources.{part}.{key}",
                    "not in the service config",
                )


def missing(add: Add, where: str, value: Any, consequence: str = "left out") -> None:
    """The value needs variables the import was not given."""
    names = getattr(value, "missing", ())
    listed = ", ".join(f"${{{n}}}" for n in names) or "a variable"
    add(
        "input",
        where,
        f"needs {listed} from the shell or .env file Compose would read; {consequence}",
    )


def tidy(stack: StackImport, names: list[str]) -> None:
    """Drop the findings a later mapping superseded; order them by service, in file order."""
    _drop_superseded(stack)
    order = {f"services.{n}": i for i, n in enumerate(names)}
    stack.findings.sort(key=lambda f: order.get(_service(f), -1))


def _drop_superseded(stack: StackImport) -> None:
    """Generic findings that a mapping (Service Connect, a run-once task) replaced."""
    mapped = {f.where for f in stack.findings if f.kind == "changed"}
    once = {_service(f) for f in stack.findings if f.message.startswith("runs once:")}

    def superseded(f: Finding) -> bool:
        if f.where.endswith(".depends_on") and f.kind == "unmapped":
            return f.where in mapped
        return _service(f) in once and RESTARTS in f.message

    stack.findings[:] = [f for f in stack.findings if not superseded(f)]


def _service(finding: Finding) -> str:
    """`services.<name>` of a finding's key path."""
    return ".".join(finding.where.split(".")[:2])


def _volume_text(volume: Any) -> str:
    if isinstance(volume, dict):
        return f"{volume.get('source', '')}:{volume.get('target', '')}".lstrip(":")
    return scalar_text(volume)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
