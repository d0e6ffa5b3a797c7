"""VPC endpoints of a new VPC (`network.vpcEndpoints`): AWS APIs without NAT.

Creates (children of the Network): with `s3`, the S3 gateway endpoint `{name}-s3` on every
private route table (free); with any interface endpoint, the security group `{name}-endpoints`
(HTTPS from the VPC's CIDR only, rule `{name}-endpoints-https`) and one interface endpoint per
name (`{name}-ecr-api`, `{name}-logs`, ...) in the private subnets, with private DNS so tasks
reach them under the service's usual hostname.
Expects: the VPC and its CIDR, the private subnets and their route tables, and the region.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .specs.network import NetworkSpec


def endpoints(
    parent: pulumi.Resource,
    name: str,
    spec: NetworkSpec,
    *,
    vpc: aws.ec2.Vpc,
    private: list[aws.ec2.Subnet],
    private_rts: list[aws.ec2.RouteTable],
) -> None:
    child = pulumi.ResourceOptions(parent=parent)
    region = aws.get_region_output(opts=pulumi.InvokeOptions(parent=parent)).region
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
