"""Compose `environment`, `env_file` and `secrets` -> the container's plain environment.

Only plain values map. A value that looks like a credential, a Compose secret file, or a value
the shell would give is left out and listed: ECS takes secrets as Secrets Manager ARNs, which
only the user has.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..common import scalar_text, secret_reason, valid_env_name
from ..findings import Add
from .interpolation import read_env_file
from .parse import Unresolved, pairs
from .report import missing
from .tables import SECRET_ORIGINS


def environment(add: Add, base_dir: Path, where: str, body: dict[str, Any]) -> dict[str, str]:
    """The plain variables of env_file (in order) and environment; the rest is reported."""
    values: dict[str, Any] = {}
    files = body.get("env_file")
    for item in [files] if isinstance(files, str | dict) else files or []:
        file = item.get("path") if isinstance(item, dict) else item
        values.update(_env_file(add, base_dir, f"{where}.env_file", str(file)))
    values.update(pairs(body.get("environment") or {}))
    out: dict[str, str] = {}
    for name, value in values.items():
        at = f"{where}.environment.{name}"
        text = scalar_text(value)
        if not valid_env_name(name):
            add(
                "unmapped",
                at,
                "not a valid variable name here (letters, digits and "
                "underscores, not starting with a digit)",
            )
            continue
        if text.startswith("/run/secrets/"):
            add(
                "input",
                at,
                f"points at the Compose secret file {text}; ECS has no "
                "secret files: pass the value itself through secrets (a Secrets Manager "
                "ARN) and read it from the environment",
            )
            continue
        reason = secret_reason(name, text)
        if reason is not None:
            add(
                "input",
                at,
                f"left out because {reason}: store it in Secrets "
                f"Manager and add secrets: {{{name}: <secret ARN>}}",
            )
            continue
        if value is None:
            add(
                "input",
                at,
                "takes its value from the shell running Compose; set it in environment",
            )
            continue
        if isinstance(value, Unresolved):
            missing(add, at, value)
            continue
        out[name] = text
    return out


def _env_file(add: Add, base_dir: Path, where: str, name: str) -> dict[str, str]:
    try:
        return read_env_file(base_dir / name)
    except (OSError, UnicodeDecodeError):
        add(
            "input",
            where,
            f"{name} was not found next to the Compose file; add its "
            "plain values to environment and its secrets to secrets",
        )
        return {}


def secrets(add: Add, declared: dict[str, Any], where: str, listed: Any) -> None:
    """Each Compose secret the service mounts: it needs a Secrets Manager ARN."""
    for item in listed or []:
        source = str(item.get("source") if isinstance(item, dict) else item)
        target = str(item.get("target", source) if isinstance(item, dict) else item)
        decl = declared.get(source) or {}
        add(
            "input",
            f"{where}.secrets.{source}",
            f"({_origin(decl)}) is a file at "
            f"/run/secrets/{target} in Compose; ECS injects secrets as environment "
            "variables: store it in Secrets Manager and add secrets: {<VARIABLE>: "
            "<secret ARN>}",
        )


def _origin(decl: Any) -> str:
    """Where a top-level secret comes from (file, external, env), as the finding names it."""
    if isinstance(decl, dict):
        for key, text in SECRET_ORIGINS:
            if decl.get(key):
                return text.format(decl[key])
    return "undeclared"
