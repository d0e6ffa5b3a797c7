"""Network: a VPC with public and private subnets per AZ, egress per NAT strategy, endpoints.

Creates: VPC (DNS on), default security group stripped of rules, internet gateway, one public
and one private subnet per AZ (CIDRs from NetworkSpec.subnet_cidrs), a public route table, one
private route table per AZ, NAT per strategy (none | single | perAz | instance), the S3 gateway
endpoint and interface endpoints with their security group. With `ipv6`: an Amazon-provided /56,
a /64 on every subnet, and network_ipv6's egress-only gateway, routes and IPv6-only subnets.
With `vpcId` it creates nothing and hands the given IDs on.
Expects: the stack's AZs (looked up) and region.

NAT gateways and their EIPs are keyed by AZ, and `single` uses the first AZ's, so moving from
single to perAz adds gateways without replacing the one in use (its public IP stays).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from . import network_ipv6, protection, security_groups
from .config import ConfigError
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
        child = pulumi.ResourceOptions(parent=self)
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
        self.availability_zones = list(zones.names[: spec.availability_zones])
        self.cidr_block = spec.cidr_block
        public_cidrs, private_cidrs = spec.subnet_cidrs()
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
        self.vpc_id = vpc.id
        # Security Hub EC2.2: the default security group allows no traffic.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default", vpc_id=vpc.id, ingress=[], egress=[], opts=child
        )
        igw = aws.ec2.InternetGateway(
            f"{name}-igw", vpc_id=vpc.id, tags={"Name": f"{stack}-{name}"}, opts=child
        )
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

        public, private, private_rts = [], [], []
        for i, az in enumerate(self.availability_zones):
            suffix = az[-1]
            pub = aws.ec2.Subnet(
                f"{name}-public-{suffix}",
                vpc_id=vpc.id,
                cidr_block=public_cidrs[i],
                availability_zone=az,
                map_public_ip_on_launch=False,  # Security Hub EC2.15; LBs need no public IP
                ipv6_cidr_block=_ipv6_block(vpc, spec, network_ipv6.PUBLIC_NETNUM + i),
                assign_ipv6_address_on_creation=True if spec.ipv6 is not None else None,
                tags={"Name": f"{stack}-{name}-public-{suffix}", "Tier": "public"},
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{suffix}", subnet_id=pub.id, route_table_id=public_rt.id, opts=child
            )
            prv = aws.ec2.Subnet(
                f"{name}-private-{suffix}",
                vpc_id=vpc.id,
                cidr_block=private_cidrs[i],
                availability_zone=az,
                map_public_ip_on_launch=False,
                ipv6_cidr_block=_ipv6_block(vpc, spec, network_ipv6.PRIVATE_NETNUM + i),
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
                f"{name}-private-{suffix}", subnet_id=prv.id, route_table_id=rt.id, opts=child
            )
            public.append(pub)
            private.append(prv)
            private_rts.append(rt)

        self.public_subnet_ids = [s.id for s in public]
        self.private_subnet_ids = [s.id for s in private]
        self.task_subnet_ids = self.private_subnet_ids
        gateways = self._egress(name, spec, vpc, public, private_rts, igw)
        if spec.ipv6 is not None:
            self.ipv6_cidr_block = vpc.ipv6_cidr_block
            suffixes = [az[-1] for az in self.availability_zones]
            eigw = network_ipv6.egress(self, name, vpc, public_rt, private_rts, suffixes, igw)
            if spec.ipv6_only_tasks:
                tasks = network_ipv6.task_subnets(
                    self, name, vpc, self.availability_zones, eigw, gateways
                )
                self.task_subnet_ids = [s.id for s in tasks]
        self._endpoints(name, spec, vpc, private, private_rts)

    def _egress(
        self,
        name: str,
        spec: NetworkSpec,
        vpc: aws.ec2.Vpc,
        public: list[aws.ec2.Subnet],
        private_rts: list[aws.ec2.RouteTable],
        igw: aws.ec2.InternetGateway,
    ) -> list[aws.ec2.NatGateway]:
        """NAT per strategy and the private 0.0.0.0/0 routes; the NAT gateways created."""
        child = pulumi.ResourceOptions(parent=self)
        suffixes = [az[-1] for az in self.availability_zones]
        if spec.nat_gateways == "none":
            return []
        if spec.nat_gateways == "instance":
            target = self._nat_instance(name, spec, vpc, public[0], igw)
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
        gateways = []
        for subnet, suffix in list(zip(public, suffixes, strict=True))[:count]:
            eip = aws.ec2.Eip(
                f"{name}-nat-{suffix}",
                domain="vpc",
                tags={"Name": f"{pulumi.get_stack()}-{name}-nat-{suffix}"},
                opts=child,
            )
            gateways.append(
                aws.ec2.NatGateway(
                    f"{name}-nat-{suffix}",
                    allocation_id=eip.allocation_id,
                    subnet_id=subnet.id,
                    tags={"Name": f"{pulumi.get_stack()}-{name}-nat-{suffix}"},
                    # A NAT gateway needs the IGW attached before it can route.
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
                )
            )
        for i, (rt, suffix) in enumerate(zip(private_rts, suffixes, strict=True)):
            aws.ec2.Route(
                f"{name}-private-{suffix}-egress",
                route_table_id=rt.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=gateways[i if count > 1 else 0].id,
                opts=child,
            )
        return gateways

    def _nat_instance(
        self,
        name: str,
        spec: NetworkSpec,
        vpc: aws.ec2.Vpc,
        subnet: aws.ec2.Subnet,
        igw: aws.ec2.InternetGateway,
    ) -> pulumi.Output[str]:
        child = pulumi.ResourceOptions(parent=self)
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
        ami = aws.ssm.get_parameter(name=NAT_INSTANCE_AMI, opts=pulumi.InvokeOptions(parent=self))
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
            root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(
                volume_type="gp3", encrypted=True
            ),
            tags={"Name": f"{pulumi.get_stack()}-{name}-nat"},
            # A newer AMI in SSM must not replace the instance (and cut egress) on a routine up.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[igw], ignore_changes=["ami"]),
        )
        return instance.primary_network_interface_id

    def _endpoints(
        self,
        name: str,
        spec: NetworkSpec,
        vpc: aws.ec2.Vpc,
        private: list[aws.ec2.Subnet],
        private_rts: list[aws.ec2.RouteTable],
    ) -> None:
        child = pulumi.ResourceOptions(parent=self)
        region = aws.get_region_output(opts=pulumi.InvokeOptions(parent=self)).region
        if "s3" in spec.vpc_endpoints:
            aws.ec2.VpcEndpoint(
                f"{name}-s3",
                vpc_id=vpc.id,
                service_name=pulumi.Output.concat("com.amazonaws.", region, ".s3"),
                vpc_endpoint_type="Gateway",
                route_table_ids=[rt.id for rt in private_rts],
                opts=child,
            )
        interface = [e for e in spec.vpc_endpoints if e != "s3"]
        if not interface:
            return
        assert spec.cidr_block is not None
        sg = aws.ec2.SecurityGroup(
            f"{name}-endpoints",
            vpc_id=vpc.id,
            description="Interface VPC endpoints: HTTPS from inside the VPC",
            opts=child,
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-endpoints-https",
            security_group_id=sg.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4=spec.cidr_block,
            description="HTTPS from inside the VPC",
            opts=child,
        )
        for endpoint in interface:
            aws.ec2.VpcEndpoint(
                f"{name}-{endpoint.replace('.', '-')}",
                vpc_id=vpc.id,
                service_name=pulumi.Output.concat("com.amazonaws.", region, f".{endpoint}"),
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=[s.id for s in private],
                security_group_ids=[sg.id],
                opts=child,
            )


def _ipv6_block(vpc: aws.ec2.Vpc, spec: NetworkSpec, netnum: int) -> pulumi.Output[str] | None:
    """A dual-stack subnet's /64 (none without network.ipv6). Every network interface created
    in such a subnet gets an IPv6 address too (`assign_ipv6_address_on_creation`), Fargate's
    condition for giving a task one (ECS fargate-task-networking.html)."""
    if spec.ipv6 is None:
        return None
    return network_ipv6.subnet_block(vpc.ipv6_cidr_block, netnum)
