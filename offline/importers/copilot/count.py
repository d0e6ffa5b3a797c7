"""Copilot's `count` (task count, autoscaling, Fargate Spot) as a service's config, and the
pieces of `count` a Worker Service shares (`workers` maps the rest).

Follows what Copilot deploys, not only what its manifest docs say (aws/copilot-cli:
`internal/pkg/manifest/svc.go`, `deploy/cloudformation/stack/transformers.go`,
`template/templates/workloads/partials/cf/autoscaling.yml`):

- `count: N` is the desired count; `count.spot: N` runs N tasks, all on FARGATE_SPOT.
- `count.range` (`n-m` or `{min, max}`) is the scalable target's range; the initial desired
  count is the minimum.
- `cpu_percentage`, `memory_percentage`, `requests` (an integer, or `{value, cooldown}`) are one
  target-tracking policy each. A metric's own cooldown overrides `count.cooldown` key by key;
  unset (or zero) cooldowns are 120 s in and 60 s out.
- `range.spot_from: S` places the first S - 1 tasks on FARGATE (a base on a zero weight) and the
  rest on FARGATE_SPOT; Copilot adds that base only when S >= the range minimum.
"""

from __future__ import annotations

import math
import re
from typing import Any

from pydantic import BaseModel

from components.specs.operations import AutoscalingSpec

from ..common import duration_seconds
from ..findings import Add
from .tables import AUTOSCALING_KEYS, COOLDOWN_LIMITS, COPILOT_COOLDOWN_SECONDS, SERVICE_METRICS


def service_count(count: Any, add: Add, *, alb: bool) -> dict[str, Any]:
    """desiredCount, autoscaling and capacityProviders of a Load Balanced Web or Backend Service.

    `alb`: the service is imported behind an ALB (request-count scaling needs one).
    """
    if count is None:
        return {}
    if is_int(count):
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
        return spot_count(count, add)
    if count.get("range") is None:
        needs_range(count, add)
        return {}
    low, high, spot_from = parse_range(count["range"])
    if not in_range(low, high, AutoscalingSpec):
        add("unmapped", "count.range", f"{count['range']!r}: {RANGE_RULE.format(5000)}")
        return {}
    assert low is not None and high is not None
    out: dict[str, Any] = {"desiredCount": low}
    targets, cooldowns = _targets(count, add, alb)
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
        out["capacityProviders"] = spot_from_strategy(low, spot_from, add)
    return out


def _targets(
    count: dict[str, Any], add: Add, alb: bool
) -> tuple[dict[str, int], dict[str, tuple[int, int]]]:
    """(autoscaling target by key, (in, out) cooldown by metric) of the metrics set."""
    targets: dict[str, int] = {}
    cooldowns: dict[str, tuple[int, int]] = {}
    for key, (field, attr) in SERVICE_METRICS.items():
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
        lo, hi = limits(AutoscalingSpec, attr)
        target = min(max(value, lo), hi)
        if target != value:
            add("changed", f"count.{key}", f"{value} is outside {lo}-{hi} here; set to {target}")
        targets[field] = target
        cooldowns[key] = _cooldown(count.get("cooldown"), own, key, add)
    return targets, cooldowns


# -- pieces -------------------------------------------------------------------------------


def limits(model: type[BaseModel], attr: str) -> tuple[int, int]:
    """The ge/le bounds of a spec field, so the importer clamps to what the config accepts."""
    meta = model.model_fields[attr].metadata
    return next(m.ge for m in meta if hasattr(m, "ge")), next(
        m.le for m in meta if hasattr(m, "le")
    )


RANGE_RULE = "not a range of 0 to {} tasks with a maximum of 1 or more (n-m or {{min, max}})"


def in_range(low: int | None, high: int | None, model: type[BaseModel]) -> bool:
    """Whether low-high is a task range the spec `model` accepts."""
    if low is None or high is None:
        return False
    lowest, _ = limits(model, "min_count")
    _, highest = limits(model, "max_count")
    return lowest <= low <= high <= highest and high >= 1


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_range(value: Any) -> tuple[int | None, int | None, int | None]:
    """(min, max, spot_from) of `range: n-m` or `range: {min, max, spot_from}`."""
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", value)
        return (int(m.group(1)), int(m.group(2)), None) if m else (None, None, None)
    if isinstance(value, dict):
        low, high, spot = value.get("min"), value.get("max"), value.get("spot_from")
        return (
            low if is_int(low) else None,
            high if is_int(high) else None,
            spot if is_int(spot) else None,
        )
    return None, None, None


def _metric(raw: Any) -> tuple[int | None, dict[str, Any]]:
    """(value, own cooldown) of a metric written as a number or as `{value, cooldown}`."""
    if isinstance(raw, dict):
        value = raw.get("value")
        cooldown = raw.get("cooldown")
        return (value if is_int(value) else None), (cooldown if isinstance(cooldown, dict) else {})
    return (raw if is_int(raw) else None), {}


def needs_range(count: dict[str, Any], add: Add) -> None:
    """Report the autoscaling keys set without the range Copilot needs them with."""
    for key in AUTOSCALING_KEYS:
        if count.get(key) is not None and key not in ("range", "queue_delay"):
            add("unmapped", f"count.{key}", "autoscaling needs count.range (Copilot's rule)")
    if count.get("queue_delay") is not None:
        add("unmapped", "count.queue_delay", "autoscaling needs count.range (Copilot's rule)")


def spot_count(count: dict[str, Any], add: Add) -> dict[str, Any]:
    """`count.spot: N`: N tasks, all on Fargate Spot."""
    spot = count["spot"]
    for key in AUTOSCALING_KEYS:
        if count.get(key) is not None:
            add(
                "unmapped",
                f"count.{key}",
                "Copilot does not allow it beside count.spot (mutually exclusive); ignored",
            )
    if not is_int(spot) or not 0 <= spot <= 5000:
        add("unmapped", "count.spot", f"{spot!r} is not a task count")
        return {}
    return {"desiredCount": spot, "capacityProviders": [{"provider": "FARGATE_SPOT", "weight": 1}]}


def spot_from_strategy(low: int, spot_from: int, add: Add) -> list[dict[str, Any]]:
    """The capacity provider strategy of `range.spot_from`, as Copilot deploys it."""
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
    lo, hi = COOLDOWN_LIMITS
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
