"""A load balancer's own security group and the rules that admit its clients.

Creates: the security group `{name}-lb` (child of the LoadBalancer; no egress until a service
adds a rule to its own tasks), and per admitted port one ingress rule per client CIDR
(`<rule>`, then `<rule>-1`, ...: `{name}-lb-https` / `{name}-lb-http` for an ALB's listeners,
children of the LoadBalancer; `{service}-lb-<port>` for an NLB service's listener, children of
that service) plus, in an IPv6 network without configured allowedCidrs, its IPv6 twin
`<rule>-ipv6`.
Expects: the VPC ID, the client CIDRs, and the load balancer's IP address type and the VPC's
IPv6 block (for the IPv6 twin).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .specs.load_balancer import LoadBalancerSpec


def security_group(
    parent: pulumi.Resource, name: str, vpc_id: pulumi.Input[str]
) -> aws.ec2.SecurityGroup:
    return aws.ec2.SecurityGroup(
        f"{name}-lb",
        vpc_id=vpc_id,
        description=f"Load balancer {name}: clients in, traffic out only to its services",
        opts=pulumi.ResourceOptions(parent=parent),
    )


@dataclass(frozen=True)
class Clients:
    """Who may connect to a load balancer: its client CIDRs and, over IPv6, `ipv6`."""

    security_group_id: pulumi.Input[str]
    cidrs: list[str]
    ipv6: pulumi.Input[str] | None

    def admit(self, rule_name: str, port: int, parent: pulumi.Resource) -> None:
        """Ingress rules for the clients on `port`, children of `parent`."""
        opts = pulumi.ResourceOptions(parent=parent)
        for i, cidr in enumerate(self.cidrs):
            aws.vpc.SecurityGroupIngressRule(
                rule_name if i == 0 else f"{rule_name}-{i}",
                security_group_id=self.security_group_id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                cidr_ipv4=cidr if ":" not in cidr else None,
                cidr_ipv6=cidr if ":" in cidr else None,
                description=f"Clients to port {port}",
                opts=opts,
            )
        if self.ipv6 is not None:
            aws.vpc.SecurityGroupIngressRule(
                f"{rule_name}-ipv6",
                security_group_id=self.security_group_id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                cidr_ipv6=self.ipv6,
                description=f"IPv6 clients to port {port}",
                opts=opts,
            )


def ipv6_clients(
    spec: LoadBalancerSpec, ip_address_type: str, vpc_ipv6_cidr: pulumi.Input[str] | None
) -> pulumi.Input[str] | None:
    """Who may connect over IPv6 by default: whoever may over IPv4, in IPv6 terms.

    Internet-facing: ::/0 beside 0.0.0.0/0; internal: the VPC's IPv6 block beside its IPv4
    block. Configured allowedCidrs list their IPv6 CIDRs themselves; an ipv4 load balancer has
    no IPv6 listener address. Security group rules are per address family ("The security groups
    for the load balancer must allow IPv6 traffic", https://docs.aws.amazon.com/
    elasticloadbalancing/latest/application/load-balancer-ip-address-type.html).
    """
    if ip_address_type == "ipv4" or spec.allowed_cidrs is not None or spec.existing is not None:
        return None
    return vpc_ipv6_cidr if spec.internal else "::/0"
