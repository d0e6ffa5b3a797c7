"""Container specs of a task: the app container's keys, its sidecars, health check, EFS volumes.

Services, workers and scheduled tasks share these: their app container is a `ContainerSpec`
named "app" (`APP_CONTAINER`), beside up to nine sidecars. `check_task_containers` holds the
rules across the containers of one task.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from ..concepts import users
from .common import Port, Spec, SpecError, check_command, check_plain_values
from .secret_refs import check_secret_ref

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

APP_CONTAINER = "app"


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


class EfsVolumeSpec(Spec):
    """An EFS file system mounted into the app container (transit encryption always on)."""

    name: ContainerName
    file_system_id: str = Field(pattern=r"^fs-[0-9a-f]{8,17}$")
    access_point_id: str | None = Field(None, pattern=r"^fsap-[0-9a-f]{8,17}$")
    root_directory: str = Field("/", pattern=r"^/")
    container_path: str = Field(pattern=r"^/")
    read_only: bool = False


def check_task_containers(
    app: ContainerSpec, container_port: int | None, sidecars: Mapping[str, SidecarSpec]
) -> None:
    """Rules across the containers of one task: the app container and its sidecars."""
    if len(sidecars) + 1 > 10:
        raise SpecError("sidecars", "a task definition holds at most 10 containers")
    if APP_CONTAINER in sidecars:
        raise SpecError(("sidecars", APP_CONTAINER), f"{APP_CONTAINER!r} is the app container")
    _check_ports(app.ports, container_port, sidecars)
    _check_start_order(app.depends_on, sidecars)
    if not any(s.essential for s in sidecars.values()) and not app.essential:
        raise SpecError("essential", "a task needs at least one essential container")


def _check_ports(
    ports: Sequence[int], container_port: int | None, sidecars: Mapping[str, SidecarSpec]
) -> None:
    """Each port once in the task, and sidecar port mapping names AWS accepts."""
    seen: dict[int, str] = {}
    for key, port in [("containerPort", container_port)] + [("ports", p) for p in ports]:
        if port is None:
            continue
        if port in seen:
            raise SpecError(key, f"{port} is already used by {seen[port]}")
        seen[port] = key
    for sidecar_name, sidecar in sidecars.items():
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


def _check_start_order(
    app_depends_on: Sequence[DependsOn], sidecars: Mapping[str, SidecarSpec]
) -> None:
    """dependsOn names a container of this task."""
    names = {APP_CONTAINER, *sidecars}
    for where, deps in [("dependsOn", app_depends_on)] + [
        (f"sidecars.{n}.dependsOn", s.depends_on) for n, s in sidecars.items()
    ]:
        for i, dep in enumerate(deps):
            if dep.container not in names:
                raise SpecError(
                    (*where.split("."), i, "container"),
                    f"{dep.container!r} is not a container of this task; use one of "
                    + ", ".join(sorted(names)),
                )


def check_volume_names(volumes: Sequence[EfsVolumeSpec]) -> None:
    """Each EFS volume of a task has its own name."""
    mount_names = [v.name for v in volumes]
    dupes = sorted({n for n in mount_names if mount_names.count(n) > 1})
    if dupes:
        raise SpecError("efsVolumes", f"volume name {dupes[0]} used more than once")
