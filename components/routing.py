"""Routing of a service through its load balancer: what every kind of load balancer shares, and
the choice of the kind's own strategy (routing_alb.py: a listener rule; routing_nlb.py: a
listener).

Creates (children of the Service, names `{service}-{role}`): the tasks' ingress rule from the
load balancer's security group on the container port (`-from-lb`) and, on a load balancer
created here, its egress rule to the tasks (`-lb-to-tasks`); the target groups
(target_groups.py); what the kind attaches them with; for blue/green, canary and linear
deployments the role ECS shifts traffic with (deployment.py, `-deploy`).
Expects: the Service (parent) and its task security group, the load balancer, the VPC, the
deploying account.

Each service owns its target group and rule, so adding a service never edits the load balancer.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from . import deployment, operations, security_groups
from .load_balancer import LoadBalancer
from .routing_alb import ApplicationRouting
from .routing_nlb import NetworkRouting
from .specs.container import APP_CONTAINER
from .specs.routing import ServiceLoadBalancerSpec
from .specs.service import ServicePlacement, ServiceSpec
from .target_groups import target_groups

# One strategy per load balancer kind (`loadBalancers.<name>.type`): its target groups'
# protocol, its CloudWatch namespace, how it attaches them (`attach`) and where it answers (`url`).
KINDS: dict[str, ApplicationRouting | NetworkRouting] = {
    "application": ApplicationRouting(),
    "network": NetworkRouting(),
}


@dataclass(frozen=True)
class Route:
    """What the ECS service is given, and what must exist before it is created."""

    load_balancers: list[aws.ecs.ServiceLoadBalancerArgs]
    # CreateService fails unless the target group is already attached to a listener (or rule),
    # and ECS uses the traffic-shift role as soon as it deploys: its grant comes first.
    prerequisites: list[pulumi.Resource]
    traffic: operations.Traffic
    url: pulumi.Output[str] | None
    host_header: str | None  # the Host header the routing rule matches


def route(
    parent: pulumi.Resource,
    name: str,
    spec: ServiceSpec,
    placement: ServicePlacement,
    lb: LoadBalancer,
    tasks: aws.ec2.SecurityGroup,
    *,
    vpc_id: pulumi.Input[str],
    account: pulumi.Output[str],
) -> Route:
    """Route `lb`'s traffic for the service to its tasks (security group `tasks`)."""
    ref, port = spec.load_balancer, spec.container_port
    assert ref is not None and port is not None
    kind = KINDS[lb.spec.type]
    blue_green = spec.deployment.strategy != "ROLLING"
    _admit_load_balancer(parent, name, ref, port, lb, tasks)
    groups = target_groups(
        parent,
        name,
        spec,
        protocol=kind.protocol,
        vpc_id=vpc_id,
        ipv6=placement.ipv6_only,
        blue_green=blue_green,
    )
    # ECS owns the weights of a blue/green rule after the first deployment; never reset them.
    governed = pulumi.ResourceOptions(
        parent=parent, ignore_changes=["actions", "defaultActions"] if blue_green else None
    )
    listener_port = ref.listener_port or port
    production, test = kind.attach(
        parent, name, ref, listener_port, placement, lb, groups, governed
    )
    assert lb.arn_suffix is not None
    traffic = operations.Traffic(
        namespace=kind.namespace,
        load_balancer=lb.arn_suffix,
        target_groups=[g.arn_suffix for g in groups.all],
    )
    advanced = None
    prerequisites: list[pulumi.Resource] = [production, *([test] if test else [])]
    if groups.alternate is not None:
        role, grant = deployment.traffic_shift_role(parent, name, account)
        prerequisites.append(grant)
        advanced = aws.ecs.ServiceLoadBalancerAdvancedConfigurationArgs(
            alternate_target_group_arn=groups.alternate.arn,
            production_listener_rule=production.arn,
            test_listener_rule=test.arn if test is not None else None,
            role_arn=role.arn,
        )
    return Route(
        load_balancers=[
            aws.ecs.ServiceLoadBalancerArgs(
                target_group_arn=groups.production.arn,
                container_name=APP_CONTAINER,
                container_port=port,
                advanced_configuration=advanced,
            )
        ],
        prerequisites=prerequisites,
        traffic=traffic,
        url=kind.url(lb, ref, listener_port),
        host_header=ref.host_headers[0] if lb.dns_name is not None and ref.host_headers else None,
    )


def _admit_load_balancer(
    parent: pulumi.Resource,
    name: str,
    ref: ServiceLoadBalancerSpec,
    port: int,
    lb: LoadBalancer,
    tasks: aws.ec2.SecurityGroup,
) -> None:
    """The tasks admit the load balancer on the app port; a load balancer created here gets the
    matching egress rule (it has no egress of its own); a platform's load balancer seen from a
    service stack is not the stack's to change (the platform's grant egress covers it)."""
    child = pulumi.ResourceOptions(parent=parent)
    security_groups.allow_tcp(
        f"{name}-from-lb",
        direction="from",
        security_group_id=tasks.id,
        peer_security_group_id=lb.security_group_id,
        port=port,
        description=f"Load balancer {ref.name} to the app port",
        opts=child,
    )
    if lb.spec.existing is None and lb.owns_security_group:
        security_groups.allow_tcp(
            f"{name}-lb-to-tasks",
            direction="to",
            security_group_id=lb.security_group_id,
            peer_security_group_id=tasks.id,
            port=port,
            description=f"To the tasks of {name} (traffic and health checks)",
            opts=child,
        )
