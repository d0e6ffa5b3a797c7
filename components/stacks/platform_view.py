"""Adapters: a platform the service stack does not own, seen as the cluster and load balancers
the workload components expect.

Service, Worker and ScheduledTask read of a cluster its name, ARN, Service Connect namespace,
ECS Exec log group and key, and capacity provider names (`ClusterView`); Service reads of a
load balancer its listener ARN, security group, ARN suffix (CloudWatch dimension), DNS name and
spec (type, https) (`LoadBalancerView`). The values come from the platform stack's `platform`
output (a StackReference) or from the brownfield ARNs of `platform:`. Nothing here registers a
resource: a service stack creates none of the platform's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import pulumi

from ..cluster import Cluster
from ..config import StackConfig
from ..load_balancer import LoadBalancer
from ..specs.load_balancer import LoadBalancerSpec
from ..specs.platform import BROWNFIELD_LOAD_BALANCER, PlatformSpec, StackName


class ClusterView:
    """What the workloads read of a cluster, from outputs or ARNs (Fargate capacity only)."""

    anywhere = None
    ec2_capacity_provider = None
    managed_instances_provider = None

    def __init__(
        self,
        *,
        arn: pulumi.Input[str],
        name: pulumi.Input[str],
        namespace_arn: pulumi.Input[str | None],
        exec_log_group_arn: pulumi.Input[str | None],
        exec_kms_key_arn: pulumi.Input[str | None],
    ) -> None:
        self.arn = pulumi.Output.from_input(arn)
        self.name = pulumi.Output.from_input(name)
        self.namespace_arn = pulumi.Output.from_input(namespace_arn)
        self.exec_log_group_arn = pulumi.Output.from_input(exec_log_group_arn)
        self.exec_kms_key_arn = pulumi.Output.from_input(exec_kms_key_arn)

    def provider_name(self, provider: str) -> str:
        """FARGATE and FARGATE_SPOT are the cluster's by name (stack_kind_rules allows no other)."""
        return provider


class LoadBalancerView:
    """What a service's routing reads of the platform's ALB; it manages no security group, so
    routing adds no rule to it (the platform's grant egress covers the team's ports)."""

    owns_security_group = False

    def __init__(
        self,
        spec: LoadBalancerSpec,
        *,
        listener_arn: pulumi.Input[str],
        security_group_id: pulumi.Input[str],
        arn_suffix: pulumi.Input[str],
        dns_name: pulumi.Input[str] | None,
    ) -> None:
        self.spec = spec
        self.listener_arn = pulumi.Output.from_input(listener_arn)
        self.security_group_id = pulumi.Output.from_input(security_group_id)
        self.arn_suffix = pulumi.Output.from_input(arn_suffix)
        self.arn = None
        self.dns_name = pulumi.Output.from_input(dns_name) if dns_name is not None else None


@dataclass(frozen=True)
class PlatformView:
    """The platform as the service stack's components see it."""

    vpc_id: pulumi.Output[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    cluster: Cluster  # a ClusterView, typed as what the components take
    load_balancers: dict[str, LoadBalancer]  # LoadBalancerViews, likewise


def from_stack(config: StackConfig, stack: str) -> PlatformView:
    """The platform stack's `platform` output, read through a StackReference."""
    full = StackName.parse(stack).qualified(_organization())
    ref = pulumi.StackReference("platform", stack_name=full)
    out: pulumi.Output[Any] = ref.require_output("platform")

    def get(*path: str) -> pulumi.Output[Any]:
        def pick(value: Any) -> Any:
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            return value

        return out.apply(pick)

    cluster = ClusterView(
        arn=get("clusterArn"),
        name=get("clusterName"),
        namespace_arn=get("namespaceArn"),
        exec_log_group_arn=get("execLogGroupArn"),
        exec_kms_key_arn=get("execKmsKeyArn"),
    )
    used = sorted({s.load_balancer.name for s in config.services.values() if s.load_balancer})
    known = config.platform_load_balancers or {}
    views = {
        name: LoadBalancerView(
            known.get(name) or LoadBalancerSpec.model_validate({}),
            listener_arn=get("loadBalancers", name, "listenerArn"),
            security_group_id=get("loadBalancers", name, "securityGroupId"),
            arn_suffix=get("loadBalancers", name, "arnSuffix"),
            dns_name=get("loadBalancers", name, "dnsName"),
        )
        for name in used
    }
    return PlatformView(
        vpc_id=get("vpcId"),
        subnet_ids=cast("Sequence[pulumi.Input[str]]", get("privateSubnetIds")),
        cluster=cast("Cluster", cluster),
        load_balancers=cast("dict[str, LoadBalancer]", views),
    )


def from_arns(config: StackConfig, platform: PlatformSpec) -> PlatformView:
    """An existing cluster and ALB listener, by ARN (brownfield)."""
    assert platform.cluster_arn and platform.vpc_id
    cluster = ClusterView(
        arn=platform.cluster_arn,
        name=platform.cluster_arn.split(":cluster/", 1)[1],
        namespace_arn=platform.namespace_arn,
        exec_log_group_arn=None,  # stack_kind_rules refuses ECS Exec here
        exec_kms_key_arn=None,
    )
    spec = (config.platform_load_balancers or {}).get(BROWNFIELD_LOAD_BALANCER)
    assert spec is not None and spec.existing is not None  # ownership.resolve sets it
    view = LoadBalancerView(
        spec,
        listener_arn=spec.existing.listener_arn,
        security_group_id=spec.existing.security_group_id,
        arn_suffix=spec.existing.load_balancer_suffix,
        dns_name=None,
    )
    return PlatformView(
        vpc_id=pulumi.Output.from_input(platform.vpc_id),
        subnet_ids=list(platform.private_subnet_ids),
        cluster=cast("Cluster", cluster),
        load_balancers={BROWNFIELD_LOAD_BALANCER: cast("LoadBalancer", view)},
    )


def _organization() -> str:
    try:
        return pulumi.get_organization() or "organization"
    except Exception:
        return "organization"
