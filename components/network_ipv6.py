"""The IPv6 half of `Network` (`network.ipv6`): /64 layout, egress-only gateway, IPv6-only subnets.

Creates (children of the Network): the egress-only internet gateway `{name}-eigw` (no charge:
https://docs.aws.amazon.com/vpc/latest/userguide/egress-only-internet-gateway.html), ::/0 routes
(public route table to the internet gateway, so dual-stack load balancers are reachable over
IPv6; private route tables to the egress-only gateway), and with `tasks: ipv6-only` one
IPv6-only subnet per AZ (`{name}-tasks-<az>`) with its own route table: ::/0 to the egress-only
gateway, plus DNS64 and the NAT64 prefix 64:ff9b::/96 to the AZ's NAT gateway when the network
has NAT gateways.
Expects: the VPC with its Amazon-provided /56 (`assign_generated_ipv6_cidr_block`), the public
and private route tables, the internet gateway, and the NAT gateways (if any).

Each subnet takes a fixed /64 of the /56: private subnets 0.., public 64.., task subnets 128..
(the AZ index added), so adding an AZ never moves a subnet, as for the IPv4 layout.
"""

from __future__ import annotations

import ipaddress

import pulumi
import pulumi_aws as aws

PRIVATE_NETNUM, PUBLIC_NETNUM, TASKS_NETNUM = 0, 64, 128
NAT64_PREFIX = "64:ff9b::/96"  # the well-known prefix DNS64 synthesizes AAAA records in


def subnet_block(vpc_block: pulumi.Output[str], netnum: int) -> pulumi.Output[str]:
    """The `netnum`-th /64 of the VPC's IPv6 block."""

    def nth(block: str) -> str:
        start = int(ipaddress.IPv6Network(block).network_address)
        return str(ipaddress.IPv6Network((start + (netnum << 64), 64)))

    return vpc_block.apply(nth)


def egress(
    parent: pulumi.Resource,
    name: str,
    vpc: aws.ec2.Vpc,
    public_rt: aws.ec2.RouteTable,
    private_rts: list[aws.ec2.RouteTable],
    suffixes: list[str],
    igw: aws.ec2.InternetGateway,
) -> aws.ec2.EgressOnlyInternetGateway:
    child = pulumi.ResourceOptions(parent=parent)
    eigw = aws.ec2.EgressOnlyInternetGateway(
        f"{name}-eigw", vpc_id=vpc.id, tags={"Name": f"{pulumi.get_stack()}-{name}"}, opts=child
    )
    # "The route tables for the load balancer subnets must route IPv6 traffic" (ALB user guide,
    # dualstack requirements).
    aws.ec2.Route(
        f"{name}-public-internet-ipv6",
        route_table_id=public_rt.id,
        destination_ipv6_cidr_block="::/0",
        gateway_id=igw.id,
        opts=child,
    )
    for rt, suffix in zip(private_rts, suffixes, strict=True):
        aws.ec2.Route(
            f"{name}-private-{suffix}-ipv6",
            route_table_id=rt.id,
            destination_ipv6_cidr_block="::/0",
            egress_only_gateway_id=eigw.id,
            opts=child,
        )
    return eigw


def task_subnets(
    parent: pulumi.Resource,
    name: str,
    vpc: aws.ec2.Vpc,
    zones: list[str],
    eigw: aws.ec2.EgressOnlyInternetGateway,
    nat_gateways: list[aws.ec2.NatGateway],
) -> list[aws.ec2.Subnet]:
    """One IPv6-only subnet per AZ for the tasks, routed to the internet over IPv6 only."""
    child = pulumi.ResourceOptions(parent=parent)
    stack = pulumi.get_stack()
    out = []
    for i, az in enumerate(zones):
        suffix = az[-1]
        subnet = aws.ec2.Subnet(
            f"{name}-tasks-{suffix}",
            vpc_id=vpc.id,
            availability_zone=az,
            # CreateSubnet: Ipv6Native "Indicates whether to create an IPv6 only subnet";
            # Ipv6CidrBlock "is required for an IPv6 only subnet" (EC2 API reference).
            ipv6_native=True,
            ipv6_cidr_block=subnet_block(vpc.ipv6_cidr_block, TASKS_NETNUM + i),
            # Fargate assigns task ENIs an address from subnets that auto-assign IPv6 (ECS:
            # fargate-task-networking.html, dual-stack conditions).
            assign_ipv6_address_on_creation=True,
            # "For IPv6 only subnets, an instance DNS name must be based on the instance ID
            # (resource-name)" (EC2 API reference, ModifySubnetAttribute).
            private_dns_hostname_type_on_launch="resource-name",
            enable_resource_name_dns_aaaa_record_on_launch=True,
            # DNS64 needs a NAT gateway for the synthesized addresses to lead anywhere
            # (ModifySubnetAttribute EnableDns64; VPC user guide, DNS64 and NAT64).
            enable_dns64=True if nat_gateways else None,
            tags={"Name": f"{stack}-{name}-tasks-{suffix}", "Tier": "tasks"},
            opts=child,
        )
        nat = nat_gateways[i if len(nat_gateways) > 1 else 0] if nat_gateways else None
        _task_routes(parent, name, vpc, suffix, subnet, eigw, nat)
        out.append(subnet)
    return out


def _task_routes(
    parent: pulumi.Resource,
    name: str,
    vpc: aws.ec2.Vpc,
    suffix: str,
    subnet: aws.ec2.Subnet,
    eigw: aws.ec2.EgressOnlyInternetGateway,
    nat_gateway: aws.ec2.NatGateway | None,
) -> None:
    """The task subnet's own route table: ::/0 to the egress-only gateway, NAT64 to the AZ's
    NAT gateway (if any)."""
    child = pulumi.ResourceOptions(parent=parent)
    rt = aws.ec2.RouteTable(
        f"{name}-tasks-{suffix}",
        vpc_id=vpc.id,
        tags={"Name": f"{pulumi.get_stack()}-{name}-tasks-{suffix}"},
        opts=child,
    )
    aws.ec2.RouteTableAssociation(
        f"{name}-tasks-{suffix}", subnet_id=subnet.id, route_table_id=rt.id, opts=child
    )
    aws.ec2.Route(
        f"{name}-tasks-{suffix}-ipv6",
        route_table_id=rt.id,
        destination_ipv6_cidr_block="::/0",
        egress_only_gateway_id=eigw.id,
        opts=child,
    )
    if nat_gateway is not None:
        # NAT64: the NAT gateway translates 64:ff9b::/96 to IPv4
        # (https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-nat64-dns64.html).
        aws.ec2.Route(
            f"{name}-tasks-{suffix}-nat64",
            route_table_id=rt.id,
            destination_ipv6_cidr_block=NAT64_PREFIX,
            nat_gateway_id=nat_gateway.id,
            opts=child,
        )
