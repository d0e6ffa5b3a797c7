"""The service stack: one team's workloads on a platform it does not own.

Creates: the team's services, workers and scheduled tasks (workloads.py) with their own task
security groups, whose only ingress is from the platform ALB's security group on the container
port (and from their Service Connect callers); each service's listener rule on the platform's
listener, at a priority inside the team's grant; the stack's dashboard. Creates nothing of the
platform: no VPC, subnet, cluster, load balancer, listener, namespace, and no rule on the
platform's security groups (the platform's grant egress reaches the team's ports).
Expects: `platform` (a StackReference to the platform stack's `platform` output, or existing
ARNs): platform_view.py.
Exports: services, scheduledTasks, workers.
"""

from __future__ import annotations

from ..config import StackConfig
from . import platform_view
from .workloads import build_workloads


def build(config: StackConfig) -> None:
    platform = config.platform
    assert platform is not None  # stack_kind_rules: required in a service stack
    if platform.stack is not None:
        view = platform_view.from_stack(config, platform.stack)
    else:
        view = platform_view.from_arns(config, platform)
    build_workloads(
        config,
        cluster=view.cluster,
        vpc_id=view.vpc_id,
        task_subnets=lambda _public_ip: view.subnet_ids,  # the platform's private subnets
        load_balancers=view.load_balancers,
    )
