"""Cluster spec: Container Insights, default capacity provider strategy, optional EC2 capacity."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from .common import LogRetentionDays, Spec, SpecError

ProviderName = Literal["FARGATE", "FARGATE_SPOT", "EC2", "MANAGED_INSTANCES"]
FARGATE_PROVIDERS = frozenset({"FARGATE", "FARGATE_SPOT"})

# Graviton families carry a "g" after the generation digit: t4g, m7g, c7gn, r8g ...
_GRAVITON = re.compile(r"^[a-z]+\d+g[a-z]*\.")
_INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\d[a-z0-9-]*\.[a-z0-9]+$")


class CapacityProviderItem(Spec):
    """One entry of a capacity provider strategy."""

    provider: ProviderName = Field(
        description="FARGATE, FARGATE_SPOT, EC2 (the cluster's Auto Scaling group) or "
        "MANAGED_INSTANCES (cluster.managedInstances)."
    )
    base: int = Field(0, ge=0, le=100_000, description="Tasks placed here before weights apply.")
    weight: int = Field(0, ge=0, le=1_000, description="Relative share of tasks beyond the base.")


def check_strategy(items: list[CapacityProviderItem]) -> list[CapacityProviderItem]:
    """AWS's rules for a capacity provider strategy (CreateService, PutClusterCapacityProviders)."""
    if not items:
        raise ValueError("needs at least one provider")
    if len(items) > 20:
        raise ValueError(f"{len(items)} providers; AWS allows at most 20")
    names = [i.provider for i in items]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"{', '.join(dupes)} listed more than once")
    with_base = [i.provider for i in items if i.base > 0]
    if len(with_base) > 1:
        raise ValueError(f"only one provider may have a base above 0, got {', '.join(with_base)}")
    if not any(i.weight > 0 for i in items):
        raise ValueError("at least one provider needs a weight above 0")
    kinds = sorted({"Fargate" if n in FARGATE_PROVIDERS else n for n in names})
    if len(kinds) > 1:
        kinds.sort(key=lambda k: k != "Fargate")
        raise ValueError(
            f"a strategy cannot mix {' and '.join(kinds)} providers; tasks of one strategy "
            "need one launch compatibility (AWS rule)"
        )
    return items


# A capacity provider strategy: at most one base, a weight above zero, no Fargate/EC2 mix.
Strategy = Annotated[list[CapacityProviderItem], AfterValidator(check_strategy)]


class Ec2CapacitySpec(Spec):
    """EC2 Auto Scaling group capacity for services that need EC2 (GPU, daemons, host volumes)."""

    instance_type: str = Field(
        "m7g.large", description="Instance type; Graviton types get the ARM64 ECS-optimized AMI."
    )
    min_size: int = Field(1, ge=0, le=1_000, description="Instances kept running.")
    max_size: int = Field(4, ge=1, le=1_000, description="Ceiling for managed scaling.")
    target_capacity: int = Field(
        100, ge=1, le=100, description="Managed scaling target utilisation, percent."
    )
    root_volume_gib: int = Field(30, ge=30, le=16_384, description="gp3 root volume size.")

    @field_validator("instance_type")
    @classmethod
    def _instance_type(cls, value: str) -> str:
        if not _INSTANCE_TYPE.match(value):
            raise ValueError(f"{value!r} is not an EC2 instance type like m7g.large")
        return value

    @model_validator(mode="after")
    def _sizes(self) -> Ec2CapacitySpec:
        if self.min_size > self.max_size:
            raise SpecError("minSize", f"{self.min_size} is above maxSize {self.max_size}")
        return self

    @property
    def architecture(self) -> Literal["X86_64", "ARM64"]:
        return "ARM64" if _GRAVITON.match(self.instance_type) else "X86_64"


class Range(Spec):
    """An inclusive range; max omitted means no upper limit."""

    min: int = Field(ge=0)
    max: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _order(self) -> Range:
        if self.max is not None and self.min > self.max:
            raise SpecError("min", f"{self.min} is above max {self.max}")
        return self


class ManagedInstancesSpec(Spec):
    """ECS Managed Instances: AWS picks, patches and replaces EC2 instances for the tasks.

    Instance types come from attribute-based selection (vCPUs and memory ranges).
    """

    vcpu_count: Range = Field(
        default_factory=lambda: Range(min=2, max=8), description="vCPUs per instance."
    )
    memory_mib: Range = Field(
        default_factory=lambda: Range(min=4096, max=32768), description="Memory per instance."
    )
    capacity_option_type: Literal["ON_DEMAND", "SPOT"] = Field(
        "ON_DEMAND", description="Purchasing option (changing it replaces the provider)."
    )
    storage_gib: int = Field(30, ge=1, le=16_384, description="Root volume per instance.")
    monitoring: Literal["BASIC", "DETAILED"] = Field(
        "BASIC", description="EC2 monitoring: DETAILED adds 1-minute instance metrics."
    )


