"""LoadBalancer: an ALB or NLB with its own security group and listeners, or an existing listener.

Creates: the load balancer (ALB: invalid header fields dropped, defensive desync mitigation, idle
timeout, deletion protection; NLB: created with its security group, because adding one later
replaces the NLB, cross-zone on) and optional WAF association; through its parts, children of
this component: the security group with ingress only from the configured client CIDRs on the
listener ports, and no egress until a service adds a rule to its own tasks
(load_balancer_security_group); for an ALB a default-404 listener: HTTPS with an ELB.17 TLS
policy plus an HTTP listener that only redirects when a certificate is set, plain HTTP otherwise
(load_balancer_listeners); the optional access-log bucket, private, encrypted and
lifecycle-expired (load_balancer_logs). NLB listeners belong to the services they forward to.
With `existing`, creates nothing and hands on the given listener and security group.
Expects: VPC ID, the subnets it lives in (public or private), client CIDRs; in an IPv6 network
its IP address type (dualstack or dualstack-without-public-ipv4) and the VPC's IPv6 block, for
the IPv6 twin of each client rule (`-ipv6`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import pulumi
import pulumi_aws as aws

from . import protection
from .aws_modules import resource_class
from .load_balancer_listeners import alb_listeners
from .load_balancer_logs import access_log_bucket
from .load_balancer_security_group import Clients, ipv6_clients, security_group
from .naming import aws_name
from .specs.load_balancer import LoadBalancerSpec

if TYPE_CHECKING:
    from pulumi_aws.wafv2 import WebAclAssociation


class LoadBalancer(pulumi.ComponentResource):
    """One entry of `ecs-platform:loadBalancers`."""

    spec: LoadBalancerSpec
    security_group_id: pulumi.Output[str]
    listener_arn: pulumi.Output[str] | None  # where ALB services add their rules
    arn: pulumi.Output[str] | None
    arn_suffix: pulumi.Output[str] | None
    dns_name: pulumi.Output[str] | None
    client_cidrs: list[str]
    clients: Clients
    owns_security_group = True  # routing adds the egress to its services' tasks

    def __init__(
        self,
        name: str,
        spec: LoadBalancerSpec,
        *,
        region: str,
        vpc_id: pulumi.Input[str],
        subnet_ids: Sequence[pulumi.Input[str]],
        client_cidrs: list[str],
        ip_address_type: str = "ipv4",
        vpc_ipv6_cidr: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("ecs-platform:lb:LoadBalancer", name, None, opts)
        self.spec = spec
        self.client_cidrs = client_cidrs
        ipv6 = ipv6_clients(spec, ip_address_type, vpc_ipv6_cidr)
        if spec.existing is not None:
            self.security_group_id = pulumi.Output.from_input(spec.existing.security_group_id)
            self.clients = Clients(self.security_group_id, client_cidrs, ipv6)
            self.listener_arn = pulumi.Output.from_input(spec.existing.listener_arn)
            self.arn = self.dns_name = None
            self.arn_suffix = pulumi.Output.from_input(spec.existing.load_balancer_suffix)
            self.register_outputs({"listenerArn": self.listener_arn})
            return
        sg = security_group(self, name, vpc_id)
        self.security_group_id = sg.id
        self.clients = Clients(sg.id, client_cidrs, ipv6)
        if spec.type == "application":
            ports = {"https": 443, "http": 80} if spec.https else {"http": 80}
            for role, port in ports.items():
                self.ingress(f"{name}-lb-{role}", port, self)

        lb = self._load_balancer(name, spec, region, sg, subnet_ids, ip_address_type)
        self.arn, self.arn_suffix, self.dns_name = lb.arn, lb.arn_suffix, lb.dns_name
        self.listener_arn = None
        if spec.type == "application":
            self.listener_arn = alb_listeners(self, name, spec, lb)
        if spec.web_acl_arn is not None:
            # Loaded alone: the wafv2 package's rule types cost a plan 0.3 s (aws_modules).
            association = cast(
                "type[WebAclAssociation]",
                resource_class("wafv2", "web_acl_association", "WebAclAssociation"),
            )
            association(
                f"{name}-waf",
                resource_arn=lb.arn,
                web_acl_arn=spec.web_acl_arn,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({"arn": lb.arn, "dnsName": lb.dns_name, "securityGroupId": sg.id})

    def ingress(self, rule_name: str, port: int, parent: pulumi.Resource) -> None:
        """Admit the clients on `port` (NLB services call this for their listener port)."""
        self.clients.admit(rule_name, port, parent)

    def _load_balancer(
        self,
        name: str,
        spec: LoadBalancerSpec,
        region: str,
        sg: aws.ec2.SecurityGroup,
        subnet_ids: Sequence[pulumi.Input[str]],
        ip_address_type: str,
    ) -> aws.lb.LoadBalancer:
        access_logs, log_policy = None, None
        if spec.access_logs is not None and spec.access_logs.enabled:
            bucket, log_policy = access_log_bucket(self, name, spec, region)
            access_logs = aws.lb.LoadBalancerAccessLogsArgs(
                bucket=bucket.bucket, prefix=name, enabled=True
            )
        return aws.lb.LoadBalancer(
            f"{name}-lb",
            name=aws_name(pulumi.get_stack(), name),
            load_balancer_type=spec.type,
            internal=spec.internal,
            subnets=subnet_ids,
            security_groups=[sg.id],  # NLBs too: security groups cannot be added later
            ip_address_type=ip_address_type,
            enable_deletion_protection=spec.deletion_protection,
            access_logs=access_logs,
            **_type_settings(spec),
            # ELB checks that it may write to the bucket when logging is turned on.
            opts=protection.stateful(
                self, depends_on=[log_policy] if log_policy is not None else []
            ),
        )


def _type_settings(spec: LoadBalancerSpec) -> dict[str, Any]:
    if spec.type == "network":
        return {"enable_cross_zone_load_balancing": True}
    return {
        "drop_invalid_header_fields": True,  # Security Hub ELB.4
        "desync_mitigation_mode": "defensive",  # Security Hub ELB.12
        "idle_timeout": spec.idle_timeout_seconds,
        "enable_http2": True,
    }
