"""Service spec: one ECS service (Fargate or EC2) with its containers, routing and IAM grants."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from ..concepts import secrets, users
from .cluster import CapacityProviderItem, Strategy
from .common import (
    LogRetentionDays,
    Port,
    Spec,
    SpecError,
    check_command,
    check_plain_values,
    parse_arn,
)
from .image import BuildSpec, app_image_field, build_field, check_image_source
from .operations import AlarmsSpec, AutoscalingSpec, DeploymentSpec, ServiceConnectSpec

ENV_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
EnvName = Annotated[str, Field(pattern=ENV_NAME_PATTERN)]
# RegisterTaskDefinition: "Up to 255 letters (uppercase and lowercase), numbers, underscores,
# and hyphens are allowed" (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/
# API_ContainerDefinition.html). FireLens examples name their router `log_router`.
CONTAINER_NAME_PATTERN = r"^[A-Za-z0-9_-]{1,255}$"
ContainerName = Annotated[str, Field(pattern=CONTAINER_NAME_PATTERN)]
# A sidecar's port mappings are named `<container>-<port>`; a port mapping name takes "up to 64
# characters ... lowercase letters, numbers, underscores (_), and hyphens (-). The name can't
# start with a hyphen" (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/
# API_PortMapping.html).
PORT_NAME_PATTERN = re.compile(r"^[a-z0-9_][a-z0-9_-]{0,63}$")

FORBIDDEN_ENV = secrets.CREDENTIAL_NAMES

_SECRET_ARN = re.compile(
    r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+"
    r"(:[^:]*:[^:]*:[^:]*)?$"
)
_PARAMETER_ARN = re.compile(r"^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter/[A-Za-z0-9/_.-]+$")


def check_secret_ref(value: str) -> str:
    """A Secrets Manager ARN (optionally `:json-key:version-stage:version-id`) or SSM ARN."""
    if _SECRET_ARN.match(value) or _PARAMETER_ARN.match(value):
        return value
    raise ValueError(
        f"{value!r} is not a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:"
        "<account>:secret:<name>[:<json-key>::]) or an SSM parameter ARN "
        "(arn:aws:ssm:<region>:<account>:parameter/<name>)"
    )


def secret_resource_arn(value: str) -> str:
    """The IAM resource to grant for a secret reference (strips a JSON key / version suffix)."""
    m = _SECRET_ARN.match(value)
    if m and m.group(1):
        return value[: -len(m.group(1))]
    return value


class ContainerHealthCheck(Spec):
    """Docker health check run by the ECS agent (also used by the deployment circuit breaker)."""

    command: list[str] = Field(
        min_length=1,
        description='e.g. ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]',
    )
    interval_seconds: int = Field(10, ge=5, le=300)
    timeout_seconds: int = Field(5, ge=2, le=120)
    retries: int = Field(3, ge=1, le=10)
    start_period_seconds: int = Field(
        10, ge=0, le=300, description="Failures in this window do not count."
    )

    @field_validator("command")
    @classmethod
    def _command(cls, value: list[str]) -> list[str]:
        if value[0] not in ("CMD", "CMD-SHELL", "NONE"):
            raise ValueError(f"must start with CMD or CMD-SHELL, got {value[0]!r}")
        check_command(value)
        return value

    @model_validator(mode="after")
    def _timing(self) -> ContainerHealthCheck:
        if self.timeout_seconds >= self.interval_seconds:
            raise SpecError(
                "timeoutSeconds",
                f"{self.timeout_seconds} must be less than intervalSeconds {self.interval_seconds}",
            )
        return self


class DependsOn(Spec):
    """Start order: wait for another container of the task to reach a condition."""

    container: ContainerName
    condition: Literal["START", "COMPLETE", "SUCCESS", "HEALTHY"] = "START"


APP_CONTAINER = "app"


class ContainerSpec(Spec):
    """Fields shared by the app container and its sidecars."""

    image: str = Field(
        min_length=1,
        max_length=1024,
        pattern=r"^[^\s]+$",
        description="Image URI; pin a tag or digest (`pulumi config set --path "
        "services.<name>.image <uri>` from CI).",
    )
    ports: list[Port] = Field(default_factory=list, description="Container ports (TCP).")
    command: list[str] | None = None
    entry_point: list[str] | None = None
    environment: dict[EnvName, str] = Field(
        default_factory=dict, description="Plain values only; secrets go in `secrets`."
    )
    secrets: dict[EnvName, str] = Field(
        default_factory=dict,
        description="Env var name -> Secrets Manager or SSM parameter ARN, read at task start "
        "by the execution role (which may read exactly these ARNs).",
    )
    health_check: ContainerHealthCheck | None = None
    depends_on: list[DependsOn] = Field(default_factory=list)
    essential: bool = True
    readonly_root_filesystem: bool = Field(
        False, description="Mount the root filesystem read-only (Security Hub ECS.5)."
    )
    user: str | int | None = Field(
        None,
        description='Run as this user: a uid (1000), a name, or user:group ("1000:1000", '
        '"app:app"); never root or uid 0 (Security Hub ECS.20).',
    )
    working_directory: str | None = None

    @field_validator("secrets")
    @classmethod
    def _secret_refs(cls, value: dict[str, str]) -> dict[str, str]:
        for name, ref in value.items():
            try:
                check_secret_ref(ref)
            except ValueError as exc:
                raise SpecError(name, str(exc)) from None
        return value

    @field_validator("environment")
    @classmethod
    def _no_credentials(cls, value: dict[str, str]) -> dict[str, str]:
        return check_plain_values(value, "environment")

    @field_validator("command", "entry_point")
    @classmethod
    def _no_secret_arguments(cls, value: list[str] | None) -> list[str] | None:
        return check_command(value)

    @field_validator("user")
    @classmethod
    def _user(cls, value: str | int | None) -> str | None:
        return None if value is None else users.normalise_user(value)

    @model_validator(mode="after")
    def _container(self) -> ContainerSpec:
        both = sorted(set(self.environment) & set(self.secrets))
        if both:
            raise SpecError(("secrets", both[0]), "also set in environment; keep one")
        dupes = sorted({p for p in self.ports if self.ports.count(p) > 1})
        if dupes:
            raise SpecError("ports", f"{dupes[0]} listed more than once")
        return self


class SidecarSpec(ContainerSpec):
    """A sidecar container (log router, proxy, agent) in the service's task."""

    cpu: int | None = Field(None, ge=0, le=16384, description="Container cpu units.")
    memory: int | None = Field(None, ge=6, description="Hard memory limit in MiB.")
    memory_reservation: int | None = Field(None, ge=6, description="Soft memory limit in MiB.")

    @model_validator(mode="after")
    def _limits(self) -> SidecarSpec:
        limit, soft = self.memory, self.memory_reservation
        if limit is not None and soft is not None and soft > limit:
            raise SpecError("memoryReservation", f"{soft} is above memory {limit}")
        return self


