"""Copilot's `count` (task count, autoscaling, Fargate Spot) as service and worker config.

Follows what Copilot deploys, not only what its manifest docs say (aws/copilot-cli:
`internal/pkg/manifest/svc.go`, `deploy/cloudformation/stack/transformers.go`,
`template/templates/workloads/partials/cf/autoscaling.yml`):

- `count: N` is the desired count; `count.spot: N` runs N tasks, all on FARGATE_SPOT.
- `count.range` (`n-m` or `{min, max}`) is the scalable target's range; the initial desired
  count is the minimum.
- `cpu_percentage`, `memory_percentage`, `requests` (an integer, or `{value, cooldown}`) are one
  target-tracking policy each. A metric's own cooldown overrides `count.cooldown` key by key;
  unset (or zero) cooldowns are 120 s in and 60 s out.
- `queue_delay` (Worker Service) tracks backlog per task with the target
  ceil(acceptable_latency / msg_processing_time).
- `range.spot_from: S` places the first S - 1 tasks on FARGATE (a base on a zero weight) and the
  rest on FARGATE_SPOT; Copilot adds that base only when S >= the range minimum.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from components.specs.operations import AutoscalingSpec
from components.specs.workloads import WorkerScalingSpec

from .common import duration_seconds
from .findings import Kind

Add = Callable[[Kind, str, str], None]

# Copilot's cooldowns when a policy sets none (autoscaling.yml: `{{else}} ScaleInCooldown: 120`).
COPILOT_COOLDOWN_SECONDS = {"in": 120, "out": 60}
# The worker's backlog policy has fixed cooldowns here (components/worker.py).
WORKER_COOLDOWN_SECONDS = {"in": 300, "out": 60}
AUTOSCALING_KEYS = (
    "range",
    "cooldown",
    "cpu_percentage",
    "memory_percentage",
    "requests",
    "response_time",
    "queue_delay",
)
# Copilot metric -> (autoscaling key, AutoscalingSpec attribute).
_SERVICE_METRICS = {
    "cpu_percentage": ("cpuTarget", "cpu_target"),
    "memory_percentage": ("memoryTarget", "memory_target"),
    "requests": ("requestsPerTarget", "requests_per_target"),
}
_COOLDOWN_LIMITS = (0, 3600)  # AutoscalingSpec.scale_*_cooldown_seconds


def merge(base: Any, override: Any) -> Any:
    """Copilot's override rule: mappings merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for key, value in override.items():
            out[key] = merge(base.get(key), value) if key in base else value
        return out
    return base if override is None else override


def merge_count(base: Any, override: Any) -> Any:
    """Copilot's override rule for `count`: `spot` and autoscaling exclude each other.

    An override that sets `spot` drops the base's range, metrics and cooldown; one that sets a
    range or a metric drops the base's `spot` (Copilot's advancedCountTransformer). Everything
    else merges like any map.
    """
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return merge(base, override)
    kept = dict(base)
    if override.get("spot") is not None:
        for key in AUTOSCALING_KEYS:
            kept.pop(key, None)
    if any(override.get(k) is not None for k in AUTOSCALING_KEYS if k != "cooldown"):
        kept.pop("spot", None)
    return merge(kept, override)


