"""Service spec: one ECS service (Fargate, EC2 or ECS Anywhere) and what is derived for it.

`ServiceSpec` is one entry of `ecs-platform:services`: the app container (container.py) with its
sidecars and volumes, routing (routing.py), task role (task_role.py) and operations
(operations.py), and the rules across them. `ServicePlacement` holds the plain values the config
layer derives for one service from the whole stack config.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .cluster import CapacityProviderItem, Strategy
from .common import LogRetentionDays, Port, Spec, SpecError
from .container import (
    ContainerName,
    ContainerSpec,
    EfsVolumeSpec,
    SidecarSpec,
    check_task_containers,
    check_volume_names,
)
from .image import BuildSpec, app_image_field, build_field, check_image_source
from .operations import AlarmsSpec, AutoscalingSpec, DeploymentSpec, ServiceConnectSpec
from .routing import ServiceLoadBalancerSpec, check_strategy_routing
from .task_role import TaskRoleSpec


class ServiceSpec(ContainerSpec):
    """One entry of `ecs-platform:services`: the app container plus everything around it."""

    image: str | None = app_image_field()  # type: ignore[assignment]
    build: BuildSpec | None = build_field()
    container_port: Port | None = Field(
        None,
        description="Port the app listens on; needed for a load balancer. The app "
        'container is named "app" (use that name in dependsOn).',
    )
    cpu: int | None = Field(
        None,
        description="Task cpu units (Fargate: 256, 512, 1024, ...). Omit to get the cheapest "
        "Fargate size that fits the containers.",
    )
    memory: int | None = Field(
        None, ge=6, description="Task memory in MiB (Fargate pairs with cpu)."
    )
    container_cpu: int | None = Field(None, ge=0, le=16384, description="App container cpu.")
    container_memory: int | None = Field(None, ge=6, description="App container memory (MiB).")
    desired_count: int = Field(1, ge=0, le=5000, description="Tasks to run (without autoscaling).")
    cpu_architecture: Literal["X86_64", "ARM64"] = Field(
        "X86_64", description="ARM64 (Graviton) is about 20% cheaper on Fargate."
    )
    capacity_providers: Strategy | None = Field(
        None, description="Capacity provider strategy; default: the cluster's."
    )
    launch_type: Literal["EXTERNAL"] | None = Field(
        None,
        description="EXTERNAL: run on the servers registered through cluster.external (ECS "
        "Anywhere). Fargate and EC2 placement come from capacityProviders instead.",
    )
    network_mode: Literal["bridge", "host"] | None = Field(
        None,
        description="EXTERNAL services only (external instances have no awsvpc): bridge "
        "(default; ports published on the server) or host.",
    )
    ephemeral_storage_gib: int | None = Field(
        None, ge=21, le=200, description="Fargate ephemeral storage above the included 20 GiB."
    )
    load_balancer: ServiceLoadBalancerSpec | None = None
    assign_public_ip: bool = Field(
        False,
        description="Run tasks in public subnets with public IPs (only for NAT-less dev "
        "networks; Security Hub ECS.2).",
    )
    sidecars: dict[ContainerName, SidecarSpec] = Field(default_factory=dict)
    efs_volumes: list[EfsVolumeSpec] = Field(default_factory=list)
    writable_paths: list[Annotated[str, Field(pattern=r"^/\S*$")]] = Field(
        default_factory=list,
        description="Empty task volumes mounted here so a read-only root filesystem still has "
        "scratch space (e.g. /tmp).",
    )
    stop_timeout_seconds: int = Field(
        30,
        ge=2,
        le=120,
        description="SIGTERM-to-SIGKILL wait; the app should exit on SIGTERM well before it.",
    )
    health_check_grace_period_seconds: int = Field(
        60,
        ge=0,
        le=2_147_483_647,
        description="Ignore load balancer health checks this long after a task starts "
        "(covers cold start; does not slow a healthy deployment).",
    )
    min_healthy_percent: int = Field(
        100, ge=0, le=100, description="Never below desired count during a deployment."
    )
    max_percent: int = Field(
        200, ge=100, le=400, description="200: the whole new set starts in one wave."
    )
    log_retention_days: LogRetentionDays = Field(
        30, description="Retention of the service's log group."
    )
    task_role: TaskRoleSpec = Field(
        default_factory=TaskRoleSpec,  # type: ignore[arg-type]
        description="Permissions of the application (none unless granted here).",
    )
    autoscaling: AutoscalingSpec | None = Field(
        None,
        description="Scale the task count between minCount and maxCount; desiredCount is then "
        "only the initial count and `pulumi up` keeps the live count.",
    )
    deployment: DeploymentSpec = Field(
        default_factory=DeploymentSpec,  # type: ignore[arg-type]
        description="Deployment strategy (ROLLING, BLUE_GREEN, CANARY, LINEAR) and safety.",
    )
    alarms: AlarmsSpec = Field(
        default_factory=AlarmsSpec,  # type: ignore[arg-type]
        description="Golden-signal alarms; the 5xx, latency and unhealthy-target alarms also "
        "roll back a deployment.",
    )
    service_connect: ServiceConnectSpec | None = Field(
        None, description="Reach and be reached by other services by name (Service Connect)."
    )
    execute_command: bool = Field(
        False,
        description="ECS Exec into the tasks (sessions logged, encrypted); the task role gets "
        "only the ssmmessages permissions it needs. Refused in prod by policy.",
    )

    @model_validator(mode="after")
    def _service(self) -> ServiceSpec:
        check_image_source(self.image, self.build)
        if self.load_balancer is not None and self.container_port is None:
            raise SpecError("containerPort", "required with loadBalancer")
        check_task_containers(self, self.container_port, self.sidecars)
        check_strategy_routing(self.deployment.strategy, self.load_balancer)
        _check_service_connect(self.service_connect, self.container_port, self.ports)
        _check_scaling_schedules(self.autoscaling)
        if self.launch_type == "EXTERNAL":
            _check_external(self)
        elif self.network_mode is not None:
            raise SpecError(
                "networkMode",
                f"{self.network_mode} is only for launchType EXTERNAL; Fargate and EC2 tasks "
                "use awsvpc",
            )
        check_volume_names(self.efs_volumes)
        return self

    @property
    def waits_for_steady_state(self) -> bool:
        """`pulumi up` waits for the deployment unless told otherwise; an EXTERNAL service only
        when asked (a new stack has no servers until someone runs the registration command)."""
        if self.launch_type == "EXTERNAL":
            deployment = self.deployment
            return deployment.wait_for_steady_state and (
                "wait_for_steady_state" in deployment.model_fields_set
            )
        return self.deployment.wait_for_steady_state

    @property
    def initial_count(self) -> int:
        """desiredCount, kept within the autoscaling range (it is only the initial count then)."""
        if self.autoscaling is None:
            return self.desired_count
        return min(max(self.desired_count, self.autoscaling.min_count), self.autoscaling.max_count)


def _check_service_connect(
    connect: ServiceConnectSpec | None, container_port: int | None, ports: list[int]
) -> None:
    """An exposed Service Connect port is a named port of the task definition."""
    if connect is not None and connect.expose:
        if container_port is None:
            raise SpecError(
                ("serviceConnect", "expose"),
                "needs containerPort (or set expose: false for a client-only service)",
            )
        names = ["http", *(f"port-{p}" for p in ports)]
        if connect.port_name not in names:
            raise SpecError(
                ("serviceConnect", "portName"),
                f"{connect.port_name!r} is not a named port of the task definition; use one "
                "of " + ", ".join(names),
            )


def _check_scaling_schedules(scaling: AutoscalingSpec | None) -> None:
    """A scheduled scaling window stays within the service's own maxCount."""
    if scaling is not None:
        for i, window in enumerate(scaling.schedules):
            if window.max_count > scaling.max_count:
                raise SpecError(
                    ("autoscaling", "schedules", i, "maxCount"),
                    f"{window.max_count} is above autoscaling.maxCount {scaling.max_count}",
                )


