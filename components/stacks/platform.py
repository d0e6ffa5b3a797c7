"""The platform stack: what a project's teams share, and what each team may use of it.

Creates: the network, the cluster (capacity, Service Connect namespace, ECS Exec logging) and
the load balancers with their default-404 listeners, as a single stack does (shared.py); per
team grant, on the granted ALB's security group, egress to the VPC's CIDR on each granted
container port (`{lb}-to-vpc-{port}`, one rule per load balancer and port however many grants
share it): the teams' tasks admit only that security group, and an ALB's group has no egress of
its own. No workload.
Exports: vpcId, clusterName, anywhere, loadBalancers (as a single stack) and `platform`, the
mapping service stacks read through a StackReference (vpc, subnets, cluster, namespace, exec
logging, alarm topic, region, each load balancer's ARNs, listener and security group, and the
teams' grants).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pulumi
import pulumi_aws as aws

from ..config import StackConfig
from ..load_balancer import LoadBalancer
from ..specs.platform import ANY_TEAM
from .exports import export_platform_parts
from .shared import Foundation, foundation


def build(config: StackConfig) -> None:
    base = foundation(config)
    cidr = config.network.vpc_cidr
    grant_egress(config, base.load_balancers, cidr)
    export_platform_parts(base.network.vpc_id, base.cluster, base.load_balancers)
    pulumi.export("platform", platform_output(config, base, cidr))


def grant_egress(
    config: StackConfig, load_balancers: dict[str, LoadBalancer], cidr: str | None
) -> None:
    """Each granted ALB may send to the VPC on each port some team was granted on it."""
    teams_by_port: dict[tuple[str, int], list[str]] = defaultdict(list)
    for team, grant in sorted(config.teams.items()):
        for port in grant.ports:
            teams_by_port[(grant.load_balancer, port)].append(
                "every other team" if team == ANY_TEAM else team
            )
    for (lb_name, port), teams in sorted(teams_by_port.items()):
        assert cidr is not None  # stack_kind_rules: a platform with teams knows its VPC's CIDR
        lb = load_balancers[lb_name]
        aws.vpc.SecurityGroupEgressRule(
            f"{lb_name}-to-vpc-{port}",
            security_group_id=lb.security_group_id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            cidr_ipv4=cidr,
            description=f"To team tasks on port {port} ({', '.join(teams)})",
            opts=pulumi.ResourceOptions(parent=lb),
        )


def platform_output(config: StackConfig, base: Foundation, cidr: str | None) -> dict[str, Any]:
    """The `platform` output: what a service stack attaches to."""
    cluster, network = base.cluster, base.network
    return {
        "vpcId": network.vpc_id,
        "vpcCidrBlock": cidr,
        "privateSubnetIds": network.private_subnet_ids,
        "publicSubnetIds": network.public_subnet_ids,
        "clusterArn": cluster.arn,
        "clusterName": cluster.name,
        "namespaceArn": cluster.namespace_arn,
        "execLogGroupArn": cluster.exec_log_group_arn,
        "execKmsKeyArn": cluster.exec_kms_key_arn,
        "alarmTopicArn": config.observability.alarm_topic_arn,
        "region": config.region,
        "loadBalancers": {
            name: {
                "arn": lb.arn,
                "arnSuffix": lb.arn_suffix,
                "dnsName": lb.dns_name,
                "listenerArn": lb.listener_arn,
                "securityGroupId": lb.security_group_id,
                "type": lb.spec.type,
                "https": lb.spec.https,
            }
            for name, lb in base.load_balancers.items()
        },
        "teams": {
            team: grant.model_dump(by_alias=True, mode="json")
            for team, grant in sorted(config.teams.items())
        },
    }
