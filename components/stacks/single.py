"""The single stack: network, cluster, load balancers and every workload of the stack file.

Creates: everything (components/network.py, cluster.py, load_balancer.py, service.py,
worker.py, scheduled_task.py), the Service Connect admissions between services and the stack's
dashboard. Exports: vpcId, clusterName, anywhere, loadBalancers, services, scheduledTasks,
workers.
"""

from __future__ import annotations

from ..config import StackConfig
from ..dashboard import stack_dashboard
from ..scheduled_task import ScheduledTask
from ..service import Service
from ..worker import Worker
from .exports import export_platform_parts, export_workloads
from .shared import foundation


def build(config: StackConfig) -> None:
    base = foundation(config)
    network, cluster, load_balancers = base.network, base.cluster, base.load_balancers
    services = {
        name: Service(
            name,
            spec,
            config.placement(name),
            cluster=cluster,
            vpc_id=network.vpc_id,
            subnet_ids=base.task_subnets(spec.assign_public_ip),
            load_balancer=load_balancers[spec.load_balancer.name] if spec.load_balancer else None,
        )
        for name, spec in config.services.items()
    }
    workers = {
        name: Worker(
            name,
            spec,
            config.task_placement(spec),
            cluster=cluster,
            vpc_id=network.vpc_id,
            subnet_ids=base.task_subnets(spec.assign_public_ip),
        )
        for name, spec in config.workers.items()
    }
    scheduled_tasks = {
        name: ScheduledTask(
            name,
            spec,
            config.task_placement(spec),
            cluster=cluster,
            vpc_id=network.vpc_id,
            subnet_ids=base.task_subnets(spec.assign_public_ip),
        )
        for name, spec in config.scheduled_tasks.items()
    }

    # Service Connect: each callee admits exactly the services that declare they call it.
    for caller, spec in config.services.items():
        for callee in spec.service_connect.calls if spec.service_connect else []:
            services[callee].admit(caller, services[caller].security_group_id)

    if config.observability.dashboard:
        stack_dashboard(services, cluster_name=cluster.name, region=config.region)

    export_platform_parts(network.vpc_id, cluster, load_balancers)
    export_workloads(services, workers, scheduled_tasks)
