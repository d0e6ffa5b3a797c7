"""Every rule of the ecs-platform policy pack, as plain functions (see base.py)."""

from __future__ import annotations

from . import anywhere, ecs_cluster, ecs_service, ecs_taskdef, iam, lb, logs, net, state
from .base import Finding, Resource, Rule, Stack

RULES: list[Rule] = [
    *ecs_taskdef.RULES,
    *ecs_service.RULES,
    *ecs_cluster.RULES,
    *anywhere.RULES,
    *lb.RULES,
    *net.RULES,
    *iam.RULES,
    *logs.RULES,
    *state.RULES,
]
BY_NAME: dict[str, Rule] = {r.name: r for r in RULES}

__all__ = ["BY_NAME", "RULES", "Finding", "Resource", "Rule", "Stack"]
