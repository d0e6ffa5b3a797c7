"""Deploy time on EKS: a Deployment's rolling update, and the first deploy of a fresh cluster.

Rolling update, per workload, from the same settings as the ECS model (offline/deploy.py) and
the same `ecs-platform:assumptions` (task launch overhead, image pull, app start, how many
health checks a new target needs, app shutdown):

    N     = replicas (the ECS initial count), S = ceil(N x (max% - 100) / 100) (maxSurge rounds
            up), U = floor(N x (100 - min%) / 100) (maxUnavailable rounds down)
    W     = ceil(N / (S + U)) waves
    T_new = scheduling + [node launch, when the surge does not fit the nodes' free room]
            + launch + image pull + app start + one readiness period
            + [ALB/NLB: controller registers the pod IP + target health checks + controller sets
               the pod readiness gate]
    T_old = preStop sleep (= deregistration delay; the load balancer drains meanwhile) + stop
    ready = W x T_new                       what `kubectl rollout status` waits for
    T     = W x T_new + T_old   (S > 0)     old pods gone; a terminating pod does not hold a
          | max(W x T_new, (W - 1) x T_new + T_old)   (S = 0)   surge slot (KEP-3973)

Fresh cluster: the network's critical path from the ECS plan (VPC to subnets, NAT, routes),
then the EKS control plane, then the Fargate profile or the node group, the AWS Load Balancer
Controller (IAM role and OIDC provider, Helm chart, its pods), then the ALB or NLB the
controller creates and the first pods turning healthy. Creation times are rain's historical
CloudFormation averages; the rest are stated estimates (offline/eks/data.yaml).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from components.specs.assumptions import AssumptionsSpec

from ..deploy import critical_path
from ..engine import Plan
from ..topology import Graph
from . import data, pod
from .capacity import Group, group_of
from .nodes import Pod, fits_somewhere, surge, unavailable
from .workloads import Workload

NETWORK_TYPES = {
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/eip:Eip",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/instance:Instance",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/route:Route",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/vpcEndpoint:VpcEndpoint",
}


@dataclass
class Rollout:
    name: str
    waves: int
    new_seconds: float
    old_seconds: float
    ready_seconds: float
    seconds: float
    terms: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "minutes": round(self.seconds / 60, 2),
            "rolloutStatusMinutes": round(self.ready_seconds / 60, 2),
            "waves": self.waves,
            "newPodSeconds": round(self.new_seconds, 1),
            "oldPodSeconds": round(self.old_seconds, 1),
            "terms": {k: round(v, 1) for k, v in self.terms.items()},
        }


def new_pod_terms(
    w: Workload, a: AssumptionsSpec, fargate: bool, node_launch: bool
) -> dict[str, float]:
    """Seconds from the Deployment creating a pod to the pod counting as available."""
    overhead = a.fargate_task_overhead_seconds if fargate else a.ec2_task_overhead_seconds
    terms = {
        "scheduling": data.estimate("podSchedulingSeconds").value,
        "nodeLaunch": data.estimate("nodeLaunchSeconds").value if node_launch else 0.0,
        "launch": float(overhead),
        "imagePull": a.image_size_mb / a.image_pull_mb_per_second,
        "appReady": float(a.app_ready_seconds),
    }
    app = w.containers[0]
    probe = pod.readiness(w, app.spec, True)
    terms["readinessProbe"] = float(probe["periodSeconds"]) if probe else 0.0
    lb = w.spec.load_balancer
    if lb is not None:
        reconcile = data.estimate("controllerReconcileSeconds").value
        checks = lb.health_check.healthy_threshold if (
            a.new_target_health_checks == "healthyThreshold") else 1  # fmt: skip
        terms["targetRegistration"] = reconcile
        terms["targetHealthChecks"] = float(checks * lb.health_check.interval_seconds)
        terms["readinessGate"] = reconcile
    return terms


def old_pod_terms(w: Workload, a: AssumptionsSpec) -> dict[str, float]:
    stop = float(w.spec.stop_timeout_seconds)
    if a.app_shutdown_seconds is not None:
        stop = min(stop, float(a.app_shutdown_seconds))
    return {"preStopDrain": float(pod.drain_seconds(w)), "stop": stop}


def rollout(
    w: Workload, a: AssumptionsSpec, fargate: bool, groups: list[Group] | None = None
) -> Rollout:
    n = w.replicas
    if n == 0:  # nothing to replace: the new template applies as pods start later
        return Rollout(w.name, 0, 0.0, 0.0, 0.0, 0.0)
    s = surge(n, w.spec.max_percent)
    u = unavailable(n, w.spec.min_healthy_percent)
    step = max(s + u, 1)
    waves = math.ceil(n / step)
    launch_node = False
    if not fargate and not w.external and groups is not None and s > 0:
        extra = [Pod(w.name, w.request_milli, w.request_mib)] * min(s, n)
        mine = group_of(w, groups)
        launch_node = not any(fits_somewhere(g.choice.nodes, extra) for g in mine)
    new = new_pod_terms(w, a, fargate, launch_node)
    old = old_pod_terms(w, a)
    t_new, t_old = sum(new.values()), sum(old.values())
    ready = waves * t_new
    seconds = ready + t_old if s > 0 else max(ready, (waves - 1) * t_new + t_old)
    return Rollout(w.name, waves, t_new, t_old, ready, seconds, {**new, **old})


@dataclass
class FreshStack:
    seconds: float
    path: list[tuple[str, float]]

    def to_json(self) -> dict[str, Any]:
        return {
            "minutes": round(self.seconds / 60, 2),
            "criticalPath": [{"step": s, "seconds": round(t, 1)} for s, t in self.path],
        }


def network_seconds(plan: Plan) -> float:
    """The ECS plan's critical path through its network resources only."""
    graph = Graph(r for r in plan.resources if r.type in NETWORK_TYPES)
    seconds, _ = critical_path(graph)
    return seconds


