"""Load balancing resources against the Elastic Load Balancing v2 and WAF API shapes."""

from __future__ import annotations

from typing import Any

from .core import Check, api, between


def _listener_rule_priority(value: Any, where: str) -> list[str]:
    if isinstance(value, int) and 1 <= value <= 50_000:
        return []
    return [f"{where}: listener rule priority must be 1..50000, got {value!r}"]


# "idle_timeout.timeout_seconds - The idle timeout value, in seconds. The valid range is
# 1-4000 seconds." / "deregistration_delay.timeout_seconds ... The range is 0-3600 seconds."
_idle_timeout = between(1, 4000, "idle_timeout.timeout_seconds")
_deregistration_delay = between(0, 3600, "deregistration_delay.timeout_seconds")

CHECKS: dict[str, list[Check]] = {
    "aws:lb/loadBalancer:LoadBalancer": [
        ("loadBalancerType", api("elbv2", "LoadBalancerTypeEnum")),
        ("ipAddressType", api("elbv2", "IpAddressType")),
    ],
    "aws:lb/listener:Listener": [
        ("protocol", api("elbv2", "ProtocolEnum")),
        ("port", api("elbv2", "Port")),
        ("defaultActions[].type", api("elbv2", "ActionTypeEnum")),
        ("defaultActions[].redirect.statusCode", api("elbv2", "RedirectActionStatusCodeEnum")),
        ("defaultActions[].redirect.protocol", api("elbv2", "RedirectActionProtocol")),
    ],
    "aws:lb/listenerRule:ListenerRule": [
        ("priority", _listener_rule_priority),
        ("actions[].type", api("elbv2", "ActionTypeEnum")),
    ],
    "aws:lb/targetGroup:TargetGroup": [
        ("protocol", api("elbv2", "ProtocolEnum")),
        ("port", api("elbv2", "Port")),
        ("targetType", api("elbv2", "TargetTypeEnum")),
        ("healthCheck.protocol", api("elbv2", "ProtocolEnum")),
        ("healthCheck.interval", api("elbv2", "HealthCheckIntervalSeconds")),
        ("healthCheck.timeout", api("elbv2", "HealthCheckTimeoutSeconds")),
        ("healthCheck.healthyThreshold", api("elbv2", "HealthCheckThresholdCount")),
        ("healthCheck.unhealthyThreshold", api("elbv2", "HealthCheckThresholdCount")),
    ],
    "aws:wafv2/webAclAssociation:WebAclAssociation": [
        ("resourceArn", api("wafv2", "ResourceArn")),
        ("webAclArn", api("wafv2", "ResourceArn")),
    ],
}
CHECKS["aws:lb/loadBalancer:LoadBalancer"] += [
    ("name", api("elbv2", "LoadBalancerName")),
    ("idleTimeout", _idle_timeout),
]
CHECKS["aws:lb/targetGroup:TargetGroup"] += [
    ("deregistrationDelay", _deregistration_delay),
]