def _check_external(spec: ServiceSpec) -> None:
    """What ECS Anywhere does not support (AWS: "External instances", Considerations)."""
    why = "on external instances (ECS Anywhere)"
    unsupported: list[tuple[str, bool, str]] = [
        ("capacityProviders", spec.capacity_providers is not None,
         "capacity providers are not supported " + why + "; launchType EXTERNAL places "
         "the tasks"),
        ("loadBalancer", spec.load_balancer is not None,
         "Elastic Load Balancing is not supported " + why + "; publish the port on the "
         "servers (networkMode bridge or host)"),
        ("serviceConnect", spec.service_connect is not None,
         "Service Connect and service discovery are not supported " + why),
        ("assignPublicIp", spec.assign_public_ip,
         "tasks use the servers' own network " + why + " (no awsvpc, no task IP); "
         "remove assignPublicIp"),
        ("ephemeralStorageGib", spec.ephemeral_storage_gib is not None,
         "ephemeral storage is a Fargate setting; tasks use the servers' disks"),
        ("efsVolumes", bool(spec.efs_volumes),
         "Amazon EFS volumes are not supported " + why),
        ("cpuArchitecture", "cpu_architecture" in spec.model_fields_set,
         "the registered servers' architecture decides (x86_64 and ARM64 both work); "
         "remove cpuArchitecture"),
    ]  # fmt: skip
    for key, present, message in unsupported:
        if present:
            raise SpecError(key, message)


class ServicePlacement(Spec):
    """Plain values derived for one service from the whole stack config (see StackConfig)."""

    task_cpu: int
    task_memory: int
    on_ec2: bool
    compatibility: Literal["FARGATE", "EC2", "MANAGED_INSTANCES", "EXTERNAL"] = "FARGATE"
    strategy: list[CapacityProviderItem]
    rule_priority: int | None
    test_rule_priority: int | None = None
    vpc_cidr: str | None = None
    container_insights: bool = False
    alarm_actions: list[str] = []
    region: str
    # How the task ENI is addressed: network.ipv6.tasks, or ipv4 (no network.ipv6, or EXTERNAL).
    task_addressing: Literal["ipv4", "dual-stack", "ipv6-only"] = "ipv4"
    trusted_registries: list[str] = []

    @property
    def ipv6_only(self) -> bool:
        return self.task_addressing == "ipv6-only"

    @property
    def external(self) -> bool:
        """ECS Anywhere: the team's own servers, no awsvpc (no task ENI or security group)."""
        return self.compatibility == "EXTERNAL"
