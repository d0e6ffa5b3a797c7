"""Run-once containers -> scheduled tasks kept to run by hand.

A container that does not restart (`restart: "no"` or `on-failure`, or a restart policy of
`none`/`on-failure`), or a port-less seed/migration/init job, is run-once work: it becomes a
scheduled task whose schedule is disabled, to run by hand (`aws ecs run-task`) or on a schedule
you give it, instead of an always-on service that ECS would restart forever.
"""

from __future__ import annotations

from typing import Any

from ..findings import Add
from ..tables import RUN_ONCE_SCHEDULE
from .tables import RUN_ONCE_NAME, RUN_ONCE_POLICIES, RUN_ONCE_RESTARTS, SERVICE_ONLY_KEYS


def run_once(name: str, body: dict[str, Any]) -> bool:
    restart = body.get("restart")
    policy = ((body.get("deploy") or {}).get("restart_policy") or {}).get("condition")
    if restart is not None:
        return str(restart).lower() in RUN_ONCE_RESTARTS or str(restart).startswith("on-failure:")
    if policy is not None:
        return str(policy) in RUN_ONCE_POLICIES
    ports = body.get("ports") or body.get("expose")
    return not ports and bool(RUN_ONCE_NAME.search(name.lower()))


def to_task(
    add: Add, name: str, body: dict[str, Any], key: str, services: dict[str, dict[str, Any]]
) -> dict[str, Any] | None:
    """Move a run-once service out of `services`; its scheduled task, or None if it serves."""
    if not run_once(name, body):
        return None
    spec = {k: v for k, v in services.pop(key).items() if k not in SERVICE_ONLY_KEYS}
    add(
        "changed",
        f"services.{name}.restart" if "restart" in body else f"services.{name}",
        f"runs once: imported as scheduledTasks.{key} with its schedule "
        "disabled; run it by hand (aws ecs run-task with its task definition) or set "
        "schedule and enabled: true",
    )
    return {**spec, "schedule": RUN_ONCE_SCHEDULE, "enabled": False}
