"""ECS service rules: how a workload's tasks are placed, reached and deployed.

Public IPs (services, task sets and scheduled tasks alike), task security groups, the rolling
deployment's circuit breaker and percentages, the health check grace period, Availability
Zones, the task floor, AZ rebalancing, the Fargate platform version, the on-demand base under
Spot capacity, and ECS Exec.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from . import types as t
from .base import SH, Finding, Resource, Rule, Stack, as_list, azs_spanned, refers_to, truthy


def _nat_less(stack: Stack) -> bool:
    """The stack builds its VPC without any NAT (gateway or instance): tasks in private
    subnets could not reach ECR or CloudWatch Logs, so public IPs are how they get out."""
    if not stack.of_type(*t.VPC):
        return False
    nat_instances = [i for i in stack.of_type(*t.INSTANCE)
                     if i.props.get("sourceDestCheck") is False]  # fmt: skip
    return not stack.of_type(*t.NAT_GATEWAY) and not nat_instances


def _public_ip(network: Any) -> bool:
    value = (network or {}).get("assignPublicIp")
    return truthy(value) or value == "ENABLED"


def no_public_ip(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    """Services, workers, task sets and scheduled tasks alike. A stack-wide decision
    (`withoutNat`: why this environment runs without NAT) waives it for every workload of a
    stack that indeed has no NAT; the task security groups still admit no CIDR
    (net-task-ingress-from-sg)."""
    waiver = str(cfg["withoutNat"] or "")
    waived = waiver if waiver and _nat_less(stack) else ""
    found = [
        (r, r.props.get("networkConfiguration")) for r in stack.of_type(*t.SERVICE, *t.TASK_SET)
    ]
    found += [
        (r, ((r.props.get("target") or {}).get("ecsParameters") or {}).get("networkConfiguration"))
        for r in stack.of_type(*t.SCHEDULE)
    ]
    for r, network in found:
        if _public_ip(network):
            yield Finding(
                r.urn,
                "tasks get public IPs (networkConfiguration.assignPublicIp); run them in "
                "private subnets behind a load balancer (ECS.2, ECS.16)",
                waived=waived,
            )


def service_security_groups(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    net = r.props.get("networkConfiguration")
    if net is not None and not as_list(net.get("securityGroups")):
        yield "networkConfiguration.securityGroups is empty: the VPC default group would apply"


def _rolling(r: Resource) -> bool:
    controller = (r.props.get("deploymentController") or {}).get("type") or "ECS"
    return controller == "ECS"


def circuit_breaker(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    if not _rolling(r):
        return
    breaker = r.props.get("deploymentCircuitBreaker") or {}
    if not (truthy(breaker.get("enable")) and truthy(breaker.get("rollback"))):
        yield (
            "deploymentCircuitBreaker must be {enable: true, rollback: true}: a failing "
            "deployment otherwise keeps replacing tasks"
        )


def deployment_percent(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    if not _rolling(r) or r.props.get("schedulingStrategy") == "DAEMON":
        return
    low = int(cfg["minHealthyPercent"])
    high = int(cfg["minMaximumPercent"])
    healthy = r.props.get("deploymentMinimumHealthyPercent")
    maximum = r.props.get("deploymentMaximumPercent")
    if healthy is None or int(healthy) < low:
        yield (
            f"deploymentMinimumHealthyPercent is {healthy}; at least {low} keeps capacity "
            "during deployments"
        )
    if maximum is None or int(maximum) < high:
        yield f"deploymentMaximumPercent is {maximum}; at least {high} starts new tasks first"


def grace_period(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    if as_list(r.props.get("loadBalancers")) and not r.props.get("healthCheckGracePeriodSeconds"):
        yield (
            "behind a load balancer without healthCheckGracePeriodSeconds: slow starters are "
            "killed before they turn healthy"
        )


def _subnet_azs(stack: Stack, r: Resource) -> int:
    listed = as_list((r.props.get("networkConfiguration") or r.props).get("subnets"))
    return azs_spanned(stack, r, listed)


def service_multi_az(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    need = int(cfg["minAzs"])
    for r in stack.of_type(*t.SERVICE):
        if r.props.get("networkConfiguration") is None:
            continue
        n = _subnet_azs(stack, r)
        if n < need:
            yield Finding(r.urn, f"tasks span {n} AZ(s); at least {need} are required")


def min_tasks(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    """The floor is the lowest of desiredCount, the scalable target's minCapacity and every
    scheduled action's minCapacity (a scheduled action sets the target's minimum at its time).
    https://docs.aws.amazon.com/autoscaling/application/APIReference/API_ScalableTargetAction.html"""
    need = int(cfg["minTasks"])
    for r in stack.of_type(*t.SERVICE):
        scaling = stack.dependents(r, *t.SCALING_TARGET)
        if scaling:
            floors = [(int(s.props.get("minCapacity") or 0), "autoscaling minCapacity")
                      for s in scaling]  # fmt: skip
            floors += [
                (int((a.props.get("scalableTargetAction") or {}).get("minCapacity") or 0),
                 f"scheduled scaling {a.name} minCapacity")
                for s in scaling
                for a in stack.dependents(s, *t.SCALING_ACTION)
                if (a.props.get("scalableTargetAction") or {}).get("minCapacity") is not None
            ]  # fmt: skip
            floor, what = min(floors)
        else:
            floor, what = int(r.props.get("desiredCount") or 0), "desiredCount"
        if floor < need:
            yield Finding(r.urn, f"{what} is {floor}; at least {need} tasks survive an AZ loss")


