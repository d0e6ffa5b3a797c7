"""The subnets of a new VPC: one public and one private subnet per AZ, and their route tables.

Creates (children of the Network): the public route table `{name}-public` with its route to the
internet gateway, and per AZ (suffix: the AZ's letter) the public subnet `{name}-public-<az>`,
the private subnet `{name}-private-<az>` with its own route table (egress routes are added per
NAT strategy by network_nat), and the route table associations. Subnets never map public IPv4
addresses on launch. With `network.ipv6` each subnet also takes a /64 of the VPC's /56 and
gives every new network interface an IPv6 address.
Expects: the VPC, its internet gateway, the AZs in use and NetworkSpec.subnet_cidrs.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from . import network_ipv6
from .specs.network import NetworkSpec


@dataclass(frozen=True)
class Subnets:
    """A new VPC's subnets and route tables, each list in AZ order."""

    public_route_table: aws.ec2.RouteTable
    public: list[aws.ec2.Subnet]
    private: list[aws.ec2.Subnet]
    private_route_tables: list[aws.ec2.RouteTable]


def subnets(
    parent: pulumi.Resource,
    name: str,
    spec: NetworkSpec,
    *,
    vpc: aws.ec2.Vpc,
    igw: aws.ec2.InternetGateway,
    zones: list[str],
) -> Subnets:
    child = pulumi.ResourceOptions(parent=parent)
    stack = pulumi.get_stack()
    public_rt = aws.ec2.RouteTable(
        f"{name}-public", vpc_id=vpc.id, tags={"Name": f"{stack}-{name}-public"}, opts=child
    )
    aws.ec2.Route(
        f"{name}-public-internet",
        route_table_id=public_rt.id,
        destination_cidr_block="0.0.0.0/0",
        gateway_id=igw.id,
        opts=child,
    )
    public_cidrs, private_cidrs = spec.subnet_cidrs()
    public, private, private_rts = [], [], []
    for i, az in enumerate(zones):
        public.append(_public_subnet(parent, name, spec, vpc, public_rt, az, i, public_cidrs[i]))
        subnet, rt = _private_subnet(parent, name, spec, vpc, az, i, private_cidrs[i])
        private.append(subnet)
        private_rts.append(rt)
    return Subnets(public_rt, public, private, private_rts)


def _public_subnet(
    parent: pulumi.Resource,
    name: str,
    spec: NetworkSpec,
    vpc: aws.ec2.Vpc,
    public_rt: aws.ec2.RouteTable,
    az: str,
    index: int,
    cidr: str,
) -> aws.ec2.Subnet:
    child = pulumi.ResourceOptions(parent=parent)
    suffix = az[-1]
    subnet = aws.ec2.Subnet(
        f"{name}-public-{suffix}",
        vpc_id=vpc.id,
        cidr_block=cidr,
        availability_zone=az,
        map_public_ip_on_launch=False,  # Security Hub EC2.15; LBs need no public IP
        ipv6_cidr_block=_ipv6_block(vpc, spec, network_ipv6.PUBLIC_NETNUM + index),
        assign_ipv6_address_on_creation=True if spec.ipv6 is not None else None,
        tags={"Name": f"{pulumi.get_stack()}-{name}-public-{suffix}", "Tier": "public"},
        opts=child,
    )
    aws.ec2.RouteTableAssociation(
        f"{name}-public-{suffix}", subnet_id=subnet.id, route_table_id=public_rt.id, opts=child
    )
    return subnet


def _private_subnet(
    parent: pulumi.Resource,
    name: str,
    spec: NetworkSpec,
    vpc: aws.ec2.Vpc,
    az: str,
    index: int,
    cidr: str,
) -> tuple[aws.ec2.Subnet, aws.ec2.RouteTable]:
    """The AZ's private subnet and its own route table (its egress depends on the AZ's NAT)."""
    child = pulumi.ResourceOptions(parent=parent)
    stack, suffix = pulumi.get_stack(), az[-1]
    subnet = aws.ec2.Subnet(
        f"{name}-private-{suffix}",
        vpc_id=vpc.id,
        cidr_block=cidr,
        availability_zone=az,
        map_public_ip_on_launch=False,
        ipv6_cidr_block=_ipv6_block(vpc, spec, network_ipv6.PRIVATE_NETNUM + index),
        assign_ipv6_address_on_creation=True if spec.ipv6 is not None else None,
        tags={"Name": f"{stack}-{name}-private-{suffix}", "Tier": "private"},
        opts=child,
    )
    rt = aws.ec2.RouteTable(
        f"{name}-private-{suffix}",
        vpc_id=vpc.id,
        tags={"Name": f"{stack}-{name}-private-{suffix}"},
        opts=child,
    )
    aws.ec2.RouteTableAssociation(
        f"{name}-private-{suffix}", subnet_id=subnet.id, route_table_id=rt.id, opts=child
    )
    return subnet, rt


def _ipv6_block(vpc: aws.ec2.Vpc, spec: NetworkSpec, netnum: int) -> pulumi.Output[str] | None:
    """A dual-stack subnet's /64 (none without network.ipv6). Every network interface created
    in such a subnet gets an IPv6 address too (`assign_ipv6_address_on_creation`), Fargate's
    condition for giving a task one (ECS fargate-task-networking.html)."""
    if spec.ipv6 is None:
        return None
    return network_ipv6.subnet_block(vpc.ipv6_cidr_block, netnum)
