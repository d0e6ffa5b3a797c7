"""The single stack: network, cluster, load balancers and every workload of the stack file.

Creates: the network, cluster and load balancers (shared.py), then the workloads (workloads.py:
services, workers, scheduled tasks, Service Connect admissions, dashboard). Exports: vpcId,
clusterName, anywhere, loadBalancers, services, scheduledTasks, workers.
"""

from __future__ import annotations

from ..config import StackConfig
from .exports import export_platform_parts
from .shared import foundation
from .workloads import build_workloads


def build(config: StackConfig) -> None:
    base = foundation(config)
    export_platform_parts(base.network.vpc_id, base.cluster, base.load_balancers)
    build_workloads(
        config,
        cluster=base.cluster,
        vpc_id=base.network.vpc_id,
        task_subnets=base.task_subnets,
        load_balancers=base.load_balancers,
    )
