"""The stack model: `StackConfig`, every `ecs-platform:*` key of a stack file as one typed object.

Field names are the keys after `ecs-platform:` (camelCase aliases); each field says what it is
and its default, and the JSON Schema and docs/config-reference.md are generated from them. Once
every section has validated, the cross-key rules run (`rules.check`). A few derived views serve
the components: a workload's capacity strategy, launch compatibility and task size (here), its
placement and a load balancer's clients (`placement`), listener rule priorities (`priorities`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from ..specs.assumptions import AssumptionsSpec
from ..specs.cluster import CapacityProviderItem, ClusterSpec
from ..specs.common import ResourceKey, Spec
from ..specs.defaults import with_default_load_balancer
from ..specs.fargate import smallest_fit
from ..specs.image import ImagesSpec
from ..specs.load_balancer import LoadBalancerSpec
from ..specs.network import NetworkSpec
from ..specs.operations import ObservabilitySpec
from ..specs.platform import PlatformSpec, StackKind, TeamGrantSpec, check_team_name
from ..specs.policy_level import PolicyLevel, PolicyLevelSetting, resolve
from ..specs.protection import ProtectionSpec
from ..specs.service import ServicePlacement, ServiceSpec
from ..specs.workloads import ScheduledTaskSpec, TaskSpec, WorkerSpec
from . import placement, priorities, rules


class StackConfig(Spec):
    """Everything a stack is built from. Field names are the keys after `ecs-platform:`."""

    region: str = Field(description="aws:region", exclude=True)
    stack: str = Field(description="Stack name (from the file name / pulumi stack).", exclude=True)
    network: NetworkSpec = Field(
        default_factory=NetworkSpec,  # type: ignore[arg-type]
        description="VPC and subnets, or an existing VPC (default: a new 10.0.0.0/16 VPC in 2 "
        "AZs with one NAT gateway).",
    )
    cluster: ClusterSpec = Field(
        default_factory=ClusterSpec,  # type: ignore[arg-type]
        description="ECS cluster, capacity providers, Service Connect namespace.",
    )
    load_balancers: dict[ResourceKey, LoadBalancerSpec] = Field(
        default_factory=dict,
        description="Load balancers by name; services attach by name. When none is listed, a "
        "service with a containerPort and no loadBalancer gets an internet-facing ALB named "
        "public (HTTP without a certificateArn).",
    )
    services: dict[ResourceKey, ServiceSpec] = Field(
        default_factory=dict, description="ECS services by name."
    )
    observability: ObservabilitySpec = Field(
        default_factory=ObservabilitySpec,  # type: ignore[arg-type]
        description="Alarm notifications and the stack's CloudWatch dashboard.",
    )
    scheduled_tasks: dict[ResourceKey, ScheduledTaskSpec] = Field(
        default_factory=dict, description="Tasks started by EventBridge Scheduler, by name."
    )
    workers: dict[ResourceKey, WorkerSpec] = Field(
        default_factory=dict,
        description="Queue workers (SQS consumers, no load balancer), by name.",
    )
    assumptions: AssumptionsSpec = Field(
        default_factory=AssumptionsSpec,  # type: ignore[arg-type]
        description="Usage and timing figures for the offline plan's cost and deploy-time "
        "models (traffic, log volume, app start and stop); they change no resource.",
    )
    protection: ProtectionSpec = Field(
        default_factory=ProtectionSpec,  # type: ignore[arg-type]
        description="protect / retainOnDelete for stateful resources (prod: both true).",
    )
    policy_level: PolicyLevelSetting = Field(
        "auto",
        description="Which environment's policy levels the stack is held to: dev, staging or "
        "prod. auto (the default) takes it from the stack name: prod, production, prd or live "
        "in the name is prod; staging, stage, stg, preprod or uat is staging; any other name "
        "is dev.",
    )
    images: ImagesSpec = Field(
        default_factory=ImagesSpec,  # type: ignore[arg-type]
        description="Where images may come from (trusted registries).",
    )
    stack_kind: StackKind = Field(
        "single",
        description="single (default: network, cluster, load balancers and every workload in "
        "one stack), platform (the shared parts and the teams' grants; no workloads) or "
        "service (one team's workloads on a platform stack's cluster and load balancers).",
    )
    teams: dict[Annotated[str, AfterValidator(check_team_name)], TeamGrantSpec] = Field(
        default_factory=dict,
        description="Platform stacks: what each team's service stacks may put on the load "
        'balancers, by team name; "*" is the grant of every team without one of its own '
        "({team} in its hosts and paths becomes the team's name).",
    )
    team: ResourceKey | None = Field(
        None, description="Service stacks: the team the stack belongs to (default: the stack name)."
    )
    platform: PlatformSpec | None = Field(
        None,
        description="Service stacks: the platform stack ({stack: platform-dev}) or the existing "
        "cluster, VPC, subnets and ALB listener by ID (brownfield).",
    )
    # Set for a service stack once its platform is known (ownership.resolve): the team's grant,
    # the platform's load balancers and the VPC's CIDR, when the platform's stack file is read.
    grant: TeamGrantSpec | None = Field(None, exclude=True, description="The team's grant.")
    platform_load_balancers: dict[str, LoadBalancerSpec] | None = Field(
        None, exclude=True, description="The platform stack's load balancers (when read)."
    )
    platform_vpc_cidr: str | None = Field(
        None, exclude=True, description="The platform's VPC CIDR (when known at parse time)."
    )

    @model_validator(mode="before")
    @classmethod
    def _defaults_across_sections(cls, data: Any) -> Any:
        if isinstance(data, dict):  # Pulumi.yaml's defaults ("" and {}) mean "not set"
            data = {k: v for k, v in data.items() if not (k in ("team", "platform") and not v)}
        if isinstance(data, dict) and data.get("stackKind", "single") != "single":
            return data  # no default ALB: a platform declares its own, a service uses its platform
        return with_default_load_balancer(data)

    @property
    def team_name(self) -> str:
        """A service stack's team: `team`, else the stack name."""
        return self.team or self.stack

    @property
    def policy_environment(self) -> tuple[PolicyLevel, str]:
        """(dev | staging | prod, why): the policy level and where it came from."""
        return resolve(self.policy_level, self.stack)

    @model_validator(mode="after")
    def _cross_key_rules(self) -> StackConfig:
        rules.check(self)
        return self

    # -- derived views used by components -------------------------------------------------

    def strategy(self, service: ServiceSpec) -> list[CapacityProviderItem]:
        if service.launch_type == "EXTERNAL":
            return []  # a launch type, not a capacity provider strategy
        return service.capacity_providers or self.cluster.capacity_providers

    def runs_on_ec2(self, service: ServiceSpec) -> bool:
        return any(item.provider == "EC2" for item in self.strategy(service))

    def compatibility(
        self, service: ServiceSpec
    ) -> Literal["FARGATE", "EC2", "MANAGED_INSTANCES", "EXTERNAL"]:
        """The task definition's launch compatibility: EXTERNAL, or from the capacity strategy."""
        if service.launch_type == "EXTERNAL":
            return "EXTERNAL"
        providers = {item.provider for item in self.strategy(service)}
        if "EC2" in providers:
            return "EC2"
        return "MANAGED_INSTANCES" if "MANAGED_INSTANCES" in providers else "FARGATE"

    def task_size(self, service: ServiceSpec) -> tuple[int, int]:
        """(cpu units, memory MiB) of the task: configured, or the cheapest Fargate fit."""
        if service.cpu is not None and service.memory is not None:
            return service.cpu, service.memory
        cpu_needed = (service.container_cpu or 0) + sum(
            s.cpu or 0 for s in service.sidecars.values()
        )
        mem_needed = (service.container_memory or 0) + sum(
            s.memory or s.memory_reservation or 0 for s in service.sidecars.values()
        )
        if service.cpu is not None:
            cpu_needed = service.cpu
        if service.memory is not None:
            mem_needed = service.memory
        return smallest_fit(cpu_needed, mem_needed)

    def placement(self, name: str) -> ServicePlacement:
        """What the components of service `name` read from the rest of the stack."""
        return placement.service_placement(self, name)

    def task_placement(self, task: TaskSpec) -> ServicePlacement:
        """Placement of a scheduled task or worker (sized and placed like a service)."""
        return placement.task_placement(self, task)

    @property
    def vpc_cidr(self) -> str | None:
        """The VPC's IPv4 CIDR: this stack's, or (a service stack) its platform's."""
        return self.platform_vpc_cidr if self.stack_kind == "service" else self.network.vpc_cidr

    def load_balancer(self, name: str) -> LoadBalancerSpec:
        """Load balancer `name`: this stack's, or (a service stack) its platform's."""
        own = self.load_balancers.get(name)
        return own if own is not None else (self.platform_load_balancers or {})[name]

    def client_cidrs(self, lb_name: str) -> list[str]:
        """Who may connect to a load balancer: configured, else the internet or the VPC."""
        return placement.client_cidrs(self, lb_name)

    def listener_rules(self, lb_name: str) -> dict[str, int]:
        """Service name -> ALB listener rule priority on `lb_name` (declared or derived)."""
        return priorities.listener_rules(self, lb_name)

    def test_listener_rules(self, lb_name: str) -> dict[str, int]:
        """Service name -> priority of its blue/green test rule (just ahead of its own rule)."""
        return priorities.test_listener_rules(self, lb_name)
