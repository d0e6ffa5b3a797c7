"""A stack's workloads on a cluster: what the single and service stacks both build.

Creates: the services, queue workers and scheduled tasks of the stack file (service.py,
worker.py, scheduled_task.py), the Service Connect admissions between services (each callee
admits exactly the services that declare they call it), the stack's dashboard, and the
services / scheduledTasks / workers outputs.
Expects: the cluster (a Cluster, or a service stack's view of its platform's), the VPC, the
task subnets for tasks with and without public IPs, and the load balancers services attach to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pulumi

from ..cluster import Cluster
from ..config import StackConfig
from ..dashboard import stack_dashboard
from ..load_balancer import LoadBalancer
from ..scheduled_task import ScheduledTask
from ..service import Service
from ..worker import Worker
from .exports import export_workloads


def build_workloads(
    config: StackConfig,
    *,
    cluster: Cluster,
    vpc_id: pulumi.Input[str],
    task_subnets: Callable[[bool], Sequence[pulumi.Input[str]]],
    load_balancers: Mapping[str, LoadBalancer],
) -> None:
    """`task_subnets(public_ip)`: where a task runs, given whether it asks for a public IP."""
    services = {
        name: Service(
            name,
            spec,
            config.placement(name),
            cluster=cluster,
            vpc_id=vpc_id,
            subnet_ids=task_subnets(spec.assign_public_ip),
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
            vpc_id=vpc_id,
            subnet_ids=task_subnets(spec.assign_public_ip),
        )
        for name, spec in config.workers.items()
    }
    scheduled_tasks = {
        name: ScheduledTask(
            name,
            spec,
            config.task_placement(spec),
            cluster=cluster,
            vpc_id=vpc_id,
            subnet_ids=task_subnets(spec.assign_public_ip),
        )
        for name, spec in config.scheduled_tasks.items()
    }
    for caller, spec in config.services.items():
        for callee in spec.service_connect.calls if spec.service_connect else []:
            services[callee].admit(caller, services[caller].security_group_id)
    if config.observability.dashboard:
        stack_dashboard(services, cluster_name=cluster.name, region=config.region)
    export_workloads(services, workers, scheduled_tasks)
