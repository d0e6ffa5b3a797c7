"""Copilot health checks: `image.healthcheck` (and a sidecar's) -> the container health check,
`http.healthcheck` -> the target group's; both clamped to what ECS and the ALB accept."""

from __future__ import annotations

import math
from typing import Any

from ..common import duration_seconds, scalar_text
from ..tables import HEALTH_CHECK_RETRIES, HEALTH_CHECK_SECONDS
from .context import Workload
from .tables import TARGET_GROUP_CHECK_KEYS, TARGET_GROUP_SECONDS, TARGET_GROUP_THRESHOLDS


def container_check(w: Workload, path: str, check: Any) -> dict[str, Any] | None:
    if check is None:
        return None
    if not isinstance(check, dict) or not isinstance(check.get("command"), list):
        w.add("unmapped", path, "not a container health check with a command list")
        return None
    command = [scalar_text(c) for c in check["command"]]
    if command[0] not in ("CMD", "CMD-SHELL"):
        command = ["CMD-SHELL", " ".join(command)]
    out: dict[str, Any] = {"command": command}
    for key, (field, low, high) in HEALTH_CHECK_SECONDS.items():
        seconds = duration_seconds(check.get(key))
        if seconds is not None:
            value = min(max(math.ceil(seconds), low), high)
            if value != seconds:
                w.add(
                    "changed",
                    f"{path}.{key}",
                    f"{check[key]} is outside ECS's {low}-{high} s; set to {value} s",
                )
            out[field] = value
    retries = check.get("retries")
    if isinstance(retries, int):
        out["retries"] = min(max(retries, HEALTH_CHECK_RETRIES[0]), HEALTH_CHECK_RETRIES[1])
    interval = out.get("intervalSeconds", 10)
    if out.get("timeoutSeconds", 5) >= interval:
        out["timeoutSeconds"] = interval - 1
        w.add(
            "changed",
            f"{path}.timeout",
            f"not shorter than the {interval} s interval (ECS rule); set to {interval - 1} s",
        )
    return out


def target_group_check(w: Workload, check: Any, spec: dict[str, Any]) -> dict[str, Any]:
    """The target group health check of `http.healthcheck` (a path or a map); its grace period
    goes to the service spec."""
    if isinstance(check, str):
        check = {"path": check}
    tg: dict[str, Any] = {}
    if not isinstance(check, dict):
        return tg
    if check.get("path"):
        tg["path"] = str(check["path"])
    if check.get("success_codes"):
        tg["matcher"] = str(check["success_codes"])
    for key, field in TARGET_GROUP_THRESHOLDS:
        if isinstance(check.get(key), int):
            tg[field] = min(max(check[key], 2), 10)
    for key, field, low, high in TARGET_GROUP_SECONDS:
        seconds = duration_seconds(check.get(key))
        if seconds is not None:
            tg[field] = min(max(math.ceil(seconds), low), high)
    if tg.get("timeoutSeconds", 4) >= tg.get("intervalSeconds", 5):
        tg["timeoutSeconds"] = tg.get("intervalSeconds", 5) - 1
        w.add(
            "changed",
            "http.healthcheck.timeout",
            f"must be shorter than the interval (ELB rule); set to {tg['timeoutSeconds']} s",
        )
    grace = duration_seconds(check.get("grace_period"))
    if grace is not None:
        spec["healthCheckGracePeriodSeconds"] = math.ceil(grace)
    for key in check:
        if key not in TARGET_GROUP_CHECK_KEYS:
            w.add(
                "unmapped",
                f"http.healthcheck.{key}",
                "not in the target group health check config",
            )
    return tg