def service_count(count: Any, add: Add, *, alb: bool) -> dict[str, Any]:
    """desiredCount, autoscaling and capacityProviders of a Load Balanced Web or Backend Service.

    `alb`: the service is imported behind an ALB (request-count scaling needs one).
    """
    if count is None:
        return {}
    if _is_int(count):
        if not 0 <= count <= 5000:
            add("unmapped", "count", f"{count}: ECS runs 0 to 5000 tasks per service")
            return {}
        return {"desiredCount": count}
    if not isinstance(count, dict):
        add("unmapped", "count", f"{count!r} is not a task count")
        return {}
    for key in count:
        if key not in ("spot", *AUTOSCALING_KEYS):
            add("unmapped", f"count.{key}", "not a count key of a Copilot service")
    if count.get("queue_delay") is not None:
        add("unmapped", "count.queue_delay", "only a Worker Service scales on queue delay")
        count = {k: v for k, v in count.items() if k != "queue_delay"}
    if count.get("spot") is not None:
        return _spot(count, add)
    if count.get("range") is None:
        _needs_range(count, add)
        return {}
    low, high, spot_from = _range(count["range"])
    if not _in_range(low, high, AutoscalingSpec):
        add("unmapped", "count.range", f"{count['range']!r}: {_RANGE_RULE.format(5000)}")
        return {}
    assert low is not None and high is not None
    out: dict[str, Any] = {"desiredCount": low}
    targets: dict[str, int] = {}
    cooldowns: dict[str, tuple[int, int]] = {}
    for key, (field, attr) in _SERVICE_METRICS.items():
        raw = count.get(key)
        if raw is None:
            continue
        value, own = _metric(raw)
        if value is None:
            add("unmapped", f"count.{key}", f"{raw!r} is not a number or {{value, cooldown}}")
            continue
        if key == "requests" and not alb:
            add(
                "unmapped",
                "count.requests",
                "scales on ALB request counts per target; this service has no ALB here",
            )
            continue
        lo, hi = _limits(AutoscalingSpec, attr)
        target = min(max(value, lo), hi)
        if target != value:
            add("changed", f"count.{key}", f"{value} is outside {lo}-{hi} here; set to {target}")
        targets[field] = target
        cooldowns[key] = _cooldown(count.get("cooldown"), own, key, add)
    response_time = count.get("response_time")
    if response_time is not None:
        shown = response_time.get("value") if isinstance(response_time, dict) else response_time
        rest = "; the other metrics apply" if targets else ""
        add(
            "unmapped",
            "count.response_time",
            f"{shown}: target tracking on the ALB's average response time is not in "
            f"autoscaling (cpuTarget, memoryTarget, requestsPerTarget){rest}",
        )
    if targets:
        scale_in, scale_out = _one_cooldown(cooldowns, add)
        out["autoscaling"] = {
            "minCount": low,
            "maxCount": high,
            **targets,
            "scaleInCooldownSeconds": scale_in,
            "scaleOutCooldownSeconds": scale_out,
        }
    else:
        add(
            "unmapped",
            "count.range",
            f"{low}-{high}: no metric here to scale on (cpu_percentage, memory_percentage, "
            f"requests); desiredCount is the minimum, {low}",
        )
    if spot_from is not None:
        out["capacityProviders"] = _spot_from(low, spot_from, add)
    return out


def worker_count(count: Any, add: Add) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
    """A Worker Service's `scaling` ({minCount, maxCount, backlogPerTask}) and capacity providers.

    A worker here always scales on backlog per task; a fixed count is minCount = maxCount.
    """
    if count is None:
        return {"minCount": 1, "maxCount": 1}, None  # Copilot runs one task
    if _is_int(count):
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
        spot = _spot(count, add)
        if "desiredCount" not in spot:
            return {"minCount": 1, "maxCount": 1}, None
        return _fixed_worker(spot["desiredCount"], "count.spot", add), spot["capacityProviders"]
    if count.get("range") is None:
        _needs_range(count, add)
        return {"minCount": 1, "maxCount": 1}, None
    low, high, spot_from = _range(count["range"])
    if not _in_range(low, high, WorkerScalingSpec):
        rule = _RANGE_RULE.format(1000)
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
    strategy = _spot_from(low, spot_from, add) if spot_from is not None else None
    return scaling, strategy


# -- pieces -------------------------------------------------------------------------------


def _limits(model: type[BaseModel], attr: str) -> tuple[int, int]:
    """The ge/le bounds of a spec field, so the importer clamps to what the config accepts."""
    meta = model.model_fields[attr].metadata
    return next(m.ge for m in meta if hasattr(m, "ge")), next(
        m.le for m in meta if hasattr(m, "le")
    )


_RANGE_RULE = "not a range of 0 to {} tasks with a maximum of 1 or more (n-m or {{min, max}})"


def _in_range(low: int | None, high: int | None, model: type[BaseModel]) -> bool:
    if low is None or high is None:
        return False
    lowest, _ = _limits(model, "min_count")
    _, highest = _limits(model, "max_count")
    return lowest <= low <= high <= highest and high >= 1


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _range(value: Any) -> tuple[int | None, int | None, int | None]:
    """(min, max, spot_from) of `range: n-m` or `range: {min, max, spot_from}`."""
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", value)
        return (int(m.group(1)), int(m.group(2)), None) if m else (None, None, None)
    if isinstance(value, dict):
        low, high, spot = value.get("min"), value.get("max"), value.get("spot_from")
        return (
            low if _is_int(low) else None,
            high if _is_int(high) else None,
            spot if _is_int(spot) else None,
        )
    return None, None, None


