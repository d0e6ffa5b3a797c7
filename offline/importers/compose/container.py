"""Compose container settings -> the app container's: command, entrypoint, user, working_dir,
read_only and stop_grace_period (clamped to the 2-120 s ECS waits before SIGKILL)."""

from __future__ import annotations

import math
from typing import Any

from components.concepts import users

from ..common import command_list, duration_seconds, scalar_text
from ..findings import Add
from ..tables import COMMAND_FIELDS
from .parse import unresolved
from .report import missing


def commands(add: Add, where: str, body: dict[str, Any]) -> dict[str, Any]:
    """command and entryPoint as lists; a value missing a variable is left out."""
    out: dict[str, Any] = {}
    for key, field in COMMAND_FIELDS:
        if body.get(key) is None:
            continue
        if unresolved(body[key]):
            missing(add, f"{where}.{key}", body[key])
            continue
        out[field] = command_list(body[key])
    return out


def settings(add: Add, where: str, body: dict[str, Any], out: dict[str, Any]) -> None:
    """user, workingDirectory, readonlyRootFilesystem and stopTimeoutSeconds into `out`."""
    user = body.get("user")
    if user is not None:
        try:
            users.parse_user(scalar_text(user))
            out["user"] = scalar_text(user)
        except ValueError as exc:
            add("unmapped", f"{where}.user", str(exc))
    if body.get("working_dir") is not None:
        out["workingDirectory"] = scalar_text(body["working_dir"])
    if body.get("read_only") is True:
        out["readonlyRootFilesystem"] = True
    grace = body.get("stop_grace_period")
    if grace is not None:
        seconds = duration_seconds(grace)
        if seconds is None:
            add("unmapped", f"{where}.stop_grace_period", f"{grace!r} is not a duration")
        else:
            value = min(max(math.ceil(seconds), 2), 120)
            if value != seconds:
                add(
                    "changed",
                    f"{where}.stop_grace_period",
                    f"{grace} is outside ECS's 2-120 s; set to {value} s",
                )
            out["stopTimeoutSeconds"] = value
