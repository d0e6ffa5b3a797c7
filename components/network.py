"""Network: a VPC with public and private subnets per AZ, egress per NAT strategy, endpoints.

Creates: VPC (DNS on), default security group stripped of rules, internet gateway; through its
parts, all children of this component: the public and private subnets and route tables
(network_subnets), NAT per strategy none | single | perAz | instance (network_nat), the S3
gateway endpoint and interface endpoints with their security group (network_endpoints). With
`ipv6`: an Amazon-provided /56, a /64 on every subnet, and network_ipv6's egress-only gateway,
routes and IPv6-only subnets. With `vpcId` it creates nothing and hands the given IDs on.
Expects: the stack's AZs (looked up) and region.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from . import network_ipv6, protection
from .config import ConfigError
from .network_endpoints import endpoints
from .network_nat import egress
from .network_subnets import subnets
from .specs.network import NetworkSpec


class Network(pulumi.ComponentResource):
    """VPC and subnets for one stack (or an adopted VPC)."""

    vpc_id: pulumi.Output[str]
    public_subnet_ids: list[pulumi.Output[str]]
    private_subnet_ids: list[pulumi.Output[str]]
    task_subnet_ids: list[pulumi.Output[str]]  # where tasks without a public IP run
    ipv6_cidr_block: pulumi.Output[str] | None
    availability_zones: list[str]
    cidr_block: str | None

    def __init__(
        self, name: str, spec: NetworkSpec, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ecs-platform:network:Network", name, None, opts)
        self.ipv6_cidr_block = None
        if spec.creates_vpc:
            self._create(name, spec)
        else:
            assert spec.vpc_id is not None
            self.vpc_id = pulumi.Output.from_input(spec.vpc_id)
            self.public_subnet_ids = [pulumi.Output.from_input(s) for s in spec.public_subnet_ids]
            self.private_subnet_ids = [pulumi.Output.from_input(s) for s in spec.private_subnet_ids]
            self.availability_zones = []
            self.cidr_block = spec.vpc_cidr_block
            self.task_subnet_ids = self.private_subnet_ids
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "publicSubnetIds": self.public_subnet_ids,
                "privateSubnetIds": self.private_subnet_ids,
            }
        )

    def _create(self, name: str, spec: NetworkSpec) -> None:
        self.availability_zones = self._zones(spec)
        self.cidr_block = spec.cidr_block
        vpc, igw = self._vpc(name, spec)
        self.vpc_id = vpc.id
        tiers = subnets(self, name, spec, vpc=vpc, igw=igw, zones=self.availability_zones)
        self.public_subnet_ids = [s.id for s in tiers.public]
        self.private_subnet_ids = [s.id for s in tiers.private]
        self.task_subnet_ids = self.private_subnet_ids
        gateways = egress(
            self,
            name,
            spec,
            vpc=vpc,
            public=tiers.public,
            private_rts=tiers.private_route_tables,
            zones=self.availability_zones,
            igw=igw,
        )
        if spec.ipv6 is not None:
            self.ipv6_cidr_block = vpc.ipv6_cidr_block
            suffixes = [az[-1] for az in self.availability_zones]
            eigw = network_ipv6.egress(
                self,
                name,
                vpc,
                tiers.public_route_table,
                tiers.private_route_tables,
                suffixes,
                igw,
            )
            if spec.ipv6_only_tasks:
                tasks = network_ipv6.task_subnets(
                    self, name, vpc, self.availability_zones, eigw, gateways
                )
                self.task_subnet_ids = [s.id for s in tasks]
        endpoints(
            self,
            name,
            spec,
            vpc=vpc,
            private=tiers.private,
            private_rts=tiers.private_route_tables,
        )

    def _zones(self, spec: NetworkSpec) -> list[str]:
        """The first `availabilityZones` available AZs of the region (a config error if the
        region has fewer)."""
        zones = aws.get_availability_zones(
            state="available", opts=pulumi.InvokeOptions(parent=self)
        )
        if len(zones.names) < spec.availability_zones:
            region = zones.id
            raise ConfigError(
                f"Pulumi.{pulumi.get_stack()}.yaml",
                "network.availabilityZones",
                f"{spec.availability_zones} AZs requested but {region} has {len(zones.names)} "
                f"({', '.join(zones.names)})",
            )
        return list(zones.names[: spec.availability_zones])

    def _vpc(self, name: str, spec: NetworkSpec) -> tuple[aws.ec2.Vpc, aws.ec2.InternetGateway]:
        """The VPC, its default security group emptied, and its internet gateway."""
        child = pulumi.ResourceOptions(parent=self)
        stack = pulumi.get_stack()
        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=spec.cidr_block,
            enable_dns_support=True,
            enable_dns_hostnames=True,  # interface endpoints with private DNS need both
            # network.ipv6: an Amazon-provided /56 (VPC user guide, "Add IPv6 support for your
            # VPC"); each subnet takes a /64 of it (network_ipv6).
            assign_generated_ipv6_cidr_block=True if spec.ipv6 is not None else None,
            tags={"Name": f"{stack}-{name}"},
            opts=protection.stateful(self),
        )
        # Security Hub EC2.2: the default security group allows no traffic.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default", vpc_id=vpc.id, ingress=[], egress=[], opts=child
        )
        igw = aws.ec2.InternetGateway(
            f"{name}-igw", vpc_id=vpc.id, tags={"Name": f"{stack}-{name}"}, opts=child
        )
        return vpc, igw
