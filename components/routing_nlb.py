"""NLB routing of a service: a listener of its own on the network load balancer.

Creates (children of the Service): the load balancer's ingress rule for the listener port
(`{service}-lb-{port}`, through LoadBalancer.ingress) and the listener `{service}-listener`:
TCP, or TLS with the load balancer's TLS policy and certificate, forwarding to the service's
target groups (target_groups.py).
Expects: the network load balancer (ARN, security group, TLS settings) and the listener port.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .load_balancer import LoadBalancer
from .specs.routing import ServiceLoadBalancerSpec
from .specs.service import ServicePlacement
from .target_groups import TargetGroups


class NetworkRouting:
    """NLB: TCP target groups, reached through a listener on the service's own port."""

    protocol = "TCP"
    namespace = "AWS/NetworkELB"  # CloudWatch metrics of the load balancer

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
    ) -> tuple[aws.lb.Listener, None]:
        """The listener on `port` (the service's listener port); an NLB has no test rule."""
        assert lb.arn is not None
        lb.ingress(f"{name}-lb-{port}", port, parent=parent)
        tls = lb.spec.https
        listener = aws.lb.Listener(
            f"{name}-listener",
            load_balancer_arn=lb.arn,
            port=port,
            protocol="TLS" if tls else "TCP",
            ssl_policy=lb.spec.ssl_policy if tls else None,
            certificate_arn=lb.spec.certificate_arn if tls else None,
            default_actions=[_forward(groups)],
            opts=opts,
        )
        return listener, None

    @staticmethod
    def url(lb: LoadBalancer, ref: ServiceLoadBalancerSpec, port: int) -> pulumi.Output[str] | None:
        """tcp:// or tls:// on the NLB's DNS name and the listener port."""
        assert lb.dns_name is not None
        return pulumi.Output.concat(
            "tls://" if lb.spec.https else "tcp://", lb.dns_name, f":{port}"
        )


def _forward(groups: TargetGroups) -> aws.lb.ListenerDefaultActionArgs:
    if groups.alternate is None:
        return aws.lb.ListenerDefaultActionArgs(
            type="forward", target_group_arn=groups.production.arn
        )
    return aws.lb.ListenerDefaultActionArgs(
        type="forward",
        forward=aws.lb.ListenerDefaultActionForwardArgs(
            target_groups=[
                aws.lb.ListenerDefaultActionForwardTargetGroupArgs(arn=arn, weight=weight)
                for arn, weight in groups.weights()
            ]
        ),
    )