def fresh_stack(
    plan: Plan, workloads: list[Workload], a: AssumptionsSpec, fargate: bool
) -> FreshStack:
    c = data.create_seconds
    network = network_seconds(plan)
    first = max(network, c("iamRole").value)
    path = [("network (the ECS plan's VPC, subnets, NAT, routes)", network)]
    if c("iamRole").value > network:
        path = [("cluster IAM role", c("iamRole").value)]
    path.append(("EKS control plane", c("cluster").value))
    compute = c("fargateProfile").value if fargate else c("nodegroup").value
    path.append(("Fargate profile" if fargate else "managed node group", compute))
    ready = first + c("cluster").value + compute
    overhead = a.fargate_task_overhead_seconds if fargate else a.ec2_task_overhead_seconds
    controller_pod = overhead + a.image_size_mb / a.image_pull_mb_per_second
    controller = (
        c("oidcProvider").value + c("iamRole").value
        + data.estimate("helmInstallSeconds").value + controller_pod
    )  # fmt: skip
    balanced = [w for w in workloads if w.spec.load_balancer is not None and not w.external]
    lb_chain = (
        controller + c("loadBalancer").value + c("targetGroup").value
        + c("listener").value + c("listenerRule").value
    )  # fmt: skip
    pods = [w for w in workloads if w.kind != "scheduled" and not w.external and w.replicas > 0]
    finish = 0.0
    tail: list[tuple[str, float]] = []
    for w in pods:
        terms = new_pod_terms(w, a, fargate, node_launch=False)
        start = sum(v for k, v in terms.items() if k not in ("targetHealthChecks", "readinessGate"))
        if w in balanced:
            begin = max(start, lb_chain)
            end = begin + terms["targetHealthChecks"] + terms["readinessGate"]
            steps = [
                ("AWS Load Balancer Controller (IAM, chart, pods)", controller),
                ("load balancer, target group, listener and rule", lb_chain - controller),
                (f"{w.name}: target health checks and readiness gate",
                 terms["targetHealthChecks"] + terms["readinessGate"]),
            ] if lb_chain >= start else [
                (f"{w.name}: first pod ready", start),
                (f"{w.name}: target health checks and readiness gate",
                 terms["targetHealthChecks"] + terms["readinessGate"]),
            ]  # fmt: skip
        else:
            end, steps = start, [(f"{w.name}: first pod ready", start)]
        if end > finish:
            finish, tail = end, steps
    return FreshStack(ready + finish, path + tail)
