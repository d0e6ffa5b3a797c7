"""The service stack: one team's workloads on a platform it does not own.

Creates: the team's services, workers and scheduled tasks (service.py, worker.py,
scheduled_task.py) with their own task security groups, whose only ingress is from the
platform ALB's security group on the container port (and from their Service Connect callers);
each service's listener rule on the platform's listener, at a priority inside the team's grant;
the stack's dashboard. Creates nothing of the platform: no VPC, subnet, cluster, load balancer,
listener, namespace, and no rule on the platform's security groups (the platform's grant egress
reaches the team's ports).
Expects: `platform` (a StackReference to the platform stack's `platform` output, or existing
ARNs): platform_view.py.
Exports: services, scheduledTasks, workers.
"""

from __future__ import annotations

from ..config import StackConfig
from ..dashboard import stack_dashboard
from ..scheduled_task import ScheduledTask
from ..service import Service
from ..worker import Worker
from . import platform_view
from .exports import export_workloads


def build(config: StackConfig) -> None:
    platform = config.platform
    assert platform is not None  # stack_kind_rules: required in a service stack
    if platform.stack is not None:
        view = platform_view.from_stack(config, platform.stack)
    else:
        view = platform_view.from_arns(config, platform)
    services = {
        name: Service(
            name,
            spec,
            config.placement(name),
            cluster=view.cluster,
            vpc_id=view.vpc_id,
            subnet_ids=view.subnet_ids,
            load_balancer=view.load_balancers[spec.load_balancer.name]
            if spec.load_balancer
            else None,
        )
        for name, spec in config.services.items()
    }
    workers = {
        name: Worker(
            name,
            spec,
            config.task_placement(spec),
            cluster=view.cluster,
            vpc_id=view.vpc_id,
            subnet_ids=view.subnet_ids,
        )
        for name, spec in config.workers.items()
    }
    scheduled_tasks = {
        name: ScheduledTask(
            name,
            spec,
            config.task_placement(spec),
            cluster=view.cluster,
            vpc_id=view.vpc_id,
            subnet_ids=view.subnet_ids,
        )
        for name, spec in config.scheduled_tasks.items()
    }
    for caller, spec in config.services.items():
        for callee in spec.service_connect.calls if spec.service_connect else []:
            services[callee].admit(caller, services[caller].security_group_id)
    if config.observability.dashboard:
        stack_dashboard(services, cluster_name=view.cluster.name, region=config.region)
    export_workloads(services, workers, scheduled_tasks)