class TargetGroupHealthCheckSpec(Spec):
    """Load balancer health check; defaults favour fast, safe deployments."""

    path: str = Field("/", pattern=r"^/[^\s]*$", description="HTTP path (ALB).")
    matcher: str = Field(
        "200-399", pattern=r"^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$", description="HTTP codes."
    )
    interval_seconds: int = Field(
        5, ge=5, le=300, description="5 s (AWS default 30): a new task turns healthy in seconds."
    )
    timeout_seconds: int = Field(
        4, ge=2, le=120, description="Must be below the interval; 4 s suits a 5 s interval."
    )
    healthy_threshold: int = Field(
        2, ge=2, le=10, description="2 checks (AWS default 5) to mark a target healthy."
    )
    unhealthy_threshold: int = Field(
        2, ge=2, le=10, description="2 failed checks take a target out of rotation."
    )

    @field_validator("matcher")
    @classmethod
    def _codes(cls, value: str) -> str:
        # Matcher.HttpCode: "For Application Load Balancers, you can specify values between 200
        # and 499" (the NLB health checks here are TCP, without a matcher).
        # https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Matcher.html
        for part in value.split(","):
            low, _, high = part.partition("-")
            if not (200 <= int(low) <= int(high or low) <= 499):
                raise ValueError(
                    f"{value!r}: application load balancer health check codes are 200 to 499 "
                    "(single codes, ranges low-high, comma-separated)"
                )
        return value

    @model_validator(mode="after")
    def _timing(self) -> TargetGroupHealthCheckSpec:
        if self.timeout_seconds >= self.interval_seconds:
            raise SpecError(
                "timeoutSeconds",
                f"{self.timeout_seconds} must be less than intervalSeconds "
                f"{self.interval_seconds} (ELB rule)",
            )
        return self


