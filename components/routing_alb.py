"""ALB routing of a service: a listener rule of its own on its load balancer's shared listener.

Creates (children of the Service): the production rule `{service}-rule` (its path and host
conditions, its priority) and, for blue/green, canary and linear deployments, the test rule
`{service}-test-rule`: the same conditions plus an `X-Ecs-Test-Traffic: <service>` header, from
inside the VPC only. Both forward to the service's target groups (target_groups.py).
Expects: the load balancer's listener, the rule priorities and the VPC CIDR (placement).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .load_balancer import LoadBalancer
from .specs.routing import ServiceLoadBalancerSpec
from .specs.service import ServicePlacement
from .target_groups import TargetGroups


class ApplicationRouting:
    """ALB: HTTP target groups, reached through a rule on the load balancer's listener."""

    protocol = "HTTP"
    namespace = "AWS/ApplicationELB"  # CloudWatch metrics of the load balancer

    @staticmethod
    def attach(
        parent: pulumi.Resource,
        name: str,
        ref: ServiceLoadBalancerSpec,
        port: int,
        placement: ServicePlacement,
        lb: LoadBalancer,
        groups: TargetGroups,
        opts: pulumi.ResourceOptions,
    ) -> tuple[aws.lb.ListenerRule, aws.lb.ListenerRule | None]:
        """The production rule, and the test rule of a blue/green deployment."""
        assert lb.listener_arn is not None and placement.rule_priority is not None
        conditions = _conditions(ref.path_patterns, ref.host_headers)
        rule = aws.lb.ListenerRule(
            f"{name}-rule",
            listener_arn=lb.listener_arn,
            priority=placement.rule_priority,
            conditions=conditions,
            actions=[_forward(groups)],
            opts=opts,
        )
        if groups.alternate is None:
            return rule, None
        assert placement.test_rule_priority is not None and placement.vpc_cidr
        # Test traffic reaches the new revision before production does: same rule plus a
        # header, from inside the VPC only (a lifecycle hook or a smoke test there).
        test_rule = aws.lb.ListenerRule(
            f"{name}-test-rule",
            listener_arn=lb.listener_arn,
            priority=placement.test_rule_priority,
            conditions=[
                *conditions,
                aws.lb.ListenerRuleConditionArgs(
                    http_header=aws.lb.ListenerRuleConditionHttpHeaderArgs(
                        http_header_name="X-Ecs-Test-Traffic", values=[name]
                    )
                ),
                aws.lb.ListenerRuleConditionArgs(
                    source_ip=aws.lb.ListenerRuleConditionSourceIpArgs(values=[placement.vpc_cidr])
                ),
            ],
            actions=[_forward(groups)],
            opts=opts,
        )
        return rule, test_rule

    @staticmethod
    def url(lb: LoadBalancer, ref: ServiceLoadBalancerSpec, port: int) -> pulumi.Output[str] | None:
        """Where the service answers: the first path pattern's prefix on the ALB's DNS name."""
        paths, hosts = ref.path_patterns, ref.host_headers
        spec = lb.spec
        path = (paths[0].rstrip("*") if paths else "/") or "/"
        scheme = "https://" if spec.https or spec.existing is not None else "http://"
        if lb.dns_name is None:
            # An existing load balancer: its DNS (and the host names on it) is the team's own.
            if hosts and "*" not in hosts[0]:
                return pulumi.Output.from_input(f"{scheme}{hosts[0]}{path}")
            return None
        # A load balancer created here answers at its own DNS name; a host header names a record
        # nobody created, so it is exported beside the URL (hostHeader), not as the URL's host.
        return pulumi.Output.concat(scheme, lb.dns_name, path)


def _forward(groups: TargetGroups) -> aws.lb.ListenerRuleActionArgs:
    if groups.alternate is None:
        return aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=groups.production.arn)
    return aws.lb.ListenerRuleActionArgs(
        type="forward",
        forward=aws.lb.ListenerRuleActionForwardArgs(
            target_groups=[
                aws.lb.ListenerRuleActionForwardTargetGroupArgs(arn=arn, weight=weight)
                for arn, weight in groups.weights()
            ]
        ),
    )


def _conditions(paths: list[str], hosts: list[str]) -> list[aws.lb.ListenerRuleConditionArgs]:
    """Path patterns (a catch-all when there are neither paths nor hosts) and host headers."""
    conditions = []
    if paths or not hosts:
        conditions.append(
            aws.lb.ListenerRuleConditionArgs(
                path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=paths or ["/*"])
            )
        )
    if hosts:
        conditions.append(
            aws.lb.ListenerRuleConditionArgs(
                host_header=aws.lb.ListenerRuleConditionHostHeaderArgs(values=hosts)
            )
        )
    return conditions
