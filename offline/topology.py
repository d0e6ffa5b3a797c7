"""Links between planned resources, followed by the cost and deploy-time models.

A plan is a flat list of captured resources. The models need a service's task definition,
target groups, load balancer, autoscaling target and capacity strategy; they find them through
`dependencies` (the URNs whose outputs flowed into a resource) and `parent`, never through
mocked IDs or ARNs. Shapes follow the components' wiring: an ECS service depends on its task
definition and target group; a listener rule on its target group and listener; a listener on
its load balancer; a scaling target on its service; a scheduled action on its scaling target.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from components.specs.cluster import FARGATE_PROVIDERS

from .engine import Captured
from .schedule import Action, Weekly, weekly

SERVICE = "aws:ecs/service:Service"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
SCALING_TARGET = "aws:appautoscaling/target:Target"
SCHEDULED_ACTION = "aws:appautoscaling/scheduledAction:ScheduledAction"
CLUSTER = "aws:ecs/cluster:Cluster"
CLUSTER_CAPACITY = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
CAPACITY_PROVIDER = "aws:ecs/capacityProvider:CapacityProvider"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
INSTANCE = "aws:ec2/instance:Instance"  # a NAT instance
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
ACTIVATION = "aws:ssm/activation:Activation"  # ECS Anywhere


@dataclass(frozen=True)
class StrategyItem:
    provider: str  # FARGATE, FARGATE_SPOT, EC2 (an Auto Scaling group provider) or EXTERNAL
    base: int
    weight: int

    @property
    def fargate(self) -> bool:
        return self.provider in FARGATE_PROVIDERS


class Graph:
    """Index of a plan's resources by URN, with forward and reverse dependency lookups."""

    def __init__(self, resources: Iterable[Captured]) -> None:
        self.resources = list(resources)
        self.by_urn = {r.urn: r for r in self.resources}
        self._dependents: dict[str, list[Captured]] = {}
        for r in self.resources:
            for urn in set(r.dependencies):
                self._dependents.setdefault(urn, []).append(r)

    def of_type(self, type_: str) -> list[Captured]:
        return [r for r in self.resources if r.type == type_]

    def deps(self, r: Captured, type_: str) -> list[Captured]:
        found = (self.by_urn.get(u) for u in sorted(set(r.dependencies)))
        return [d for d in found if d is not None and d.type == type_]

    def dependents(self, r: Captured, type_: str) -> list[Captured]:
        return sorted(
            (d for d in self._dependents.get(r.urn, []) if d.type == type_), key=lambda d: d.urn
        )

    def display_name(self, r: Captured) -> str:
        """The component's name for a component's main child (`web` for `web-service`)."""
        parent = self.by_urn.get(r.parent or "")
        if parent is not None and not parent.custom:
            return parent.name
        return r.name


@dataclass
class ServiceView:
    """An ECS service with the resources that decide its cost and deployment time."""

    name: str
    service: Captured
    task_definition: Captured | None
    target_groups: list[Captured]
    load_balancers: list[Captured]
    scaling: Captured | None
    strategy: list[StrategyItem]
    strategy_source: str
    scheduled_actions: list[Captured] = field(default_factory=list)
    managed_instances: bool = False  # placed on an ECS Managed Instances capacity provider

    @property
    def desired_count(self) -> int:
        return int(self.service.inputs.get("desiredCount", 1))

    @property
    def count_range(self) -> tuple[int, int] | None:
        if self.scaling is None:
            return None
        inputs = self.scaling.inputs
        return int(inputs.get("minCapacity", 0)), int(inputs.get("maxCapacity", 0))

    def counts(self) -> tuple[float, float, float]:
        """Tasks priced: (baseline, low, high). Baseline is the desired count; with autoscaling
        low..high is the range; with weekly scheduled actions all three are week averages."""
        week = self.weekly()
        if week is not None:
            return week.baseline, week.low, week.high
        low, high = self.count_range or (self.desired_count, self.desired_count)
        return self.desired_count, low, high

    def weekly(self) -> Weekly | None:
        """Time-weighted counts under the scheduled actions (None: none, or not weekly)."""
        if self.count_range is None or not self.scheduled_actions:
            return None
        actions = []
        for action in self.scheduled_actions:
            target = action.inputs.get("scalableTargetAction") or {}
            actions.append(
                Action(
                    schedule=str(action.inputs.get("schedule", "")),
                    timezone=action.inputs.get("timezone"),
                    min_capacity=_int_or_none(target.get("minCapacity")),
                    max_capacity=_int_or_none(target.get("maxCapacity")),
                )
            )
        return weekly(self.desired_count, *self.count_range, actions)

    @cached_property
    def containers(self) -> list[dict[str, Any]]:
        """The task definition's container definitions, parsed once (read-only by callers)."""
        if self.task_definition is None:
            return []
        raw = self.task_definition.inputs.get("containerDefinitions", "[]")
        return json.loads(raw) if isinstance(raw, str) else list(raw)

    @property
    def fargate(self) -> bool:
        return all(item.fargate for item in self.strategy)

    @property
    def external(self) -> bool:
        """Launch type EXTERNAL: the team's own servers (ECS Anywhere)."""
        return self.service.inputs.get("launchType") == "EXTERNAL"