def _metric(raw: Any) -> tuple[int | None, dict[str, Any]]:
    """(value, own cooldown) of a metric written as a number or as `{value, cooldown}`."""
    if isinstance(raw, dict):
        value = raw.get("value")
        cooldown = raw.get("cooldown")
        return (value if _is_int(value) else None), (cooldown if isinstance(cooldown, dict) else {})
    return (raw if _is_int(raw) else None), {}


def _needs_range(count: dict[str, Any], add: Add) -> None:
    for key in AUTOSCALING_KEYS:
        if count.get(key) is not None and key not in ("range", "queue_delay"):
            add("unmapped", f"count.{key}", "autoscaling needs count.range (Copilot's rule)")
    if count.get("queue_delay") is not None:
        add("unmapped", "count.queue_delay", "autoscaling needs count.range (Copilot's rule)")


def _spot(count: dict[str, Any], add: Add) -> dict[str, Any]:
    spot = count["spot"]
    for key in AUTOSCALING_KEYS:
        if count.get(key) is not None:
            add(
                "unmapped",
                f"count.{key}",
                "Copilot does not allow it beside count.spot (mutually exclusive); ignored",
            )
    if not _is_int(spot) or not 0 <= spot <= 5000:
        add("unmapped", "count.spot", f"{spot!r} is not a task count")
        return {}
    return {"desiredCount": spot, "capacityProviders": [{"provider": "FARGATE_SPOT", "weight": 1}]}


def _spot_from(low: int, spot_from: int, add: Add) -> list[dict[str, Any]]:
    strategy: list[dict[str, Any]] = []
    if spot_from >= low and spot_from > 1:
        strategy.append({"provider": "FARGATE", "base": spot_from - 1, "weight": 0})
    elif spot_from < low:
        add(
            "input",
            "count.range.spot_from",
            f"{spot_from} is below the range minimum {low}: Copilot then adds no on-demand "
            "base and runs every task on Fargate Spot, and so does this config; to keep the "
            f"first {max(spot_from - 1, 0)} on demand, add {{provider: FARGATE, "
            f"base: {max(spot_from - 1, 0)}, weight: 0}} to capacityProviders",
        )
    strategy.append({"provider": "FARGATE_SPOT", "weight": 1})
    return strategy


def _cooldown(general: Any, own: dict[str, Any], key: str, add: Add) -> tuple[int, int]:
    """(scale-in, scale-out) seconds of one metric's policy, as Copilot computes them."""
    pair = []
    for part in ("in", "out"):
        seconds = _seconds(own, part, f"count.{key}.cooldown.{part}", add)
        if not seconds:  # Copilot's template treats 0 as unset
            seconds = _seconds(general, part, f"count.cooldown.{part}", add)
        pair.append(seconds or COPILOT_COOLDOWN_SECONDS[part])
    return pair[0], pair[1]


def _seconds(node: Any, part: str, where: str, add: Add) -> int | None:
    if not isinstance(node, dict) or node.get(part) is None:
        return None
    raw = node[part]
    seconds = duration_seconds(raw) if isinstance(raw, str) else None
    if seconds is None or seconds < 0:
        add("unmapped", where, f"{raw!r} is not a duration (30s, 1m30s)")
        return None
    lo, hi = _COOLDOWN_LIMITS
    value = min(max(math.ceil(seconds), lo), hi)
    if value != seconds:
        add("changed", where, f"{raw} is outside the {lo}-{hi} s cooldowns here; set to {value} s")
    return value


def _one_cooldown(cooldowns: dict[str, tuple[int, int]], add: Add) -> tuple[int, int]:
    """One (in, out) pair for every policy: autoscaling here has one, Copilot one per metric."""
    pairs = set(cooldowns.values())
    if len(pairs) == 1:
        return next(iter(pairs))
    scale_in = max(p[0] for p in pairs)
    scale_out = min(p[1] for p in pairs)
    each = ", ".join(f"{k} in {i} s/out {o} s" for k, (i, o) in cooldowns.items())
    add(
        "changed",
        "count.cooldown",
        f"cooldowns differ per metric ({each}); autoscaling here has one pair for every "
        f"policy: in {scale_in} s (the longest), out {scale_out} s (the shortest)",
    )
    return scale_in, scale_out


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
    _, hi = _limits(WorkerScalingSpec, "backlog_per_task")
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
