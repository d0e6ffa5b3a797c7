"""Cluster spec: Container Insights, default capacity provider strategy, optional EC2 capacity."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .common import Spec, SpecError, check_log_retention

ProviderName = Literal["FARGATE", "FARGATE_SPOT", "EC2"]
FARGATE_PROVIDERS = frozenset({"FARGATE", "FARGATE_SPOT"})

# Graviton families carry a "g" after the generation digit: t4g, m7g, c7gn, r8g ...
_GRAVITON = re.compile(r"^[a-z]+\d+g[a-z]*\.")
_INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\d[a-z0-9-]*\.[a-z0-9]+$")


class CapacityProviderItem(Spec):
    """One entry of a capacity provider strategy."""

    provider: ProviderName = Field(
        description="FARGATE, FARGATE_SPOT, or EC2 (the cluster's Auto Scaling group)."
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
    kinds = {"fargate" if n in FARGATE_PROVIDERS else "ec2" for n in names}
    if len(kinds) > 1:
        raise ValueError(
            "a strategy cannot mix Fargate and EC2 Auto Scaling group providers (AWS rule)"
        )
    return items


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


class ClusterSpec(Spec):
    """`ecs-platform:cluster`."""

    container_insights: Literal["disabled", "enabled", "enhanced"] = Field(
        "enabled",
        description="CloudWatch Container Insights: enhanced adds task- and container-level "
        "metrics (Security Hub ECS.12 wants at least enabled).",
    )
    capacity_providers: list[CapacityProviderItem] = Field(
        default_factory=lambda: [CapacityProviderItem(provider="FARGATE", base=1, weight=1)],
        description="Default capacity provider strategy for services that do not set their own.",
    )
    ec2_capacity: Ec2CapacitySpec | None = Field(
        None, description="Create an EC2 Auto Scaling group capacity provider named EC2."
    )
    service_connect_namespace: str | None = Field(
        None,
        pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$",
        description="Cloud Map namespace for Service Connect; default <stack>.internal.",
    )
    exec_log_retention_days: int = Field(
        90, description="Retention of the ECS Exec session log group (days)."
    )

    @field_validator("capacity_providers")
    @classmethod
    def _strategy(cls, value: list[CapacityProviderItem]) -> list[CapacityProviderItem]:
        return check_strategy(value)

    @field_validator("exec_log_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        check_log_retention(value)
        return value

    @model_validator(mode="after")
    def _ec2_provider_needs_capacity(self) -> ClusterSpec:
        for i, item in enumerate(self.capacity_providers):
            if item.provider == "EC2" and self.ec2_capacity is None:
                raise SpecError(
                    ("capacityProviders", i, "provider"),
                    "EC2 needs cluster.ec2Capacity (the Auto Scaling group it scales)",
                )
        return self