def services(graph: Graph) -> list[ServiceView]:
    return [service_view(graph, s) for s in sorted(graph.of_type(SERVICE), key=lambda r: r.urn)]


def service_view(graph: Graph, service: Captured) -> ServiceView:
    task_defs = graph.deps(service, TASK_DEFINITION)
    target_groups = graph.deps(service, TARGET_GROUP)
    lbs: dict[str, Captured] = {}
    for tg in target_groups:
        listeners = graph.dependents(tg, LISTENER)  # NLB: the service's own listener
        for rule in graph.dependents(tg, LISTENER_RULE):  # ALB: a rule on the shared listener
            listeners += graph.deps(rule, LISTENER)
        for listener in listeners:
            lbs.update((lb.urn, lb) for lb in graph.deps(listener, LOAD_BALANCER))
    scaling = graph.dependents(service, SCALING_TARGET)
    scheduled = graph.dependents(scaling[0], SCHEDULED_ACTION) if scaling else []
    strategy, source = _strategy(graph, service)
    return ServiceView(
        name=graph.display_name(service),
        service=service,
        task_definition=task_defs[0] if task_defs else None,
        target_groups=target_groups,
        load_balancers=list(lbs.values()),
        scaling=scaling[0] if scaling else None,
        strategy=strategy,
        strategy_source=source,
        scheduled_actions=sorted(scheduled, key=lambda r: r.urn),
        managed_instances=not all(i.fargate for i in strategy)
        and _on_managed_instances(graph, service),
    )


def _on_managed_instances(graph: Graph, service: Captured) -> bool:
    """Its own strategy, or the cluster default, names a Managed Instances provider."""
    sources = [service, *graph.deps(service, CLUSTER_CAPACITY)]
    return any(
        p.inputs.get("managedInstancesProvider")
        for source in sources
        for p in graph.deps(source, CAPACITY_PROVIDER)
    )


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def strategy_items(raw: list[dict[str, Any]]) -> list[StrategyItem]:
    # An EC2 provider's name is computed by AWS (here: by the mock), so it is read as "EC2".
    return [
        StrategyItem(
            provider=p if (p := str(i.get("capacityProvider", ""))) in FARGATE_PROVIDERS else "EC2",
            base=int(i.get("base", 0) or 0),
            weight=int(i.get("weight", 0) or 0),
        )
        for i in raw
    ]


def _strategy(graph: Graph, service: Captured) -> tuple[list[StrategyItem], str]:
    """The strategy ECS applies: the service's own, its launch type, or the cluster default."""
    own = service.inputs.get("capacityProviderStrategies") or []
    if own:
        return strategy_items(own), "service"
    launch_type = service.inputs.get("launchType")
    if launch_type:
        return [StrategyItem(str(launch_type), 0, 1)], f"launchType {launch_type}"
    capacity = graph.deps(service, CLUSTER_CAPACITY) or graph.of_type(CLUSTER_CAPACITY)
    if len(capacity) == 1:
        default = capacity[0].inputs.get("defaultCapacityProviderStrategies") or []
        if default:
            return strategy_items(default), "cluster default"
    # CreateService with neither a strategy nor a cluster default uses launch type EC2; our
    # cluster always has a default, so this is only reached by hand-built plans.
    return [StrategyItem("EC2", 0, 1)], "no strategy (ECS default launch type EC2)"


def split_tasks(strategy: list[StrategyItem], tasks: float) -> dict[str, float]:
    """Expected tasks per provider: the base first, the rest shared by weight (ECS's rule)."""
    out = {item.provider: 0.0 for item in strategy}
    rest = float(tasks)
    for item in strategy:
        if item.base > 0:
            placed = min(float(item.base), rest)
            out[item.provider] += placed
            rest -= placed
    total = sum(item.weight for item in strategy)
    if total > 0 and rest > 0:
        for item in strategy:
            out[item.provider] += rest * item.weight / total
    return out
