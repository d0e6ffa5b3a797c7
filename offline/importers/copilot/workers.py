"""A Copilot Worker Service -> an entry of `ecs-platform:workers`: its container, its SQS queue
(`subscribe.queue`) and its scaling on queue backlog (`count`).

`count.queue_delay` tracks backlog per task with the target
ceil(acceptable_latency / msg_processing_time), as Copilot computes it; a worker here always
scales on backlog per task, so a fixed count is minCount = maxCount.
"""

from __future__ import annotations

import math
from typing import Any

from components.specs.common import suggest
from components.specs.workloads import WorkerScalingSpec

from ..common import duration_seconds
from ..findings import Add
from .context import Workload
from .count import (
    RANGE_RULE,
    in_range,
    is_int,
    limits,
    needs_range,
    parse_range,
    spot_count,
    spot_from_strategy,
)
from .network import workload_network
from .report import keep, rest
from .sidecars import task_containers
from .tables import (
    AUTOSCALING_KEYS,
    COPILOT_COOLDOWN_SECONDS,
    QUEUE_KEYS,
    SUBSCRIBE_KEYS,
    WORKER_COOLDOWN_SECONDS,
    WORKER_FIELDS,
    WORKER_KEYS,
)


def map_worker(w: Workload, spec: dict[str, Any]) -> dict[str, Any]:
    out = keep(
        w,
        spec,
        WORKER_FIELDS,
        "not a key of a worker (docs/config-reference.md, ecs-platform:workers)",
    )
    subscribe = w.doc.get("subscribe") or {}
    for key in subscribe:
        if key not in SUBSCRIBE_KEYS:
            w.add(
                "unmapped",
                f"subscribe.{key}",
                f"not a Copilot subscribe key{suggest(str(key), SUBSCRIBE_KEYS)}; ignored",
            )
    out["queue"] = _queue(w, subscribe.get("queue") or {})
    for topic in subscribe.get("topics") or []:
        if isinstance(topic, dict):
            name = f"{topic.get('service')}/{topic.get('name')}"
            extra = " with its filter_policy" if topic.get("filter_policy") else ""
            extra += " and its own queue" if topic.get("queue") else ""
            w.add(
                "unmapped",
                "subscribe.topics",
                f"{name}{extra}: SNS subscriptions are "
                "not in the worker config; subscribe the worker's queue to the topic "
                "where the topic is managed",
            )
    out["scaling"], strategy = worker_count(w.doc.get("count"), w.add)
    if strategy:
        out["capacityProviders"] = strategy
    task_containers(w, out, None, "worker")
    workload_network(w, report_placement=False)
    rest(w, WORKER_KEYS)
    return out


def _queue(w: Workload, queue_in: Any) -> dict[str, Any]:
    """subscribe.queue -> the worker queue's visibility timeout and dead-letter receive count."""
    queue: dict[str, Any] = {}
    if isinstance(queue_in, dict):
        timeout = duration_seconds(queue_in.get("timeout"))
        if timeout is not None:
            queue["visibilityTimeoutSeconds"] = math.ceil(timeout)
        tries = (queue_in.get("dead_letter") or {}).get("tries")
        if isinstance(tries, int):
            queue["maxReceiveCount"] = tries
        for key in queue_in:
            if key not in QUEUE_KEYS:
                w.add(
                    "unmapped",
                    f"subscribe.queue.{key}",
                    "not in the worker queue config (visibilityTimeoutSeconds, maxReceiveCount)",
                )
    return queue