def az_rebalancing(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    if r.props.get("launchType") == "EXTERNAL":
        return  # the team's own servers are in no Availability Zone
    if r.props.get("availabilityZoneRebalancing") != "ENABLED":
        yield "availabilityZoneRebalancing is not ENABLED"


ALLOWED_PLATFORMS = ("LATEST", "1.4.0")


def platform_version(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    version = r.props.get("platformVersion")
    if version is not None and version not in ALLOWED_PLATFORMS:
        yield f"platformVersion {version} is outdated; omit it or use LATEST/1.4.0 (ECS.10)"


def _spot_providers(stack: Stack) -> list[Resource]:
    """Capacity providers that buy Spot: ECS Managed Instances with capacityOptionType SPOT
    (Spot Instances "can be interrupted by Amazon EC2 with a two-minute notification").
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_InstanceLaunchTemplate.html"""
    out = []
    for cp in stack.of_type(*t.CAPACITY_PROVIDER):
        template = (cp.props.get("managedInstancesProvider") or {}).get("instanceLaunchTemplate")
        if (template or {}).get("capacityOptionType") == "SPOT":
            out.append(cp)
    return out


def _is_spot(name: str, spot: list[Resource]) -> bool:
    return name == "FARGATE_SPOT" or any(refers_to(name, cp) for cp in spot)


def _strategy_findings(
    urn: str, strategy: list[Any], need: int, spot: list[Resource]
) -> Iterator[Finding]:
    items = [(str(i.get("capacityProvider")), i) for i in strategy]
    on_spot = [n for n, i in items if _is_spot(n, spot)
               and (int(i.get("weight") or 0) or int(i.get("base") or 0))]  # fmt: skip
    if not on_spot:
        return
    base = sum(int(i.get("base") or 0) for n, i in items if not _is_spot(n, spot))
    if base < need:
        kind = "FARGATE_SPOT" if on_spot[0] == "FARGATE_SPOT" else "Spot capacity"
        yield Finding(
            urn,
            f"{kind} ({on_spot[0]}) with an on-demand base of {base}; at least {need} tasks "
            "must run on on-demand capacity (Spot can be reclaimed all at once)",
        )


def spot_base(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    need = int(cfg["minOnDemandBase"])
    spot = _spot_providers(stack)
    for r in stack.of_type(*t.SERVICE):
        strategy = as_list(r.props.get("capacityProviderStrategies"))
        yield from _strategy_findings(r.urn, strategy, need, spot)
    for r in stack.of_type(*t.SCHEDULE):
        ecs = (r.props.get("target") or {}).get("ecsParameters") or {}
        strategy = as_list(ecs.get("capacityProviderStrategies"))
        yield from _strategy_findings(r.urn, strategy, need, spot)
    for r in stack.of_type(*t.CLUSTER_CAPACITY):
        strategy = as_list(r.props.get("defaultCapacityProviderStrategies"))
        yield from _strategy_findings(r.urn, strategy, need, spot)


def exec_disabled(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    if truthy(r.props.get("enableExecuteCommand")):
        yield (
            "enableExecuteCommand is true: ECS Exec opens a shell in production tasks "
            "(and a path to the task role's credentials)"
        )


RULES = [
    Rule("ecs-svc-no-public-ip", "ECS-SVC-01",
         (f"{SH} ECS.2", f"{SH} ECS.16", "CKV_AWS_333", "prowler ecs_service_no_assign_public_ip"),
         "Tasks of every workload (services, workers, task sets, scheduled tasks) never get "
         "public IPs, unless the environment documents once that it runs without NAT",
         "high", ("mandatory",) * 3, stack_check=no_public_ip, config={"withoutNat": ""}),
    Rule("ecs-svc-security-groups", "ECS-SVC-02",
         ("ECS dev guide service securityGroups", f"{SH} EC2.2", "CKV2_AWS_5"),
         "Services name their own task security groups", "medium", ("mandatory",) * 3,
         t.SERVICE + t.TASK_SET, service_security_groups),
    Rule("ecs-svc-circuit-breaker", "ECS-SVC-03", ("ECS dev guide Deployment circuit breaker",),
         "Rolling deployments have the circuit breaker with rollback", "medium",
         ("mandatory",) * 3, t.SERVICE, circuit_breaker),
    Rule("ecs-svc-deployment-percent", "ECS-SVC-04", ("ECS BPG Task deployment",),
         "Rolling deployments keep capacity: min healthy percent and max percent", "medium",
         ("advisory", "mandatory", "mandatory"), t.SERVICE, deployment_percent,
         config={"minHealthyPercent": 100, "minMaximumPercent": 200}),
    Rule("ecs-svc-grace-period", "ECS-SVC-04", ("ECS dev guide healthCheckGracePeriodSeconds",),
         "Services behind a load balancer set a health check grace period", "low",
         ("advisory", "mandatory", "mandatory"), t.SERVICE, grace_period),
    Rule("ecs-svc-multi-az", "ECS-SVC-05",
         ("ECS BPG Capacity and availability", f"{SH} ELB.13"),
         "Service tasks span enough AZs (2; 3 in prod)", "medium", ("mandatory",) * 3,
         stack_check=service_multi_az, config={"minAzs": 2}),
    Rule("ecs-svc-min-tasks", "ECS-SVC-05", ("ECS BPG Capacity and availability",),
         "Services keep enough tasks (desiredCount, autoscaling minimum, scheduled scaling "
         "minimum) to survive an AZ loss", "medium", ("advisory", "mandatory", "mandatory"),
         stack_check=min_tasks, config={"minTasks": 2}),
    Rule("ecs-svc-az-rebalancing", "ECS-SVC-05", ("ECS AZ rebalancing docs",),
         "Services rebalance tasks across AZs", "low", ("advisory", "mandatory", "mandatory"),
         t.SERVICE, az_rebalancing),
    Rule("ecs-svc-platform-version", "ECS-SVC-06", (f"{SH} ECS.10", "CKV_AWS_332"),
         "Fargate platform version is LATEST or 1.4.0", "medium", ("mandatory",) * 3,
         t.SERVICE + t.TASK_SET, platform_version),
    Rule("ecs-svc-spot-base", "ECS-SVC-07",
         ("ECS BPG Using Spot and FARGATE_SPOT", "ECS dev guide Capacity provider strategy"),
         "Spot (FARGATE_SPOT or Managed Instances SPOT) only with an on-demand base, for "
         "services, scheduled tasks and the cluster default", "medium",
         ("advisory", "mandatory", "mandatory"), stack_check=spot_base,
         config={"minOnDemandBase": 1}),
    Rule("ecs-svc-exec-disabled", "ECS-SVC-08",
         ("CKV_AWS_223", "CKV_AWS_224", "prowler ECS-006 privilege escalation"),
         "ECS Exec is off in production", "medium", ("advisory", "advisory", "mandatory"),
         t.SERVICE, exec_disabled),
]  # fmt: skip
