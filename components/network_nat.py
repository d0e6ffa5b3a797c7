"""Egress of a new VPC's private subnets, per NAT strategy (`network.natGateways`).

Creates (children of the Network), for `single` and `perAz`: an Elastic IP and a NAT gateway
`{name}-nat-<az>` in the first AZ's public subnet (single) or in every AZ's (perAz); for
`instance`: the NAT instance `{name}-nat` (Graviton, Amazon Linux 2023 from SSM, IMDSv2 only,
encrypted gp3 root, source/destination check off) with its security group (any traffic in from
the VPC's CIDR, everything out). Then each private route table's 0.0.0.0/0 route
`{name}-private-<az>-egress` to its AZ's gateway, the single gateway, or the instance. `none`
creates nothing.
Expects: the VPC and its CIDR, the public subnets and private route tables in AZ order, the AZs
and the internet gateway (a NAT gateway or instance routes only once it is attached).

NAT gateways and their EIPs are keyed by AZ, and `single` uses the first AZ's, so moving from
single to perAz adds gateways without replacing the one in use (its public IP stays).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from . import security_groups
from .specs.network import NetworkSpec

NAT_INSTANCE_AMI = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"

# Amazon Linux 2023 NAT instance: forward and masquerade everything leaving the primary ENI.
NAT_USER_DATA = """#!/bin/bash
set -euo pipefail
dnf install -y iptables-services
echo 'net.ipv4.ip_forward = 1' > /etc/sysctl.d/90-nat.conf
sysctl --system
iface=$(ip route show default | awk '{print $5; exit}')
iptables -t nat -A POSTROUTING -o "$iface" -j MASQUERADE
iptables -F FORWARD
service iptables save
systemctl enable --now iptables
"""


def egress(
    parent: pulumi.Resource,
    name: str,
    spec: NetworkSpec,
    *,
    vpc: aws.ec2.Vpc,
    public: list[aws.ec2.Subnet],
    private_rts: list[aws.ec2.RouteTable],
    zones: list[str],
    igw: aws.ec2.InternetGateway,
) -> list[aws.ec2.NatGateway]:
    """NAT per strategy and the private 0.0.0.0/0 routes; the NAT gateways created."""
    child = pulumi.ResourceOptions(parent=parent)
    suffixes = [az[-1] for az in zones]
    if spec.nat_gateways == "none":
        return []
    if spec.nat_gateways == "instance":
        target = _nat_instance(parent, name, spec, vpc, public[0], igw)
        for rt, suffix in zip(private_rts, suffixes, strict=True):
            aws.ec2.Route(
                f"{name}-private-{suffix}-egress",
                route_table_id=rt.id,
                destination_cidr_block="0.0.0.0/0",
                network_interface_id=target,
                opts=child,
            )
        return []
    count = len(suffixes) if spec.nat_gateways == "perAz" else 1
    gateways = _nat_gateways(parent, name, public[:count], suffixes[:count], igw)
    for i, (rt, suffix) in enumerate(zip(private_rts, suffixes, strict=True)):
        aws.ec2.Route(
            f"{name}-private-{suffix}-egress",
            route_table_id=rt.id,
            destination_cidr_block="0.0.0.0/0",
            nat_gateway_id=gateways[i if count > 1 else 0].id,
            opts=child,
        )
    return gateways


def _nat_gateways(
    parent: pulumi.Resource,
    name: str,
    public: list[aws.ec2.Subnet],
    suffixes: list[str],
    igw: aws.ec2.InternetGateway,
) -> list[aws.ec2.NatGateway]:
    """One Elastic IP and NAT gateway in each of the given public subnets."""
    gateways = []
    for subnet, suffix in zip(public, suffixes, strict=True):
        eip = aws.ec2.Eip(
            f"{name}-nat-{suffix}",
            domain="vpc",
            tags={"Name": f"{pulumi.get_stack()}-{name}-nat-{suffix}"},
            opts=pulumi.ResourceOptions(parent=parent),
        )
        gateways.append(
            aws.ec2.NatGateway(
                f"{name}-nat-{suffix}",
                allocation_id=eip.allocation_id,
                subnet_id=subnet.id,
                tags={"Name": f"{pulumi.get_stack()}-{name}-nat-{suffix}"},
                # A NAT gateway needs the IGW attached before it can route.
                opts=pulumi.ResourceOptions(parent=parent, depends_on=[igw]),
            )
        )
    return gateways


def _nat_instance(
    parent: pulumi.Resource,
    name: str,
    spec: NetworkSpec,
    vpc: aws.ec2.Vpc,
    subnet: aws.ec2.Subnet,
    igw: aws.ec2.InternetGateway,
) -> pulumi.Output[str]:
    """The NAT instance and its security group; the ENI the private routes point at."""
    child = pulumi.ResourceOptions(parent=parent)
    assert spec.cidr_block is not None
    sg = security_groups.egress_only(
        f"{name}-nat",
        vpc_id=vpc.id,
        description="NAT instance: forwards traffic from the VPC to the internet",
        egress_name=f"{name}-nat-to-internet",
        egress_description="Forwarded traffic to the internet",
        opts=child,
    )
    aws.vpc.SecurityGroupIngressRule(
        f"{name}-nat-from-vpc",
        security_group_id=sg.id,
        ip_protocol="-1",
        cidr_ipv4=spec.cidr_block,
        description="Any traffic from inside the VPC",
        opts=child,
    )
    ami = aws.ssm.get_parameter(name=NAT_INSTANCE_AMI, opts=pulumi.InvokeOptions(parent=parent))
    instance = aws.ec2.Instance(
        f"{name}-nat",
        ami=ami.value,
        instance_type=spec.nat_instance_type,
        subnet_id=subnet.id,
        vpc_security_group_ids=[sg.id],
        associate_public_ip_address=True,  # egress from first boot (package install)
        source_dest_check=False,  # it forwards packets that are not addressed to it
        user_data=NAT_USER_DATA,
        metadata_options=aws.ec2.InstanceMetadataOptionsArgs(
            http_tokens="required", http_put_response_hop_limit=1
        ),
        root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(volume_type="gp3", encrypted=True),
        tags={"Name": f"{pulumi.get_stack()}-{name}-nat"},
        # A newer AMI in SSM must not replace the instance (and cut egress) on a routine up.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[igw], ignore_changes=["ami"]),
    )
    return instance.primary_network_interface_id