class ServiceLoadBalancerSpec(Spec):
    """How a service is reached through one of `ecs-platform:loadBalancers`."""

    name: str = Field(description="Key of the load balancer in ecs-platform:loadBalancers.")
    path_patterns: list[Annotated[str, Field(pattern=r"^/\S*$", max_length=128)]] = Field(
        default_factory=list, description='ALB rule path patterns, e.g. ["/api/*"].'
    )
    host_headers: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9*?.-]+$", max_length=128)]] = (
        Field(default_factory=list, description='ALB rule host headers, e.g. ["api.example.com"].')
    )
    priority: int | None = Field(
        None,
        ge=1,
        le=50_000,
        description="Listener rule priority (lower wins). Derived stably from the rule's "
        "specificity and the service name when omitted.",
    )
    health_check: TargetGroupHealthCheckSpec = Field(
        default_factory=TargetGroupHealthCheckSpec  # type: ignore[arg-type]
    )
    deregistration_delay_seconds: int = Field(
        15,
        ge=0,
        le=3600,
        description="Drain time for in-flight requests (AWS default 300 s dominates deploys); "
        "keep it above your longest request.",
    )
    listener_port: Port | None = Field(
        None, description="NLB: listener port for this service (default: containerPort)."
    )
    replacement_intended: bool = Field(
        False,
        description="Allow a change that replaces this service's target group (port, protocol, "
        "VPC); the offline diff refuses such changes otherwise.",
    )

    @model_validator(mode="after")
    def _conditions(self) -> ServiceLoadBalancerSpec:
        count = len(self.path_patterns) + len(self.host_headers)
        if count > 5:
            raise SpecError(
                "pathPatterns", f"{count} condition values; an ALB rule allows at most 5"
            )
        return self


class EfsVolumeSpec(Spec):
    """An EFS file system mounted into the app container (transit encryption always on)."""

    name: ContainerName
    file_system_id: str = Field(pattern=r"^fs-[0-9a-f]{8,17}$")
    access_point_id: str | None = Field(None, pattern=r"^fsap-[0-9a-f]{8,17}$")
    root_directory: str = Field("/", pattern=r"^/")
    container_path: str = Field(pattern=r"^/")
    read_only: bool = False


class TaskRoleStatement(Spec):
    """An IAM statement granted to the task role (what the application may call)."""

    effect: Literal["Allow", "Deny"] = "Allow"
    actions: list[Annotated[str, Field(pattern=r"^[a-z0-9-]+:[A-Za-z0-9*]+$")]] = Field(
        min_length=1
    )
    resources: list[str] = Field(min_length=1)

    @field_validator("actions")
    @classmethod
    def _no_wildcard_service(cls, value: list[str]) -> list[str]:
        for action in value:
            if action.endswith(":*"):
                raise ValueError(
                    f"{action} grants every action of the service (Security Hub IAM.21); "
                    "list the actions the application calls"
                )
        return value

    @field_validator("resources")
    @classmethod
    def _arns(cls, value: list[str]) -> list[str]:
        for resource in value:
            if resource == "*":
                raise ValueError('"*" grants every resource; name the ARNs the application uses')
            parse_arn(resource)
        return value