# SSM CreateActivation: an activation expires after at most 30 days (default 24 hours).
MAX_ACTIVATION_DAYS = 30


class ExternalInstancesSpec(Spec):
    """ECS Anywhere: the team's own servers join the cluster through an SSM hybrid activation.

    The program creates the instance role and the activation; each server runs the registration
    command (a secret stack output) once. Services opt in with `launchType: EXTERNAL`.
    """

    instances: int = Field(
        1,
        ge=1,
        le=1_000,
        description="Servers expected to be registered: the cost estimate bills this many "
        "instance-hours (ECS Anywhere charges per registered server).",
    )
    registration_limit: int | None = Field(
        None,
        ge=1,
        le=1_000,
        description="Servers the activation may register (SSM allows 1-1000); default: instances.",
    )
    activation_expires_in_days: int = Field(
        30,
        description="Days, from the `pulumi up` that creates the activation, during which new "
        "servers can register (SSM allows at most 30); the date is then kept in state. "
        "Registered servers stay registered after it expires; `pulumi up --replace` on "
        "cluster-anywhere-expiry issues a new code.",
    )
    description: str | None = Field(
        None, max_length=256, description="Activation description; default names the stack."
    )

    @field_validator("activation_expires_in_days")
    @classmethod
    def _expiry(cls, value: int) -> int:
        if not 1 <= value <= MAX_ACTIVATION_DAYS:
            raise ValueError(
                f"{value} days; an SSM activation expires after 1 to {MAX_ACTIVATION_DAYS} days"
            )
        return value

    @model_validator(mode="after")
    def _limit(self) -> ExternalInstancesSpec:
        if self.registration_limit is not None and self.registration_limit < self.instances:
            raise SpecError(
                "registrationLimit",
                f"{self.registration_limit} is below instances {self.instances}; the activation "
                "could not register every server",
            )
        return self

    @property
    def limit(self) -> int:
        return self.registration_limit if self.registration_limit is not None else self.instances


class ClusterSpec(Spec):
    """`ecs-platform:cluster`."""

    container_insights: Literal["disabled", "enabled", "enhanced"] = Field(
        "enabled",
        description="CloudWatch Container Insights: enhanced adds task- and container-level "
        "metrics (Security Hub ECS.12 wants at least enabled).",
    )
    capacity_providers: Strategy = Field(
        default_factory=lambda: [CapacityProviderItem(provider="FARGATE", base=1, weight=1)],
        description="Default capacity provider strategy for services that do not set their own.",
    )
    ec2_capacity: Ec2CapacitySpec | None = Field(
        None, description="Create an EC2 Auto Scaling group capacity provider named EC2."
    )
    managed_instances: ManagedInstancesSpec | None = Field(
        None,
        description="Create an ECS Managed Instances capacity provider named MANAGED_INSTANCES.",
    )
    external: ExternalInstancesSpec | None = Field(
        None,
        description="ECS Anywhere: register the team's own servers (launchType EXTERNAL "
        "services run there).",
    )
    service_connect_namespace: str | None = Field(
        None,
        pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$",
        description="Cloud Map namespace for Service Connect; default <stack>.internal.",
    )
    exec_log_retention_days: LogRetentionDays = Field(
        90, description="Retention of the ECS Exec session log group (days)."
    )

    @model_validator(mode="after")
    def _ec2_provider_needs_capacity(self) -> ClusterSpec:
        for i, item in enumerate(self.capacity_providers):
            if item.provider == "EC2" and self.ec2_capacity is None:
                raise SpecError(
                    ("capacityProviders", i, "provider"),
                    "EC2 needs cluster.ec2Capacity (the Auto Scaling group it scales)",
                )
            if item.provider == "MANAGED_INSTANCES":
                # The default strategy is set with PutClusterCapacityProviders, which "Amazon
                # ECS Managed Instances doesn't support" (API reference).
                # https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PutClusterCapacityProviders.html
                raise SpecError(
                    ("capacityProviders", i, "provider"),
                    "MANAGED_INSTANCES cannot be in the cluster's default strategy "
                    "(PutClusterCapacityProviders does not accept Managed Instances providers); "
                    "name it in a service's own capacityProviders",
                )
        return self
