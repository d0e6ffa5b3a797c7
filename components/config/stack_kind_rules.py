"""Stack kind rules: which keys a single, platform or service stack may hold, and what a service
stack's workloads may ask of a platform they do not own.

`check_keys` runs on the stack file's values before the model validates (a key that belongs to
another kind of stack is refused by name); `check` runs with the cross-key rules: a platform's
grants name its own ALBs and do not overlap between named teams; a service stack's workloads
run on Fargate (or Fargate Spot) and route through ALB rules only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..specs.common import SpecError
from ..specs.platform import ANY_TEAM, BROWNFIELD_LOAD_BALANCER
from . import patterns
from .errors import ConfigError

if TYPE_CHECKING:
    from ..specs.service import ServiceSpec
    from .model import StackConfig

COMMON_KEYS = frozenset(
    {"stackKind", "observability", "assumptions", "protection", "policyLevel", "images"}
)
PLATFORM_PARTS = frozenset({"network", "cluster", "loadBalancers"})
WORKLOAD_KEYS = frozenset({"services", "workers", "scheduledTasks"})
KIND_KEYS: dict[str, frozenset[str]] = {
    "platform": COMMON_KEYS | PLATFORM_PARTS | {"teams"},
    "service": COMMON_KEYS | WORKLOAD_KEYS | {"team", "platform"},
    "single": COMMON_KEYS | PLATFORM_PARTS | WORKLOAD_KEYS,
}


def _why(kind: str, key: str) -> str:
    if kind == "platform" and key in WORKLOAD_KEYS:
        return (
            "a platform stack holds no workloads; they go in a service stack (stackKind: "
            "service, platform: {stack: <this stack>})"
        )
    if kind == "service" and key in PLATFORM_PARTS:
        return "it belongs to the platform stack; set it in Pulumi.<platform>.yaml"
    if key == "teams":
        return "teams are granted by a platform stack (stackKind: platform)"
    if key in ("team", "platform"):
        return "team and platform are keys of a service stack (stackKind: service)"
    return f"not a key of a {kind} stack; allowed: {', '.join(sorted(KIND_KEYS[kind]))}"


def check_keys(values: Mapping[str, Any], source: str) -> None:
    """A key set to a non-empty value that the stack's kind does not hold: ConfigError."""
    kind = values.get("stackKind", "single")
    if not isinstance(kind, str) or kind not in KIND_KEYS:
        return  # the model refuses it with the allowed values
    for key, value in values.items():
        if key in KIND_KEYS[kind] or value in ({}, None, [], "auto", ""):
            continue
        raise ConfigError(source, key, f"{_short(value)}: {_why(kind, key)}")
    if kind == "service" and values.get("platform") in (None, {}):
        raise ConfigError(
            source,
            "platform",
            "required in a service stack: {stack: <platform stack>} or the existing "
            "clusterArn, vpcId, privateSubnetIds, listenerArn and loadBalancerSecurityGroupId",
        )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check(config: StackConfig) -> None:
    """Model-level rules of platform and service stacks (a single stack has none here)."""
    if config.stack_kind == "platform":
        _check_grants(config)


def check_service_workload(config: StackConfig, at: tuple[str, ...], svc: ServiceSpec) -> None:
    """A service stack's workload: Fargate capacity, ALB routing on the platform's listener."""
    if svc.launch_type is not None:
        raise SpecError(
            (*at, "launchType"),
            f"{svc.launch_type}: a service stack runs on Fargate and Fargate Spot only",
        )
    for i, item in enumerate(config.strategy(svc)):
        if item.provider not in ("FARGATE", "FARGATE_SPOT"):
            raise SpecError(
                (*at, "capacityProviders", i, "provider"),
                f"{item.provider}: a service stack runs on FARGATE and FARGATE_SPOT only (the "
                "platform's instances are not the team's to place on)",
            )
    ref = svc.load_balancer
    if ref is None:
        return
    assert config.platform is not None
    if config.platform.brownfield and ref.name != BROWNFIELD_LOAD_BALANCER:
        raise SpecError(
            (*at, "loadBalancer", "name"),
            f"{ref.name!r}: with an existing listener (platform.listenerArn) the load balancer "
            f"is named {BROWNFIELD_LOAD_BALANCER!r}",
        )
    if ref.listener_port is not None:
        raise SpecError(
            (*at, "loadBalancer", "listenerPort"),
            "a service stack routes by ALB listener rules only; listenerPort is for NLBs",
        )
    if svc.execute_command and config.platform.brownfield:
        raise SpecError(
            (*at, "executeCommand"),
            "ECS Exec writes to the platform's exec log group; with an existing cluster "
            "(brownfield) it is unknown here: use platform.stack, or turn executeCommand off",
        )


def _check_grants(config: StackConfig) -> None:
    net = config.network
    if config.teams and net.vpc_cidr is None:
        raise SpecError(
            ("network", "vpcCidrBlock"),
            "required with teams: the load balancers' egress to the teams' tasks goes to the "
            "existing VPC's CIDR",
        )
    for team, grant in sorted(config.teams.items()):
        lb = config.load_balancers.get(grant.load_balancer)
        if lb is None or lb.type != "application":
            known = [n for n, s in config.load_balancers.items() if s.type == "application"]
            raise SpecError(
                ("teams", team, "loadBalancer"),
                f"{grant.load_balancer!r} is not an ALB in loadBalancers; known: "
                f"{', '.join(sorted(known)) or 'none are defined'}",
            )
    named = sorted((t, g) for t, g in config.teams.items() if t != ANY_TEAM)
    for i, (team_a, a) in enumerate(named):
        for team_b, b in named[i + 1 :]:
            if a.load_balancer != b.load_balancer:
                continue
            ra, rb = a.priorities, b.priorities
            if ra.from_ <= rb.to and rb.from_ <= ra.to:
                raise SpecError(
                    ("teams", team_b, "priorities"),
                    f"{rb.from_}-{rb.to} overlaps {ra.from_}-{ra.to} granted to team {team_a} "
                    f"on {a.load_balancer}; teams' priority ranges are disjoint",
                )
            both = patterns.scope_overlap(a.hosts, a.paths, b.hosts, b.paths)
            if both is not None:
                raise SpecError(
                    ("teams", team_b, "paths"),
                    f"{both[1]!r} overlaps {both[0]!r} granted to team {team_a} on "
                    f"{a.load_balancer}; named teams' host and path scopes are disjoint",
                )
