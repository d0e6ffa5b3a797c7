"""Compose `healthcheck` -> the container health check, clamped to what ECS accepts; and the
check that runs a script from a volume, which fails on ECS (no host paths)."""

from __future__ import annotations

import math
import re
from typing import Any

from ..common import duration_seconds, scalar_text
from ..findings import Add
from ..tables import HEALTH_CHECK_RETRIES, HEALTH_CHECK_SECONDS
from .parse import unresolved
from .report import missing
from .tables import HEALTHCHECK_TESTS


def healthcheck(add: Add, where: str, check: Any) -> dict[str, Any] | None:
    """healthCheck of the app container; None when there is none (or it does not map)."""
    if not isinstance(check, dict):
        return None
    if check.get("disable") is True:
        return None
    test = check.get("test")
    if unresolved(test):
        missing(add, f"{where}.test", test)
        return None
    if isinstance(test, str):
        command = ["CMD-SHELL", test]
    elif isinstance(test, list) and test and str(test[0]) in HEALTHCHECK_TESTS:
        command = [scalar_text(t) for t in test]
    elif isinstance(test, list) and test and str(test[0]) == "NONE":
        return None
    else:
        add("unmapped", f"{where}.test", f"{test!r}: not a CMD or CMD-SHELL test")
        return None
    out: dict[str, Any] = {"command": command}
    _timing(add, where, check, out)
    # Compose's defaults where unset (30 s interval and timeout) break ECS's rule that the
    # timeout be shorter than the interval; unset keys take ECS-friendly values here.
    interval = out.get("intervalSeconds", 10)
    timeout = out.get("timeoutSeconds", 5)
    if timeout >= interval:
        out["timeoutSeconds"] = interval - 1
        add(
            "changed",
            f"{where}.timeout",
            f"{timeout} s is not shorter than the "
            f"{interval} s interval (ECS rule); set to {interval - 1} s",
        )
    for key in check:
        if key not in (*HEALTH_CHECK_SECONDS, "retries", "test", "disable"):
            add("unmapped", f"{where}.{key}", "not in ECS's container health check")
    return out


def _timing(add: Add, where: str, check: dict[str, Any], out: dict[str, Any]) -> None:
    """interval, timeout, start_period and retries, clamped to ECS's limits."""
    for key, (field, low, high) in HEALTH_CHECK_SECONDS.items():
        if key not in check:
            continue
        seconds = duration_seconds(check[key])
        if seconds is None:
            add("unmapped", f"{where}.{key}", f"{check[key]!r} is not a duration")
            continue
        value = min(max(math.ceil(seconds), low), high)
        if value != seconds:
            add(
                "changed",
                f"{where}.{key}",
                f"{check[key]} is outside ECS's {low}-{high} s; set to {value} s",
            )
        out[field] = value
    if "retries" in check:
        retries = check["retries"]
        low, high = HEALTH_CHECK_RETRIES
        value = min(max(int(retries), low), high) if isinstance(retries, int) else 3
        if value != retries:
            add(
                "changed",
                f"{where}.retries",
                f"{retries} is outside ECS's {low}-{high}; set to {value}",
            )
        out["retries"] = value


def check_script_on_volume(add: Add, name: str, body: dict[str, Any]) -> None:
    """Report a health check that runs a file from one of the service's volumes."""
    script = _script_on_volume(body)
    if script is not None:
        add(
            "input",
            f"services.{name}.healthcheck",
            f"runs {script[0]} from the volume {script[1]}, which is not mapped (no host "
            "paths on ECS): COPY the script into the image, or the check fails and ECS "
            "replaces the task",
        )


def _script_on_volume(body: dict[str, Any]) -> tuple[str, str] | None:
    """(script path, volume) when the health check runs a file from one of the volumes."""
    check = body.get("healthcheck")
    if not isinstance(check, dict):
        return None
    test = check.get("test")
    words = " ".join(map(str, test)) if isinstance(test, list) else str(test or "")
    for volume in body.get("volumes") or []:
        if isinstance(volume, dict):
            source, target = str(volume.get("source", "")), str(volume.get("target", ""))
        else:
            parts = scalar_text(volume).split(":")
            source, target = (parts[0], parts[1]) if len(parts) > 1 else ("", parts[0])
        if not target.startswith("/"):
            continue
        for word in re.findall(r"/[^\s;&|'\"]+", words):
            if word == target or word.startswith(target.rstrip("/") + "/"):
                return word, f"{source}:{target}" if source else target
    return None