class TaskRoleSpec(Spec):
    """Permissions granted to the application (the task role): nothing unless listed."""

    managed_policy_arns: list[str] = Field(default_factory=list)
    statements: list[TaskRoleStatement] = Field(default_factory=list)

    @field_validator("managed_policy_arns")
    @classmethod
    def _policies(cls, value: list[str]) -> list[str]:
        for arn in value:
            svc, _r, _a, resource = parse_arn(arn)
            if svc != "iam" or not resource.startswith("policy/"):
                raise ValueError(f"{arn!r} is not an IAM policy ARN")
            if resource.endswith("/AdministratorAccess"):
                raise ValueError("AdministratorAccess is never granted to a task role")
        return value


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
        if len(self.sidecars) + 1 > 10:
            raise SpecError("sidecars", "a task definition holds at most 10 containers")
        if APP_CONTAINER in self.sidecars:
            raise SpecError(("sidecars", APP_CONTAINER), f"{APP_CONTAINER!r} is the app container")
        names = {APP_CONTAINER, *self.sidecars}
        seen: dict[int, str] = {}
        for key, port in [("containerPort", self.container_port)] + [
            ("ports", p) for p in self.ports
        ]:
            if port is None:
                continue
            if port in seen:
                raise SpecError(key, f"{port} is already used by {seen[port]}")
            seen[port] = key
        for sidecar_name, sidecar in self.sidecars.items():
            for port in sidecar.ports:
                if not PORT_NAME_PATTERN.match(f"{sidecar_name}-{port}"):
                    raise SpecError(
                        ("sidecars", sidecar_name),
                        f"a container with ports names its port mappings {sidecar_name}-{port}; "
                        "AWS allows lowercase letters, digits, _ and - there, up to 64 "
                        "characters, not starting with -: rename the container",
                    )
                if port in seen:
                    raise SpecError(
                        ("sidecars", sidecar_name, "ports"),
                        f"{port} is already used by {seen[port]}; containers in a task share "
                        "one network namespace (awsvpc)",
                    )
                seen[port] = f"sidecars.{sidecar_name}"
        for where, deps in [("dependsOn", self.depends_on)] + [
            (f"sidecars.{n}.dependsOn", s.depends_on) for n, s in self.sidecars.items()
        ]:
            for i, dep in enumerate(deps):
                if dep.container not in names:
                    raise SpecError(
                        (*where.split("."), i, "container"),
                        f"{dep.container!r} is not a container of this task; use one of "
                        + ", ".join(sorted(names)),
                    )
        if not any(s.essential for s in self.sidecars.values()) and not self.essential:
            raise SpecError("essential", "a task needs at least one essential container")
        self._check_operations()
        if self.launch_type == "EXTERNAL":
            self._check_external()
        elif self.network_mode is not None:
            raise SpecError(
                "networkMode",
                f"{self.network_mode} is only for launchType EXTERNAL; Fargate and EC2 tasks "
                "use awsvpc",
            )
        mount_names = [v.name for v in self.efs_volumes]
        dupes = sorted({n for n in mount_names if mount_names.count(n) > 1})
        if dupes:
            raise SpecError("efsVolumes", f"volume name {dupes[0]} used more than once")
        return self

    def _check_operations(self) -> None:
        strategy = self.deployment.strategy
        if strategy != "ROLLING" and self.load_balancer is None:
            raise SpecError(
                ("deployment", "strategy"),
                f"{strategy} shifts load balancer traffic between two target groups; it needs "
                "loadBalancer (use ROLLING for a service without one)",
            )
        if strategy != "ROLLING" and self.load_balancer is not None:
            lb = self.load_balancer
            if len(lb.path_patterns) + len(lb.host_headers) > 3:
                raise SpecError(
                    ("loadBalancer", "pathPatterns"),
                    f"{strategy} adds a test listener rule with a header and a source-IP "
                    "condition; keep pathPatterns plus hostHeaders at 3 values or fewer",
                )
        connect = self.service_connect
        if connect is not None and connect.expose:
            if self.container_port is None:
                raise SpecError(
                    ("serviceConnect", "expose"),
                    "needs containerPort (or set expose: false for a client-only service)",
                )
            names = ["http", *(f"port-{p}" for p in self.ports)]
            if connect.port_name not in names:
                raise SpecError(
                    ("serviceConnect", "portName"),
                    f"{connect.port_name!r} is not a named port of the task definition; use one "
                    "of " + ", ".join(names),
                )
        scaling = self.autoscaling
        if scaling is not None:
            for i, window in enumerate(scaling.schedules):
                if window.max_count > scaling.max_count:
                    raise SpecError(
                        ("autoscaling", "schedules", i, "maxCount"),
                        f"{window.max_count} is above autoscaling.maxCount {scaling.max_count}",
                    )

    def _check_external(self) -> None:
        """What ECS Anywhere does not support (AWS: "External instances", Considerations)."""
        why = "on external instances (ECS Anywhere)"
        unsupported: list[tuple[str, bool, str]] = [
            ("capacityProviders", self.capacity_providers is not None,
             "capacity providers are not supported " + why + "; launchType EXTERNAL places "
             "the tasks"),
            ("loadBalancer", self.load_balancer is not None,
             "Elastic Load Balancing is not supported " + why + "; publish the port on the "
             "servers (networkMode bridge or host)"),
            ("serviceConnect", self.service_connect is not None,
             "Service Connect and service discovery are not supported " + why),
            ("assignPublicIp", self.assign_public_ip,
             "tasks use the servers' own network " + why + " (no awsvpc, no task IP); "
             "remove assignPublicIp"),
            ("ephemeralStorageGib", self.ephemeral_storage_gib is not None,
             "ephemeral storage is a Fargate setting; tasks use the servers' disks"),
            ("efsVolumes", bool(self.efs_volumes),
             "Amazon EFS volumes are not supported " + why),
            ("cpuArchitecture", "cpu_architecture" in self.model_fields_set,
             "the registered servers' architecture decides (x86_64 and ARM64 both work); "
             "remove cpuArchitecture"),
        ]  # fmt: skip
        for key, present, message in unsupported:
            if present:
                raise SpecError(key, message)

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
