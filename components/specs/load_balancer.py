"""Load balancer spec: ALB or NLB, public or internal, HTTPS/TLS, or an existing listener."""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .common import Spec, SpecError, parse_arn

# Security Hub ELB.17's allow-list (not customizable in the control). The PQ policies are the
# console default; the API default, ELBSecurityPolicy-2016-08, is never acceptable.
TLS_POLICIES = (
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
)
TlsPolicy = Literal[
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
]
DEFAULT_TLS_POLICY: TlsPolicy = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
# CreateLoadBalancer IpAddressType (ELB API reference): ALBs take all three, NLBs ipv4 and
# dualstack. https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html
IpAddressType = Literal["ipv4", "dualstack", "dualstack-without-public-ipv4"]


def check_arn(value: str, service: str, resource_prefix: str, what: str) -> str:
    svc, _region, _account, resource = parse_arn(value)
    if svc != service or not resource.startswith(resource_prefix):
        raise ValueError(f"{value!r} is not {what} (arn:aws:{service}:...:{resource_prefix}...)")
    return value


class AccessLogsSpec(Spec):
    """ALB/NLB access logs to an S3 bucket the component creates."""

    enabled: bool = True
    retention_days: int = Field(
        90, ge=1, le=3650, description="Days before the bucket's lifecycle rule expires a log."
    )


class ExistingListenerSpec(Spec):
    """Attach services to a listener and security group managed elsewhere."""

    listener_arn: str = Field(description="ARN of the existing HTTPS or HTTP listener.")
    security_group_id: str = Field(
        pattern=r"^sg-[0-9a-f]{8}([0-9a-f]{9})?$",
        description="Security group of the existing load balancer (tasks admit only it).",
    )

    @field_validator("listener_arn")
    @classmethod
    def _listener(cls, value: str) -> str:
        return check_arn(
            value, "elasticloadbalancing", "listener/", "an Elastic Load Balancing listener ARN"
        )

    @property
    def load_balancer_suffix(self) -> str:
        """The load balancer's ARN suffix (its CloudWatch dimension), from the listener's ARN:
        listener/app/<name>/<lb-id>/<listener-id> -> app/<name>/<lb-id>."""
        return self.listener_arn.split(":listener/", 1)[1].rsplit("/", 1)[0]


class LoadBalancerSpec(Spec):
    """One entry of `ecs-platform:loadBalancers`."""

    type: Literal["application", "network"] = Field(
        "application", description="application (ALB, HTTP routing) or network (NLB, TCP/TLS)."
    )
    internal: bool = Field(
        False, description="Internal (private subnets) instead of internet-facing."
    )
    certificate_arn: str | None = Field(
        None,
        description="ACM certificate: ALB gets HTTPS plus an HTTP listener that only redirects; "
        "NLB listeners become TLS. Without it (dev) an ALB serves plain HTTP.",
    )
    ssl_policy: TlsPolicy = Field(
        DEFAULT_TLS_POLICY, description="TLS policy from Security Hub ELB.17's allow-list."
    )
    idle_timeout_seconds: int = Field(
        60, ge=1, le=4000, description="ALB idle connection timeout (longest request)."
    )
    deletion_protection: bool = Field(
        False, description="AWS refuses to delete the load balancer until this is turned off."
    )
    access_logs: AccessLogsSpec | None = Field(
        None, description="Access logs to an S3 bucket created for this load balancer."
    )
    allowed_cidrs: list[str] | None = Field(
        None,
        description="Client CIDRs allowed in; default 0.0.0.0/0 when internet-facing, the VPC "
        "CIDR when internal.",
    )
    web_acl_arn: str | None = Field(
        None, description="WAFv2 web ACL to associate with an ALB (Security Hub ELB.16)."
    )
    existing: ExistingListenerSpec | None = Field(
        None, description="Use an existing ALB listener instead of creating a load balancer."
    )
    rule_quota: int = Field(
        100,
        ge=1,
        description="Your account's quota 'Rules per Application Load Balancer' (default rules "
        "not counted): AWS's default 100, adjustable through Service Quotas. The config refuses "
        "more listener rules than this on one ALB.",
    )
    ip_address_type: IpAddressType | None = Field(
        None,
        description="ipv4, dualstack, or dualstack-without-public-ipv4 (internet-facing ALBs: "
        "IPv6 clients only, no public IPv4 addresses to pay for). Default: dualstack when "
        "network.ipv6 is set, else ipv4 (docs/ipv6.md).",
    )
    replacement_intended: bool = Field(
        False,
        description="Allow a change that replaces this load balancer or its listeners "
        "(new DNS name); the offline diff refuses such changes otherwise.",
    )

    @field_validator("certificate_arn")
    @classmethod
    def _certificate(cls, value: str | None) -> str | None:
        if value is None:
            return value
        return check_arn(value, "acm", "certificate/", "an ACM certificate ARN")

    @field_validator("web_acl_arn")
    @classmethod
    def _web_acl(cls, value: str | None) -> str | None:
        if value is None:
            return value
        return check_arn(value, "wafv2", "regional/webacl/", "a regional WAFv2 web ACL ARN")

    @field_validator("allowed_cidrs")
    @classmethod
    def _cidrs(cls, value: list[str] | None) -> list[str] | None:
        for cidr in value or []:
            try:
                ipaddress.ip_network(cidr)
            except ValueError:
                raise ValueError(
                    f"{cidr!r} is not a CIDR block with no host bits set (e.g. 203.0.113.0/24)"
                ) from None
        if value is not None and not value:
            raise ValueError("empty list admits nobody; omit the key for the default")
        return value

    @model_validator(mode="after")
    def _combinations(self) -> LoadBalancerSpec:
        if self.existing is not None:
            if self.type != "application":
                raise SpecError("existing", "attaching to an existing listener needs an ALB")
            for key in (
                "certificate_arn",
                "access_logs",
                "web_acl_arn",
                "allowed_cidrs",
                "ip_address_type",
            ):
                if getattr(self, key) is not None:
                    raise SpecError(
                        key, "belongs to the existing load balancer; set it where it is managed"
                    )
        if self.type == "network" and self.web_acl_arn is not None:
            raise SpecError("webAclArn", "WAF attaches to ALBs only, not NLBs")
        if self.ip_address_type == "dualstack-without-public-ipv4":
            if self.type == "network":
                raise SpecError(
                    "ipAddressType",
                    "dualstack-without-public-ipv4 is an ALB type; an NLB takes ipv4 or "
                    "dualstack (ELB API reference, CreateLoadBalancer IpAddressType)",
                )
            if self.internal:
                raise SpecError(
                    "ipAddressType",
                    "dualstack-without-public-ipv4 drops an internet-facing ALB's public IPv4 "
                    "addresses; an internal ALB has none, use dualstack",
                )
        return self

    @property
    def https(self) -> bool:
        return self.certificate_arn is not None
