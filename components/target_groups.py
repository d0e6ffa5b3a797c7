"""Target groups of a service: the one production starts on, and for blue/green, canary and
linear deployments the alternate one ECS moves the new revision to.

Creates (children of the Service): `{service}-tg` and, for a non-rolling strategy,
`{service}-tg-green`: IP targets (awsvpc tasks register by IP, IPv6-only tasks by their IPv6
address), a name prefix (so a replacement can be created before the old one is deleted), the
configured deregistration delay and health check (HTTP path and matcher on an ALB, TCP on an NLB).
Expects: the VPC, the service's load balancer spec and container port, the protocol of its load
balancer's kind (routing_alb.py, routing_nlb.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .naming import name_prefix
from .specs.service import ServiceSpec


@dataclass(frozen=True)
class TargetGroups:
    """Blue/green: ECS alternates the two groups between deployments ("blue" is only the group
    production starts on)."""

    production: aws.lb.TargetGroup
    alternate: aws.lb.TargetGroup | None

    @property
    def all(self) -> list[aws.lb.TargetGroup]:
        """Production first, then the alternate one (if any)."""
        return [self.production] + ([self.alternate] if self.alternate is not None else [])

    def weights(self) -> list[tuple[pulumi.Output[str], int]]:
        """Blue/green: both groups in one weighted forward, all traffic on production at first;
        ECS moves the weights."""
        return [(g.arn, 100 if i == 0 else 0) for i, g in enumerate(self.all)]


def target_groups(
    parent: pulumi.Resource,
    name: str,
    spec: ServiceSpec,
    *,
    protocol: str,
    vpc_id: pulumi.Input[str],
    ipv6: bool,
    blue_green: bool,
) -> TargetGroups:
    """`{name}-tg`, and `{name}-tg-green` for a blue/green, canary or linear deployment."""
    production = _target_group(parent, f"{name}-tg", name, spec, protocol, vpc_id, ipv6)
    alternate = (
        _target_group(parent, f"{name}-tg-green", name, spec, protocol, vpc_id, ipv6)
        if blue_green
        else None
    )
    return TargetGroups(production, alternate)


def _target_group(
    parent: pulumi.Resource,
    logical: str,
    name: str,
    spec: ServiceSpec,
    protocol: str,
    vpc_id: pulumi.Input[str],
    ipv6: bool,
) -> aws.lb.TargetGroup:
    ref = spec.load_balancer
    assert ref is not None and spec.container_port is not None
    hc = ref.health_check
    http = protocol == "HTTP"
    return aws.lb.TargetGroup(
        logical,
        name_prefix=name_prefix(name),
        port=spec.container_port,
        protocol=protocol,
        target_type="ip",  # awsvpc tasks register by IP
        # IPv6-only tasks register by their IPv6 address: "An IPv6-only Amazon ECS service
        # must use dualstack load balancers with IPv6 target groups"
        # (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html)
        ip_address_type="ipv6" if ipv6 else None,
        vpc_id=vpc_id,
        deregistration_delay=ref.deregistration_delay_seconds,
        health_check=aws.lb.TargetGroupHealthCheckArgs(
            enabled=True,
            protocol=protocol,
            port="traffic-port",
            path=hc.path if http else None,
            matcher=hc.matcher if http else None,
            interval=hc.interval_seconds,
            timeout=hc.timeout_seconds,
            healthy_threshold=hc.healthy_threshold,
            unhealthy_threshold=hc.unhealthy_threshold,
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )
