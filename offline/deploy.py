"""Deployment time of a planned stack: each service's rollout and a fresh stack's critical path.

Rolling update (reference/deploy-time-and-cost.md section 1.2), per ECS service, from its inputs
and those of its target group and task definition:

    T_hc  = healthyThreshold x interval   (assumptions.newTargetHealthChecks: healthyThreshold)
          | interval                      (one: the current ELB docs' one passing check)
    T_new = t_sched + t_launch + t_app_ready + T_hc     a new task becomes a healthy target
    T_old = deregistrationDelay + t_stop                an old task drains, then stops
    W     = ceil(N / (X - m)), m = ceil(N x min%), X = floor(N x max%)
    T     = W x (T_new + T_old)    a draining task holds its slot (the conservative default)
          | W x T_new + T_old      it does not

Blue/green, canary and linear (deploymentConfiguration.strategy, section 1.4): the new set
starts at full size, traffic shifts (canary: one bake; linear: a bake per step), the bake time
runs, then the old set drains and stops.

Fresh stack: the longest path through the captured dependency graph, each resource weighted by
its type's creation latency (section 3; rain's historical averages, [est] where none is given).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from components.specs.assumptions import AssumptionsSpec
from components.timing import NO_HEALTH_CHECK_SECONDS, traffic_shift_seconds

from .engine import Captured, Plan
from .topology import Graph, ServiceView, services

# AWS API defaults when an input is absent.
DEFAULT_INTERVAL = 30
DEFAULT_HEALTHY_THRESHOLD = 5
DEFAULT_DEREGISTRATION_DELAY = 300
DEFAULT_STOP_TIMEOUT = 30
DEFAULT_MIN_HEALTHY = 100
DEFAULT_MAX_PERCENT = 200
CANARY_BAKE_DEFAULT = 10.0
LINEAR_STEP_DEFAULT = 10.0
LINEAR_BAKE_DEFAULT = 6.0
PROVIDER_TIMEOUT_SECONDS = 20 * 60  # aws_ecs_service create/update wait (pulumi-awsx#1112)

# Creation seconds per type: rain's averages (reference section 3) unless marked [est].
CREATE_SECONDS: dict[str, float] = {
    "aws:ec2/vpc:Vpc": 12,
    "aws:ec2/subnet:Subnet": 4,
    "aws:ec2/internetGateway:InternetGateway": 29,  # 17 create + 12 attach (vpcId given)
    "aws:ec2/eip:Eip": 17,
    "aws:ec2/natGateway:NatGateway": 106,
    "aws:ec2/securityGroup:SecurityGroup": 6,
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": 6,
    "aws:ec2/routeTable:RouteTable": 2,  # [est]
    "aws:ec2/route:Route": 2,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": 2,  # [est]
    "aws:ec2/vpcEndpoint:VpcEndpoint": 47,
    "aws:ec2/instance:Instance": 60,  # [est] until running
    "aws:ec2/launchTemplate:LaunchTemplate": 6,
    # 3 s to create, plus [est] 90 s for instances to boot and register before tasks fit.
    "aws:autoscaling/group:Group": 93,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": 2,  # [est]
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": 2,  # [est]
    "aws:lb/loadBalancer:LoadBalancer": 116,
    "aws:lb/targetGroup:TargetGroup": 18,
    "aws:lb/listener:Listener": 2,
    "aws:lb/listenerRule:ListenerRule": 2,
    "aws:acm/certificateValidation:CertificateValidation": 239,
    "aws:route53/record:Record": 20,
    "aws:iam/role:Role": 12,
    "aws:iam/rolePolicy:RolePolicy": 17,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 17,
    "aws:iam/instanceProfile:InstanceProfile": 126,
    "aws:cloudwatch/logGroup:LogGroup": 1,
    "aws:ecr/repository:Repository": 1,
    "aws:ecs/cluster:Cluster": 5,
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": 5,  # [est]
    "aws:ecs/capacityProvider:CapacityProvider": 5,  # [est]
    "aws:ecs/taskDefinition:TaskDefinition": 4,
    "aws:ecs/service:Service": 119,
    "aws:kms/key:Key": 10,  # [est]
    "aws:servicediscovery/httpNamespace:HttpNamespace": 45,  # [est] asynchronous operation
    "aws:wafv2/webAclAssociation:WebAclAssociation": 5,  # [est]
    "aws:appautoscaling/target:Target": 2,  # [est]
    "aws:appautoscaling/policy:Policy": 2,  # [est]
    "aws:cloudwatch/metricAlarm:MetricAlarm": 2,  # [est]
}
OTHER_CREATE_SECONDS = 3  # [est] S3 bucket settings and anything not listed


@dataclass
class ServiceDeploy:
    name: str
    urn: str
    strategy: str
    seconds: float
    worst_case_seconds: float  # conservative slot and health-check models together
    waves: int
    new_task_seconds: float
    old_task_seconds: float
    terms: dict[str, float]  # seconds each setting contributes
    dominant: str

    @property
    def minutes(self) -> float:
        return self.seconds / 60

    def to_json(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy,
            "minutes": round(self.minutes, 2),
            "worstCaseMinutes": round(self.worst_case_seconds / 60, 2),
            "waves": self.waves,
            "newTaskSeconds": round(self.new_task_seconds, 1),
            "oldTaskSeconds": round(self.old_task_seconds, 1),
            "terms": {k: round(v, 1) for k, v in self.terms.items()},
            "dominant": self.dominant,
        }


@dataclass
class DeployReport:
    services: list[ServiceDeploy]
    fresh_stack_seconds: float
    critical_path: list[tuple[Captured, float]]
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "rollingMinutes": {s.name: round(s.minutes, 2) for s in self.services},
            "freshStackMinutes": round(self.fresh_stack_seconds / 60, 2),
            "services": {s.name: s.to_json() for s in self.services},
            "criticalPath": [
                {"urn": r.urn, "type": r.type, "seconds": seconds}
                for r, seconds in self.critical_path
            ],
            "warnings": self.warnings,
        }


def estimate(plan: Plan) -> DeployReport:
    graph = Graph(plan.resources)
    a: AssumptionsSpec = plan.config.assumptions
    warnings: list[str] = []
    deploys = []
    for view in services(graph):
        deploy, notes = rollout(view, a)
        deploys.append(deploy)
        warnings += [f"{view.name}: {note}" for note in notes]
    seconds, path = critical_path(graph)
    return DeployReport(deploys, seconds, path, warnings)


# -- one service ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Inputs:
    """The settings a rollout depends on, read from the planned resources."""

    desired: int
    min_healthy: int
    max_percent: int
    interval: float
    healthy_threshold: int
    deregistration_delay: float
    stop_timeout: float
    grace_period: float | None
    container_start_period: float | None
    network_lb: bool
    has_target_group: bool
    fargate: bool
    external: bool
    deployment: dict[str, Any]
    timeouts: dict[str, str]


def _inputs(view: ServiceView) -> _Inputs:
    svc = view.service.inputs
    tg = view.target_groups[0].inputs if view.target_groups else {}
    hc = tg.get("healthCheck") or {}
    app = next((c for c in view.containers if c.get("essential", True)), {})
    stop = max(
        (int(c.get("stopTimeout", DEFAULT_STOP_TIMEOUT)) for c in view.containers),
        default=DEFAULT_STOP_TIMEOUT,
    )
    lb = view.load_balancers[0].inputs if view.load_balancers else {}
    network = lb.get("loadBalancerType") == "network"
    start_period = (app.get("healthCheck") or {}).get("startPeriod")
    return _Inputs(
        desired=view.desired_count,
        min_healthy=int(svc.get("deploymentMinimumHealthyPercent", DEFAULT_MIN_HEALTHY)),
        max_percent=int(svc.get("deploymentMaximumPercent", DEFAULT_MAX_PERCENT)),
        interval=float(hc.get("interval", DEFAULT_INTERVAL)),
        healthy_threshold=int(hc.get("healthyThreshold", DEFAULT_HEALTHY_THRESHOLD)),
        deregistration_delay=float(
            tg.get("deregistrationDelay", DEFAULT_DEREGISTRATION_DELAY) if tg else 0
        ),
        stop_timeout=float(stop),
        grace_period=(
            float(svc["healthCheckGracePeriodSeconds"])
            if svc.get("healthCheckGracePeriodSeconds") is not None
            else None
        ),
        container_start_period=float(start_period) if start_period is not None else None,
        network_lb=network,
        has_target_group=bool(tg),
        fargate=view.fargate,
        external=view.external,
        deployment=dict(svc.get("deploymentConfiguration") or {}),
        timeouts=dict(view.service.options.get("customTimeouts") or {}),
    )


def rollout(view: ServiceView, a: AssumptionsSpec) -> tuple[ServiceDeploy, list[str]]:
    s = _inputs(view)
    n = s.desired
    launch_overhead = a.fargate_task_overhead_seconds if s.fargate else a.ec2_task_overhead_seconds
    pull = a.image_size_mb / a.image_pull_mb_per_second
    t_launch = launch_overhead + pull
    if s.has_target_group:
        checks = s.healthy_threshold if a.new_target_health_checks == "healthyThreshold" else 1
        t_hc = checks * s.interval
        t_hc_worst = s.healthy_threshold * s.interval
    else:
        t_hc = t_hc_worst = NO_HEALTH_CHECK_SECONDS
    t_stop = (
        s.stop_timeout
        if a.app_shutdown_seconds is None
        else min(a.app_shutdown_seconds, s.stop_timeout)
    )
    t_new = a.scheduler_reaction_seconds + t_launch + a.app_ready_seconds + t_hc
    t_old = s.deregistration_delay + t_stop

    floor = math.ceil(n * s.min_healthy / 100)
    ceiling = math.floor(n * s.max_percent / 100)
    notes: list[str] = []
    batch = ceiling - floor
    if n and batch <= 0:
        notes.append(
            f"minimumHealthyPercent {s.min_healthy} and maximumPercent {s.max_percent} leave no "
            f"room to replace any of {n} tasks; the deployment cannot progress"
        )
        batch = 1
    waves = math.ceil(n / batch) if n else 0
    holds = a.draining_task_holds_slot

    def rolling(new: float, old: float, conservative: bool) -> float:
        if not waves:
            return 0.0
        return waves * (new + old) if conservative else waves * new + old

    strategy = str(s.deployment.get("strategy") or "ROLLING").upper()
    terms = {
        "scheduler": a.scheduler_reaction_seconds,
        "taskLaunch": t_launch,
        "appReady": a.app_ready_seconds,
        "healthChecks": t_hc,
        "deregistrationDelay": s.deregistration_delay,
        "stop": t_stop,
    }
    if strategy == "ROLLING":
        seconds = rolling(t_new, t_old, holds)
        worst = rolling(t_new - t_hc + t_hc_worst, t_old, True)
        scale = waves if holds else 1
        terms = {
            k: v * (waves if k not in ("deregistrationDelay", "stop") else scale)
            for k, v in terms.items()
        }
    else:
        shift = _shift_seconds(strategy, s.deployment)
        bake = _minutes(s.deployment.get("bakeTimeInMinutes"), 0.0) * 60
        seconds = (t_new + shift + bake + t_old) if n else 0.0
        worst = seconds - t_hc + t_hc_worst if n else 0.0
        terms |= {"trafficShift": shift, "bakeTime": bake}
    dominant = max(terms, key=lambda k: terms[k]) if n else "none"
    deploy = ServiceDeploy(
        name=view.name,
        urn=view.service.urn,
        strategy=strategy,
        seconds=seconds,
        worst_case_seconds=worst,
        waves=waves,
        new_task_seconds=t_new,
        old_task_seconds=t_old,
        terms=terms,
        dominant=_describe(dominant, s),
    )
    notes += coherence(s, a, worst)
    return deploy, notes


def _shift_seconds(strategy: str, config: dict[str, Any]) -> float:
    """The traffic shift of the planned deploymentConfiguration (AWS defaults where unset)."""
    canary = config.get("canaryConfiguration") or {}
    linear = config.get("linearConfiguration") or {}
    return traffic_shift_seconds(
        strategy,
        _minutes(canary.get("canaryBakeTimeInMinutes"), CANARY_BAKE_DEFAULT),
        float(linear.get("stepPercent") or LINEAR_STEP_DEFAULT),
        _minutes(linear.get("stepBakeTimeInMinutes"), LINEAR_BAKE_DEFAULT),
    )


def _minutes(value: Any, default: float) -> float:
    if value is None or value == "":
        return default
    return float(value)


def _describe(term: str, s: _Inputs) -> str:
    return {
        "scheduler": "ECS scheduler reaction (assumptions.schedulerReactionSeconds)",
        "taskLaunch": f"task launch and image pull (assumptions.imageSizeMb, {_capacity(s)})",
        "appReady": "app start (assumptions.appReadySeconds)",
        "healthChecks": f"target group health check {s.healthy_threshold} x {s.interval:g} s"
        if s.has_target_group
        else "no load balancer: 40 s before a task counts as healthy",
        "deregistrationDelay": f"target group deregistrationDelay {s.deregistration_delay:g} s",
        "stop": f"container stopTimeout {s.stop_timeout:g} s (app assumed to ignore SIGTERM "
        "unless assumptions.appShutdownSeconds)",
        "trafficShift": "canary/linear traffic shift bake times",
        "bakeTime": "deploymentConfiguration.bakeTimeInMinutes",
    }.get(term, term)


def _capacity(s: _Inputs) -> str:
    if s.external:
        # A registered server starts containers like an EC2 container instance; its image
        # pull crosses the team's own uplink, which assumptions.imagePullMbPerSecond models.
        return "external instance, EC2-like start"
    return "Fargate" if s.fargate else "EC2"


def coherence(s: _Inputs, a: AssumptionsSpec, worst: float) -> list[str]:
    """Settings that contradict each other (issue 5: timing coherence)."""
    out = []
    longest = a.longest_request_seconds
    if s.has_target_group and longest is not None and s.deregistration_delay < longest:
        out.append(
            f"deregistrationDelay {s.deregistration_delay:g} s is shorter than the longest "
            f"request ({longest} s, assumptions.longestRequestSeconds): requests are cut off"
        )
    if s.has_target_group and not s.network_lb:
        limit = 2 * longest + 5 if longest is not None else DEFAULT_DEREGISTRATION_DELAY
        if s.deregistration_delay >= limit:
            why = (
                f"twice the longest request ({longest} s)"
                if longest is not None
                else "the AWS default that dominates deploys"
            )
            out.append(
                f"deregistrationDelay {s.deregistration_delay:g} s is longer than needed "
                f"({why}); every deploy waits for it"
            )
    if a.app_shutdown_seconds is not None and s.stop_timeout < a.app_shutdown_seconds:
        out.append(
            f"stopTimeout {s.stop_timeout:g} s is shorter than the app's drain on SIGTERM "
            f"({a.app_shutdown_seconds} s, assumptions.appShutdownSeconds): it is killed mid-drain"
        )
    if s.has_target_group and s.grace_period is not None:
        start = max(float(a.app_ready_seconds), s.container_start_period or 0.0)
        if s.grace_period < start:
            out.append(
                f"healthCheckGracePeriodSeconds {s.grace_period:g} is shorter than the "
                f"container's start ({start:g} s): ECS may kill tasks that are still starting"
            )
    for op in ("create", "update"):
        limit_s = _duration(s.timeouts.get(op))
        if limit_s is not None and limit_s < worst:
            out.append(
                f"customTimeouts.{op} {s.timeouts[op]} is shorter than the modelled worst-case "
                f"deployment ({worst / 60:.1f} min): Pulumi gives up while ECS is still rolling"
            )
    if not s.timeouts and worst > PROVIDER_TIMEOUT_SECONDS:
        out.append(
            f"the modelled worst-case deployment ({worst / 60:.1f} min) exceeds the provider's "
            "20 min wait; set customTimeouts or shorten the settings above"
        )
    return out


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|m|s)")


def _duration(text: str | None) -> float | None:
    """Go duration ("10m", "1h30m", "90s") in seconds."""
    if not text:
        return None
    parts = _DURATION.findall(text)
    if not parts:
        return None
    return sum(float(v) * {"h": 3600, "m": 60, "s": 1}[u] for v, u in parts)


# -- fresh stack ---------------------------------------------------------------------------------


def create_seconds(r: Captured) -> float:
    if not r.custom:
        return 0.0
    if (
        r.type == "aws:ec2/vpcEndpoint:VpcEndpoint"
        and r.inputs.get("vpcEndpointType") != "Interface"
    ):
        return 5.0  # [est] gateway endpoints are route-table entries
    return float(CREATE_SECONDS.get(r.type, OTHER_CREATE_SECONDS))


def critical_path(graph: Graph) -> tuple[float, list[tuple[Captured, float]]]:
    """Longest creation path; a dependency on a component waits for all its descendants."""
    children: dict[str, list[str]] = {}
    for r in graph.resources:
        if r.parent:
            children.setdefault(r.parent, []).append(r.urn)

    def expand(urn: str) -> list[str]:
        r = graph.by_urn.get(urn)
        if r is None:
            return []
        if r.custom:
            return [urn]
        return [u for c in children.get(urn, []) for u in expand(c)]

    finish: dict[str, float] = {}
    best_pred: dict[str, str | None] = {}
    visiting: set[str] = set()

    def done(urn: str) -> float:
        if urn in finish:
            return finish[urn]
        if urn in visiting:  # a cycle cannot be planned; treat the back edge as absent
            return 0.0
        visiting.add(urn)
        r = graph.by_urn[urn]
        preds = {p for d in r.dependencies for p in expand(d) if p != urn}
        start, pred = 0.0, None
        for p in sorted(preds):
            t = done(p)
            if t > start:
                start, pred = t, p
        visiting.discard(urn)
        finish[urn] = start + create_seconds(r)
        best_pred[urn] = pred
        return finish[urn]

    custom = [r.urn for r in graph.resources if r.custom]
    if not custom:
        return 0.0, []
    end = max(custom, key=lambda u: (done(u), u))
    path: list[tuple[Captured, float]] = []
    cursor: str | None = end
    while cursor is not None:
        r = graph.by_urn[cursor]
        path.append((r, create_seconds(r)))
        cursor = best_pred.get(cursor)
    return finish[end], list(reversed(path))


# -- human report ------------------------------------------------------------------------------


def render(report: DeployReport, label: Callable[[str], str] | None = None) -> list[str]:
    """`label(urn)` names a resource (offline/report.py adds its type where names repeat)."""
    lines = ["Deployment time (modelled; reference/deploy-time-and-cost.md sections 1 and 3):"]
    for s in report.services:
        lines.append(
            f"  {s.name:<12} {s.minutes:5.1f} min {s.strategy.lower()}, {s.waves} wave(s), "
            f"new task {s.new_task_seconds:.0f} s, old task {s.old_task_seconds:.0f} s "
            f"(worst case {s.worst_case_seconds / 60:.1f} min); dominated by {s.dominant}"
        )
    name = label or (lambda urn: urn.rsplit("::", 1)[-1])
    path = " -> ".join(f"{name(r.urn)} {seconds:g}s" for r, seconds in report.critical_path)
    lines.append(f"  fresh stack {report.fresh_stack_seconds / 60:.1f} min: {path}")
    for warning in report.warnings:
        lines.append(f"  warning: {warning}")
    return lines
