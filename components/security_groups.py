"""Egress-only security groups: task ENIs and container instances that accept no inbound
traffic of their own (a service's load balancer or Service Connect callers get explicit ingress
rules elsewhere) and reach AWS APIs, registries and dependencies through NAT or endpoints; and
those explicit rules: TCP on one port between two groups (`allow_tcp`)."""

from __future__ import annotations

from typing import Literal

import pulumi
import pulumi_aws as aws

ANYWHERE_IPV4 = "0.0.0.0/0"
ANYWHERE_IPV6 = "::/0"
TASK_EGRESS = "AWS APIs, image registries and dependencies (via NAT or endpoints)"
TASK_EGRESS_IPV6 = "AWS dual-stack endpoints, registries and dependencies over IPv6"
INSTANCE_EGRESS = "ECS agent, image pulls and SSM over NAT or endpoints"


def egress_only(
    name: str,
    *,
    vpc_id: pulumi.Input[str],
    description: str,
    egress_name: str,
    egress_description: str,
    opts: pulumi.ResourceOptions,
) -> aws.ec2.SecurityGroup:
    """Security group `name` with one rule, `egress_name`: all protocols out to anywhere."""
    group = aws.ec2.SecurityGroup(name, vpc_id=vpc_id, description=description, opts=opts)
    _anywhere(egress_name, group, egress_description, opts, cidr_ipv4=ANYWHERE_IPV4)
    return group


def _anywhere(
    name: str,
    group: aws.ec2.SecurityGroup,
    description: str,
    opts: pulumi.ResourceOptions,
    cidr_ipv4: str | None = None,
    cidr_ipv6: str | None = None,
) -> None:
    """Egress rule `name` of `group`: all protocols to one address family's whole space."""
    aws.vpc.SecurityGroupEgressRule(
        name,
        security_group_id=group.id,
        ip_protocol="-1",
        cidr_ipv4=cidr_ipv4,
        cidr_ipv6=cidr_ipv6,
        description=description,
        opts=opts,
    )


def for_tasks(
    name: str,
    *,
    vpc_id: pulumi.Input[str],
    description: str,
    opts: pulumi.ResourceOptions,
    ipv6: bool = False,
) -> aws.ec2.SecurityGroup:
    """The task ENIs' group of workload `name`: `{name}-tasks`, its rule `{name}-egress`.

    With `ipv6` (tasks in dual-stack or IPv6-only subnets) also `{name}-egress-ipv6` to ::/0:
    security group rules are per address family, and IPv6 egress leaves through the
    egress-only internet gateway.
    """
    group = egress_only(
        f"{name}-tasks",
        vpc_id=vpc_id,
        description=description,
        egress_name=f"{name}-egress",
        egress_description=TASK_EGRESS,
        opts=opts,
    )
    if ipv6:
        _anywhere(f"{name}-egress-ipv6", group, TASK_EGRESS_IPV6, opts, cidr_ipv6=ANYWHERE_IPV6)
    return group


def for_instances(
    name: str, *, vpc_id: pulumi.Input[str], description: str, opts: pulumi.ResourceOptions
) -> aws.ec2.SecurityGroup:
    """Container instances' group `name` (EC2 or Managed Instances), its rule `{name}-egress`."""
    return egress_only(
        name,
        vpc_id=vpc_id,
        description=description,
        egress_name=f"{name}-egress",
        egress_description=INSTANCE_EGRESS,
        opts=opts,
    )


def allow_tcp(
    name: str,
    *,
    direction: Literal["from", "to"],
    security_group_id: pulumi.Input[str],
    peer_security_group_id: pulumi.Input[str],
    port: int,
    description: str,
    opts: pulumi.ResourceOptions,
) -> None:
    """Rule `name` of one group: TCP on `port` from (ingress) or to (egress) the peer group."""
    rule = (
        aws.vpc.SecurityGroupIngressRule if direction == "from" else aws.vpc.SecurityGroupEgressRule
    )
    rule(
        name,
        security_group_id=security_group_id,
        referenced_security_group_id=peer_security_group_id,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        description=description,
        opts=opts,
    )
