"""The stack's workloads as the comparison sees them: one entry per ECS service, queue worker and
scheduled task, read from the validated stack config and the planned ECS services.

Sizes are the ECS task's (configured or the cheapest Fargate fit, `StackConfig.task_size`); a
pod requests exactly that: each sidecar its own cpu/memory, the app container what is left.
Counts are the ECS plan's (`offline/topology.py`: desired count, autoscaling range, weekly
scheduled averages) so both sides price the same number of copies; the Spot share follows the
ECS capacity provider strategy (base first, then weights).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from components.config import StackConfig
from components.specs.container import APP_CONTAINER, ContainerSpec
from components.specs.load_balancer import LoadBalancerSpec
from components.specs.service import ServicePlacement, ServiceSpec
from components.specs.workloads import ScheduledTaskSpec, WorkerSpec

from ..engine import Plan
from ..topology import Graph, StrategyItem, services, split_tasks

Kind = Literal["service", "worker", "scheduled"]
SPOT_PROVIDERS = ("FARGATE_SPOT",)


def cpu_milli(units: int) -> int:
    """ECS cpu units (1024 per vCPU) as Kubernetes millicores."""
    return round(units * 1000 / 1024)


@dataclass(frozen=True)
class Container:
    name: str
    spec: ContainerSpec
    cpu_milli: int  # 0: no CPU request or limit (an ECS sidecar without cpu shares the task's)
    memory_mib: int  # 0: no memory request or limit


@dataclass(frozen=True)
class Workload:
    name: str
    kind: Kind
    spec: ServiceSpec
    task_cpu: int  # ECS cpu units
    task_memory: int  # MiB
    counts: tuple[float, float, float]  # baseline, low, high copies (the ECS plan's)
    replicas: int  # the initial count the ECS service is created with
    spot_share: float  # fraction of the copies ECS places on Spot
    load_balancer_name: str | None = None
    load_balancer: LoadBalancerSpec | None = None
    rule_priority: int | None = None
    scheduled: ScheduledTaskSpec | None = None
    worker: WorkerSpec | None = None
    containers: list[Container] = field(default_factory=list)

    @property
    def arch(self) -> str:
        return self.spec.cpu_architecture

    @property
    def external(self) -> bool:
        return self.spec.launch_type == "EXTERNAL"

    @property
    def network_lb(self) -> bool:
        return self.load_balancer is not None and self.load_balancer.type == "network"

    @property
    def request_milli(self) -> int:
        return sum(c.cpu_milli for c in self.containers)

    @property
    def request_mib(self) -> int:
        return sum(c.memory_mib for c in self.containers)


def containers(spec: ServiceSpec, task_cpu: int, task_memory: int) -> list[Container]:
    """The pod's containers with the share of the task each requests."""
    sidecars = [
        Container(
            name,
            side,
            cpu_milli(side.cpu or 0),
            side.memory or side.memory_reservation or 0,
        )
        for name, side in spec.sidecars.items()
    ]
    app = Container(
        APP_CONTAINER,
        spec,
        cpu_milli(task_cpu) - sum(c.cpu_milli for c in sidecars),
        task_memory - sum(c.memory_mib for c in sidecars),
    )
    return [app, *sidecars]


def _strategy(config: StackConfig, spec: ServiceSpec) -> list[StrategyItem]:
    return [StrategyItem(i.provider, i.base, i.weight) for i in config.strategy(spec)]


def spot_share(config: StackConfig, spec: ServiceSpec, copies: int) -> float:
    """Fraction of `copies` ECS puts on Spot: FARGATE_SPOT, or Managed Instances on Spot."""
    strategy = _strategy(config, spec)
    if not strategy or copies <= 0:
        return 0.0
    shares = split_tasks(strategy, copies)
    spot = sum(n for p, n in shares.items() if p in SPOT_PROVIDERS)
    managed = config.cluster.managed_instances
    if managed is not None and managed.capacity_option_type == "SPOT":
        spot += shares.get("MANAGED_INSTANCES", 0.0)
    return spot / copies


def _workload(
    config: StackConfig,
    name: str,
    kind: Kind,
    spec: ServiceSpec,
    place: ServicePlacement,
    counts: tuple[float, float, float],
    replicas: int,
    **extra: Any,
) -> Workload:
    """One workload sized like its ECS task, with the Spot share of its first copies."""
    return Workload(
        name=name,
        kind=kind,
        spec=spec,
        task_cpu=place.task_cpu,
        task_memory=place.task_memory,
        counts=counts,
        replicas=replicas,
        spot_share=0.0 if kind == "scheduled" else spot_share(config, spec, max(replicas, 1)),
        containers=containers(spec, place.task_cpu, place.task_memory),
        **extra,
    )


def collect(plan: Plan) -> list[Workload]:
    """Services, workers and scheduled tasks of the plan, in the config's order."""
    config = plan.config
    views = {v.name: v for v in services(Graph(plan.resources))}
    out: list[Workload] = []
    for name, spec in config.services.items():
        place = config.placement(name)
        view = views.get(name)
        copies = float(spec.initial_count)
        counts = view.counts() if view else (copies, copies, copies)
        lb = spec.load_balancer
        out.append(
            _workload(
                config, name, "service", spec, place, counts, spec.initial_count,
                load_balancer_name=lb.name if lb else None,
                load_balancer=config.load_balancer(lb.name) if lb else None,
                rule_priority=place.rule_priority,
            )
        )  # fmt: skip
    for name, worker in config.workers.items():
        view = views.get(name)
        low, high = worker.scaling.min_count, worker.scaling.max_count
        counts = view.counts() if view else (float(low), float(low), float(high))
        place = config.task_placement(worker)
        spec = worker.service_spec()
        out.append(_workload(config, name, "worker", spec, place, counts, low, worker=worker))
    for name, task in config.scheduled_tasks.items():
        place = config.task_placement(task)
        # not priced on either side (docs/eks-comparison.md)
        out.append(
            _workload(
                config, name, "scheduled", task.service_spec(), place, (0.0, 0.0, 0.0),
                task.task_count, scheduled=task,
            )
        )  # fmt: skip
    return out