def worker_count(count: Any, add: Add) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
    """A Worker Service's `scaling` ({minCount, maxCount, backlogPerTask}) and capacity providers.

    A worker here always scales on backlog per task; a fixed count is minCount = maxCount.
    """
    if count is None:
        return {"minCount": 1, "maxCount": 1}, None  # Copilot runs one task
    if is_int(count):
        return _fixed_worker(count, "count", add), None
    if not isinstance(count, dict):
        add("unmapped", "count", f"{count!r} is not a task count; scaling 1-1")
        return {"minCount": 1, "maxCount": 1}, None
    for key in count:
        if key in ("requests", "response_time"):
            add("unmapped", f"count.{key}", "a Worker Service has no load balancer to scale on")
        elif key not in ("spot", *AUTOSCALING_KEYS):
            add("unmapped", f"count.{key}", "not a count key of a Copilot Worker Service")
    count = {k: v for k, v in count.items() if k not in ("requests", "response_time")}
    if count.get("spot") is not None:
        spot = spot_count(count, add)
        if "desiredCount" not in spot:
            return {"minCount": 1, "maxCount": 1}, None
        return _fixed_worker(spot["desiredCount"], "count.spot", add), spot["capacityProviders"]
    if count.get("range") is None:
        needs_range(count, add)
        return {"minCount": 1, "maxCount": 1}, None
    low, high, spot_from = parse_range(count["range"])
    if not in_range(low, high, WorkerScalingSpec):
        rule = RANGE_RULE.format(1000)
        add("unmapped", "count.range", f"{count['range']!r}: {rule}; scaling 1-1")
        return {"minCount": 1, "maxCount": 1}, None
    assert low is not None and high is not None
    scaling: dict[str, Any] = {"minCount": low, "maxCount": high}
    for key in ("cpu_percentage", "memory_percentage"):
        if count.get(key) is not None:
            add(
                "unmapped",
                f"count.{key}",
                "a worker here scales on queue backlog per task only (scaling.backlogPerTask)",
            )
    delay = count.get("queue_delay")
    backlog = _backlog_per_task(delay, add) if delay is not None else None
    if backlog is not None:
        scaling["backlogPerTask"] = backlog
        _worker_cooldowns(count, add)
    else:
        default = WorkerScalingSpec.model_fields["backlog_per_task"].default
        add(
            "changed",
            "count.range",
            f"{low}-{high} without queue_delay: the worker here scales on backlog per task, "
            f"with the default target of {default} messages per task",
        )
    strategy = spot_from_strategy(low, spot_from, add) if spot_from is not None else None
    return scaling, strategy


def _backlog_per_task(delay: Any, add: Add) -> int | None:
    """Copilot's acceptable backlog per task: ceil(acceptable_latency / msg_processing_time)."""
    if not isinstance(delay, dict):
        add("unmapped", "count.queue_delay", f"{delay!r} is not a map")
        return None
    latency = duration_seconds(delay.get("acceptable_latency"))
    processing = duration_seconds(delay.get("msg_processing_time"))
    if not latency or not processing or latency < 0 or processing < 0:
        add(
            "unmapped",
            "count.queue_delay",
            "needs acceptable_latency and msg_processing_time as durations above zero",
        )
        return None
    # In whole nanoseconds, as Copilot divides time.Durations: 1.1s / 100ms is 11, not 12.
    backlog = -(-round(latency * 1e9) // round(processing * 1e9))
    _, hi = limits(WorkerScalingSpec, "backlog_per_task")
    if backlog > hi:
        add("changed", "count.queue_delay", f"{backlog} messages per task; set to {hi}")
        backlog = hi
    return backlog


def _worker_cooldowns(count: dict[str, Any], add: Add) -> None:
    delay = count.get("queue_delay")
    own = delay.get("cooldown") if isinstance(delay, dict) else None
    fixed = WORKER_COOLDOWN_SECONDS
    for where, node in (
        ("count.cooldown", count.get("cooldown")),
        ("count.queue_delay.cooldown", own),
    ):
        if node is not None:
            add(
                "unmapped",
                where,
                f"the worker's backlog policy has fixed cooldowns here: in {fixed['in']} s, "
                f"out {fixed['out']} s",
            )
    if count.get("cooldown") is None and own is None:
        add(
            "changed",
            "count.queue_delay",
            f"Copilot's backlog policy scales in after {COPILOT_COOLDOWN_SECONDS['in']} s; the "
            f"worker here waits {fixed['in']} s (scale-out {fixed['out']} s in both)",
        )


def _fixed_worker(n: int, where: str, add: Add) -> dict[str, Any]:
    if n == 0:
        add(
            "changed",
            where,
            "0: a worker here has maxCount 1 at least and starts a task when messages wait; "
            "Copilot runs none",
        )
        return {"minCount": 0, "maxCount": 1}
    if not 0 < n <= 1000:
        add("unmapped", where, f"{n}: a worker runs 0 to 1000 tasks here; scaling 1-1")
        return {"minCount": 1, "maxCount": 1}
    return {"minCount": n, "maxCount": n}
