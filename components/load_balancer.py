"""LoadBalancer: an ALB or NLB with its own security group and listeners, or an existing listener.

Creates: security group (ingress only from the configured client CIDRs on the listener ports;
no egress until a service adds a rule to its own tasks), the load balancer (ALB: invalid header
fields dropped, defensive desync mitigation, idle timeout, deletion protection; NLB: created with
its security group, because adding one later replaces the NLB, cross-zone on), and for an ALB a
default-404 listener: HTTPS with an ELB.17 TLS policy plus an HTTP listener that only redirects
when a certificate is set, plain HTTP otherwise. Optional access-log bucket (private, encrypted,
lifecycle-expired) and WAF association. NLB listeners belong to the services they forward to.
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

from . import iam, protection
from .aws_modules import resource_class
from .naming import aws_name
from .specs.load_balancer import LoadBalancerSpec

if TYPE_CHECKING:
    from pulumi_aws.wafv2 import WebAclAssociation

# Elastic Load Balancing's log-delivery account per Region for Regions opened before August
# 2022 (ELB user guide, "Attach a policy to your S3 bucket"); newer Regions use the service
# principal, which the bucket policy grants in every Region.
ELB_LOG_ACCOUNTS = {
    "us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980",
    "us-west-2": "797873946194", "af-south-1": "098369216593", "ap-east-1": "754344448648",
    "ap-south-1": "718504428378", "ap-northeast-1": "582318560864",
    "ap-northeast-2": "600734575887", "ap-northeast-3": "383597477331",
    "ap-southeast-1": "114774131450", "ap-southeast-2": "783225319266",
    "ca-central-1": "985666609251", "eu-central-1": "054676820928", "eu-west-1": "156460612806",
    "eu-west-2": "652711504416", "eu-west-3": "009996457667", "eu-south-1": "635631232127",
    "eu-north-1": "897822967062", "me-south-1": "076674570225", "sa-east-1": "507241528517",
}  # fmt: skip
NOT_FOUND = aws.lb.ListenerDefaultActionArgs(
    type="fixed-response",
    fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
        content_type="text/plain", message_body="Not Found", status_code="404"
    ),
)


class LoadBalancer(pulumi.ComponentResource):
    """One entry of `ecs-platform:loadBalancers`."""

    spec: LoadBalancerSpec
    security_group_id: pulumi.Output[str]
    listener_arn: pulumi.Output[str] | None  # where ALB services add their rules
    arn: pulumi.Output[str] | None
    arn_suffix: pulumi.Output[str] | None
    dns_name: pulumi.Output[str] | None
    client_cidrs: list[str]

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
        self.ipv6_clients = _ipv6_clients(spec, ip_address_type, vpc_ipv6_cidr)
        if spec.existing is not None:
            self.security_group_id = pulumi.Output.from_input(spec.existing.security_group_id)
            self.listener_arn = pulumi.Output.from_input(spec.existing.listener_arn)
            self.arn = self.dns_name = None
            # listener/app/<name>/<lb-id>/<listener-id> -> app/<name>/<lb-id> (metric dimension)
            suffix = spec.existing.listener_arn.split(":listener/", 1)[1].rsplit("/", 1)[0]
            self.arn_suffix = pulumi.Output.from_input(suffix)
            self.register_outputs({"listenerArn": self.listener_arn})
            return
        child = pulumi.ResourceOptions(parent=self)
        sg = aws.ec2.SecurityGroup(
            f"{name}-lb",
            vpc_id=vpc_id,
            description=f"Load balancer {name}: clients in, traffic out only to its services",
            opts=child,
        )
        self.security_group_id = sg.id
        if spec.type == "application":
            ports = {"https": 443, "http": 80} if spec.https else {"http": 80}
            for role, port in ports.items():
                self._ingress(f"{name}-lb-{role}", port)

        access_logs, log_policy = None, None
        if spec.access_logs is not None and spec.access_logs.enabled:
            bucket, log_policy = self._log_bucket(name, spec, region)
            access_logs = aws.lb.LoadBalancerAccessLogsArgs(
                bucket=bucket.bucket, prefix=name, enabled=True
            )
        lb = aws.lb.LoadBalancer(
            f"{name}-lb",
            name=aws_name(pulumi.get_stack(), name),
            load_balancer_type=spec.type,
            internal=spec.internal,
            subnets=subnet_ids,
            security_groups=[sg.id],  # NLBs too: security groups cannot be added later
            ip_address_type=ip_address_type,
            enable_deletion_protection=spec.deletion_protection,
            access_logs=access_logs,
            **self._type_settings(spec),
            # ELB checks that it may write to the bucket when logging is turned on.
            opts=protection.stateful(
                self, depends_on=[log_policy] if log_policy is not None else []
            ),
        )
        self.arn, self.arn_suffix, self.dns_name = lb.arn, lb.arn_suffix, lb.dns_name
        self.listener_arn = None
        if spec.type == "application":
            self.listener_arn = self._alb_listeners(name, spec, lb)
        if spec.web_acl_arn is not None:
            association = cast(
                "type[WebAclAssociation]",  # its module alone, not WAFv2's rule types
                resource_class("wafv2", "web_acl_association", "WebAclAssociation"),
            )
            association(
                f"{name}-waf", resource_arn=lb.arn, web_acl_arn=spec.web_acl_arn, opts=child
            )
        self.register_outputs({"arn": lb.arn, "dnsName": lb.dns_name, "securityGroupId": sg.id})

    def ingress(self, rule_name: str, port: int, parent: pulumi.Resource) -> None:
        """Admit the clients on `port` (NLB services call this for their listener port)."""
        self._ingress(rule_name, port, parent)

    def _ingress(self, rule_name: str, port: int, parent: pulumi.Resource | None = None) -> None:
        for i, cidr in enumerate(self.client_cidrs):
            aws.vpc.SecurityGroupIngressRule(
                rule_name if i == 0 else f"{rule_name}-{i}",
                security_group_id=self.security_group_id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                cidr_ipv4=cidr if ":" not in cidr else None,
                cidr_ipv6=cidr if ":" in cidr else None,
                description=f"Clients to port {port}",
                opts=pulumi.ResourceOptions(parent=parent or self),
            )
        if self.ipv6_clients is not None:
            aws.vpc.SecurityGroupIngressRule(
                f"{rule_name}-ipv6",
                security_group_id=self.security_group_id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                cidr_ipv6=self.ipv6_clients,
                description=f"IPv6 clients to port {port}",
                opts=pulumi.ResourceOptions(parent=parent or self),
            )

    @staticmethod
    def _type_settings(spec: LoadBalancerSpec) -> dict[str, Any]:
        if spec.type == "network":
            return {"enable_cross_zone_load_balancing": True}
        return {
            "drop_invalid_header_fields": True,  # Security Hub ELB.4
            "desync_mitigation_mode": "defensive",  # Security Hub ELB.12
            "idle_timeout": spec.idle_timeout_seconds,
            "enable_http2": True,
        }

    def _alb_listeners(
        self, name: str, spec: LoadBalancerSpec, lb: aws.lb.LoadBalancer
    ) -> pulumi.Output[str]:
        child = pulumi.ResourceOptions(parent=self)
        if not spec.https:
            http = aws.lb.Listener(
                f"{name}-http",
                load_balancer_arn=lb.arn,
                port=80,
                protocol="HTTP",
                default_actions=[NOT_FOUND],
                opts=child,
            )
            return http.arn
        https = aws.lb.Listener(
            f"{name}-https",
            load_balancer_arn=lb.arn,
            port=443,
            protocol="HTTPS",
            ssl_policy=spec.ssl_policy,
            certificate_arn=spec.certificate_arn,
            default_actions=[NOT_FOUND],
            opts=child,
        )
        aws.lb.Listener(
            f"{name}-http",
            load_balancer_arn=lb.arn,
            port=80,
            protocol="HTTP",
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(
                    type="redirect",
                    redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                        protocol="HTTPS", port="443", status_code="HTTP_301"
                    ),
                )
            ],
            opts=child,
        )
        return https.arn

    def _log_bucket(
        self, name: str, spec: LoadBalancerSpec, region: str
    ) -> tuple[aws.s3.Bucket, aws.s3.BucketPolicy]:
        child = pulumi.ResourceOptions(parent=self)
        assert spec.access_logs is not None
        bucket = aws.s3.Bucket(
            f"{name}-logs",
            # Without deletion protection (dev) a teardown must not stall on old log objects.
            force_destroy=not spec.deletion_protection,
            opts=protection.stateful(self, retained=True),
        )
        aws.s3.BucketPublicAccessBlock(
            f"{name}-logs",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-logs",
            bucket=bucket.id,
            # ELB log delivery supports SSE-S3 only.
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="AES256"
                    )
                )
            ],
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-logs",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-access-logs",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=f"{name}/"),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                        days=spec.access_logs.retention_days
                    ),
                )
            ],
            opts=child,
        )
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(parent=self))
        policy = aws.s3.BucketPolicy(
            f"{name}-logs",
            bucket=bucket.id,
            policy=pulumi.Output.all(bucket.arn, identity.account_id).apply(
                lambda a: _log_bucket_policy(a[0], a[1], name, region, spec.type == "network")
            ),
            opts=child,
        )
        return bucket, policy


def _ipv6_clients(
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


def _log_bucket_policy(
    bucket_arn: str, account: str, prefix: str, region: str, network: bool
) -> str:
    """Who may write access logs: ELB log delivery (ALB), or CloudWatch's vended-log delivery
    for an NLB (TLS listeners), which also reads the bucket ACL; both only for this account."""
    objects = f"{bucket_arn}/{prefix}/AWSLogs/{account}/*"
    if network:
        from_logs = {"ArnLike": {"aws:SourceArn": f"arn:aws:logs:{region}:{account}:*"}}
        delivery: list[dict[str, object]] = [
            {
                "Sid": "NlbLogDeliveryWrite",
                "Effect": "Allow",
                "Principal": {"Service": "delivery.logs.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": objects,
                "Condition": {
                    "StringEquals": {
                        "aws:SourceAccount": account,
                        "s3:x-amz-acl": "bucket-owner-full-control",
                    },
                    **from_logs,
                },
            },
            {
                "Sid": "NlbLogDeliveryAclCheck",
                "Effect": "Allow",
                "Principal": {"Service": "delivery.logs.amazonaws.com"},
                "Action": "s3:GetBucketAcl",
                "Resource": bucket_arn,
                "Condition": {"StringEquals": {"aws:SourceAccount": account}, **from_logs},
            },
        ]
    else:
        delivery = [
            {
                "Sid": "ElbLogDelivery",
                "Effect": "Allow",
                "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": objects,
            }
        ]
        if region in ELB_LOG_ACCOUNTS:  # regions from before 2022 name an ELB account
            delivery.append(
                {
                    "Sid": "ElbLogDeliveryRegionalAccount",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ELB_LOG_ACCOUNTS[region]}:root"},
                    "Action": "s3:PutObject",
                    "Resource": objects,
                }
            )
    return iam.policy(
        [
            *delivery,
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [bucket_arn, f"{bucket_arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ]
    )
