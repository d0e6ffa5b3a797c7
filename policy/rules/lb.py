"""Load balancer, listener and target group rules: TLS, logs, WAF, AZs, health checks."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from . import types as t
from .base import SH, Finding, Resource, Rule, Stack, as_list, azs_spanned, truthy

# Security Hub ELB.17's parameter (not customizable); kept in step with the control text.
ELB17_POLICIES = (
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
)


def _kind(r: Resource) -> str:
    return str(r.props.get("loadBalancerType") or "application")


def _internet_facing(r: Resource) -> bool:
    return not truthy(r.props.get("internal"))


def deletion_protection(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    if not truthy(r.props.get("enableDeletionProtection")):
        yield "enableDeletionProtection is not true (ELB.6); set deletionProtection in config"


def _kept_days(stack: Stack, bucket: Any) -> int | None:
    """Days the access-log bucket keeps objects (its shortest enabled expiration), None when
    nothing in the plan expires them."""
    days = [
        int((rule.get("expiration") or {})["days"])
        for lifecycle in stack.of_type(*t.BUCKET_LIFECYCLE)
        if lifecycle.props.get("bucket") == bucket
        for rule in as_list(lifecycle.props.get("rules"))
        if rule.get("status") == "Enabled" and (rule.get("expiration") or {}).get("days")
    ]
    return min(days) if days else None


def access_logs(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    need = int(cfg["minRetentionDays"])
    for lb in stack.of_type(*t.LOAD_BALANCER):
        kind = _kind(lb)
        if kind == "gateway":
            continue
        if kind == "network":
            tls = [
                listener
                for listener in stack.dependents(lb, *t.LISTENER)
                if listener.props.get("protocol") == "TLS"
            ]
            if not tls:
                continue
        logs = lb.props.get("accessLogs") or {}
        if not (truthy(logs.get("enabled")) and logs.get("bucket")):
            yield Finding(lb.urn, "access logs are off (ELB.5); set accessLogs in config")
            continue
        kept = _kept_days(stack, logs.get("bucket"))
        if kept is not None and kept < need:
            yield Finding(
                lb.urn,
                f"access logs are kept {kept} day(s); keep at least {need} "
                "(accessLogs.retentionDays)",
            )


def alb_headers(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    if _kind(r) != "application":
        return
    if not truthy(r.props.get("dropInvalidHeaderFields")):
        yield "dropInvalidHeaderFields is not true (ELB.4)"
    mode = r.props.get("desyncMitigationMode") or "defensive"
    if mode not in ("defensive", "strictest"):
        yield f"desyncMitigationMode is {mode}; use defensive or strictest (ELB.12)"


def lb_multi_az(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    need = int(cfg["minAzs"])
    for lb in stack.of_type(*t.LOAD_BALANCER):
        listed = as_list(lb.props.get("subnets")) or as_list(lb.props.get("subnetMappings"))
        azs = azs_spanned(stack, lb, listed)
        if azs < need:
            yield Finding(lb.urn, f"load balancer spans {azs} AZ(s); at least {need} (ELB.13)")
        if _kind(lb) == "network" and not truthy(lb.props.get("enableCrossZoneLoadBalancing")):
            yield Finding(lb.urn, "NLB cross-zone load balancing is off (CKV_AWS_152)")


def _redirects_to_https(listener: Resource) -> bool:
    actions = as_list(listener.props.get("defaultActions"))
    if len(actions) != 1 or actions[0].get("type") != "redirect":
        return False
    return (actions[0].get("redirect") or {}).get("protocol") == "HTTPS"


def listener_encrypted(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    protocol = r.props.get("protocol")
    if protocol in ("HTTPS", "TLS"):
        return
    if protocol == "HTTP" and _redirects_to_https(r):
        return  # ELB.1; the ELB.18 finding on redirect-only listeners is accepted (docs)
    allowed = cfg["allowedPlainProtocols"]
    if protocol in allowed:
        return
    # A public certificate from ACM is free and is issued once DNS validation proves the
    # domain is yours: https://docs.aws.amazon.com/acm/latest/userguide/gs-acm-request-public.html
    yield (
        f"{protocol} listener on port {r.props.get('port')} carries unencrypted traffic "
        "(ELB.1, ELB.18). To serve HTTPS: request a public certificate for your domain in AWS "
        "Certificate Manager (ACM, free; validate it by DNS), then set "
        "loadBalancers.<name>.certificateArn to its ARN; plain HTTP then only redirects"
    )


def tls_policy(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    if r.props.get("protocol") not in ("HTTPS", "TLS"):
        return
    policy = r.props.get("sslPolicy")
    if policy not in ELB17_POLICIES:
        shown = policy or "not set (the API default is ELBSecurityPolicy-2016-08)"
        yield f"sslPolicy is {shown}; use one of ELB.17's policies"


# Ports that carry HTTP by convention (IANA: http, https, http-alt and the usual dev ports).
HTTP_PORTS = (80, 443, 3000, 5000, 8000, 8008, 8080, 8081, 8443, 8888, 9000)


def _serves_http(stack: Stack, listener: Resource) -> int | None:
    """The HTTP port an NLB listener carries (its own, or its targets'), or None. An ALPN
    policy on a TLS listener is HTTP too."""
    if listener.props.get("alpnPolicy"):
        return int(listener.props.get("port") or 0)
    ports = [int(listener.props.get("port") or 0)]
    for tg in stack.deps(listener, *t.TARGET_GROUP):
        ports.append(int(tg.props.get("port") or 0))
        health = tg.props.get("healthCheck") or {}
        if health.get("protocol") in ("HTTP", "HTTPS"):
            return int(tg.props.get("port") or ports[0])
    return next((p for p in ports if p in HTTP_PORTS), None)


def waf(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    for lb in stack.of_type(*t.LOAD_BALANCER):
        if not _internet_facing(lb):
            continue
        if _kind(lb) == "network":
            # WAF attaches to ALBs, not NLBs: HTTP through an internet-facing NLB skips it.
            # https://docs.aws.amazon.com/waf/latest/developerguide/how-aws-waf-works-resources.html
            for listener in stack.dependents(lb, *t.LISTENER):
                port = _serves_http(stack, listener)
                if port is not None:
                    yield Finding(
                        listener.urn,
                        f"serves HTTP (port {port}) through an internet-facing NLB, where no WAF "
                        "web ACL can inspect it (ELB.16); serve HTTP through an ALB",
                    )
            continue
        if _kind(lb) == "application" and not stack.dependents(lb, *t.WAF_ASSOCIATION):
            yield Finding(lb.urn, "internet-facing ALB without a WAF web ACL (ELB.16)")


def lb_security_groups(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    if _kind(r) == "gateway":
        return
    if not as_list(r.props.get("securityGroups")):
        yield (
            "no securityGroups: an NLB created without one can never get one (a change would "
            "replace it), and an ALB falls back to the VPC default group"
        )


HEALTH_KEYS = ("interval", "timeout", "healthyThreshold", "unhealthyThreshold")


def target_group_health(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    allowed = cfg["targetTypes"]
    target_type = r.props.get("targetType") or "instance"
    if target_type not in allowed:
        yield f"targetType is {target_type}; awsvpc tasks register by IP (use ip)"
    if target_type == "lambda":
        return
    hc = r.props.get("healthCheck") or {}
    if hc.get("enabled") is False:
        yield "health check is disabled"
        return
    missing = [k for k in HEALTH_KEYS if hc.get(k) is None]
    if r.props.get("protocol") in ("HTTP", "HTTPS"):
        missing += [k for k in ("path", "matcher") if not hc.get(k)]
    if missing:
        yield f"health check leaves {', '.join(missing)} to defaults (CKV_AWS_261)"
    if r.props.get("deregistrationDelay") is None:
        yield "deregistrationDelay is not set (default 300 s slows every deployment)"


def target_group_encrypted(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    if (r.props.get("targetType") or "instance") == "lambda":
        return
    if r.props.get("protocol") not in ("HTTPS", "TLS", "QUIC"):
        yield f"target group protocol {r.props.get('protocol')} is unencrypted (ELB.22)"
    hc = r.props.get("healthCheck") or {}
    if hc.get("protocol") not in ("HTTPS",) and r.props.get("protocol") != "TLS":
        yield f"health check protocol {hc.get('protocol')} is unencrypted (ELB.21)"


RULES = [
    Rule("lb-deletion-protection", "LB-01",
         (f"{SH} ELB.6", "CKV_AWS_150", "AWSGuard elb-deletion-protection-enabled"),
         "Load balancers have deletion protection", "medium",
         ("disabled", "advisory", "mandatory"), t.LOAD_BALANCER, deletion_protection),
    Rule("lb-access-logs", "LB-02",
         (f"{SH} ELB.5", "CKV_AWS_91", "AWSGuard elb-logging-enabled"),
         "ALBs (and NLBs with TLS listeners) write access logs to S3 and keep them long "
         "enough", "medium",
         ("advisory", "mandatory", "mandatory"), stack_check=access_logs,
         config={"minRetentionDays": 7}),
    Rule("lb-alb-header-hygiene", "LB-03",
         (f"{SH} ELB.4", f"{SH} ELB.12", "CKV_AWS_131", "CKV_AWS_328"),
         "ALBs drop invalid header fields and use defensive or strictest desync mitigation",
         "medium", ("mandatory",) * 3, t.LOAD_BALANCER, alb_headers),
    Rule("lb-multi-az", "LB-04", (f"{SH} ELB.13", "CKV_AWS_152", "ECS BPG Capacity"),
         "Load balancers span enough AZs (2; 3 in prod); NLBs balance across zones", "medium",
         ("advisory", "mandatory", "mandatory"), stack_check=lb_multi_az, config={"minAzs": 2}),
    Rule("lb-listener-encrypted", "LB-05",
         (f"{SH} ELB.1", f"{SH} ELB.18", "CKV_AWS_2", "CKV2_AWS_20",
          "AWSGuard alb-http-to-https-redirection"),
         "Listeners are HTTPS/TLS; plain HTTP only as a redirect to HTTPS", "high",
         ("advisory", "mandatory", "mandatory"), t.LISTENER, listener_encrypted,
         config={"allowedPlainProtocols": []}),
    Rule("lb-tls-policy", "LB-06",
         (f"{SH} ELB.17", "CKV_AWS_103", "CKV2_AWS_74"),
         "HTTPS/TLS listeners set a TLS policy from ELB.17's list", "high", ("mandatory",) * 3,
         t.LISTENER, tls_policy),
    Rule("lb-waf", "LB-07", (f"{SH} ELB.16", "CKV2_AWS_28"),
         "Internet-facing ALBs are associated with a WAF web ACL, and no HTTP is served "
         "through an internet-facing NLB (which WAF cannot protect)", "medium",
         ("disabled", "advisory", "mandatory"), stack_check=waf),
    Rule("lb-security-groups", "LB-08",
         (f"{SH} EC2.18", "ELB docs Update the security groups for your NLB"),
         "Load balancers (NLBs too) are created with their own security group", "medium",
         ("mandatory",) * 3, t.LOAD_BALANCER, lb_security_groups),
    Rule("lb-target-group-health", "LB-09",
         ("CKV_AWS_261", "ECS BPG Load balancer health check parameters",
          "ECS BPG Load balancer connection draining"),
         "Target groups: ip targets, explicit health check and deregistration delay", "medium",
         ("mandatory",) * 3, t.TARGET_GROUP, target_group_health, config={"targetTypes": ["ip"]}),
    Rule("lb-target-group-encrypted", "LB-09",
         (f"{SH} ELB.21", f"{SH} ELB.22", "CKV_AWS_378"),
         "Target groups and their health checks use encrypted protocols (end-to-end TLS)",
         "low", ("disabled", "advisory", "advisory"), t.TARGET_GROUP, target_group_encrypted),
]  # fmt: skip
