"""Worker: an ECS service without a load balancer that consumes an SQS queue.

Creates: the queue and its dead-letter queue unless an existing queue ARN is given, and the task
role's grant on exactly that queue (worker_queue.py); a `Service` child (log group, roles, task
definition, egress-only security group, ECS service) built from the worker's spec; its
backlog-per-task autoscaling, with a start from zero for a worker that may idle
(worker_scaling.py).
Expects: the cluster, VPC and subnets.

The ECS service ignores changes to desiredCount: autoscaling owns it, and `pulumi up` keeps the
live count. This file is the wiring: the queue and the scaling are pages of their own.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

from . import worker_queue, worker_scaling
from .cluster import Cluster
from .service import Service
from .specs.service import ServicePlacement
from .specs.workloads import WorkerSpec

# Importable from here, beside the Worker whose backlog policy uses them.
from .worker_scaling import SCALE_IN_COOLDOWN_SECONDS as SCALE_IN_COOLDOWN_SECONDS
from .worker_scaling import SCALE_OUT_COOLDOWN_SECONDS as SCALE_OUT_COOLDOWN_SECONDS


def _keep_live_desired_count(
    args: pulumi.ResourceTransformationArgs,
) -> pulumi.ResourceTransformationResult | None:
    if args.type_ != "aws:ecs/service:Service":
        return None
    return pulumi.ResourceTransformationResult(
        args.props,
        pulumi.ResourceOptions.merge(
            args.opts, pulumi.ResourceOptions(ignore_changes=["desiredCount"])
        ),
    )


class Worker(pulumi.ComponentResource):
    """One entry of `ecs-platform:workers`."""

    queue_url: pulumi.Output[str] | None
    queue_arn: pulumi.Output[str]
    service_name: pulumi.Output[str]
    log_group_name: str

    def __init__(
        self,
        name: str,
        spec: WorkerSpec,
        placement: ServicePlacement,
        *,
        cluster: Cluster,
        vpc_id: pulumi.Input[str],
        subnet_ids: Sequence[pulumi.Input[str]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("ecs-platform:worker:Worker", name, None, opts)
        queue = worker_queue.queue(self, name, spec.queue)
        self.queue_arn, self.queue_url = queue.arn, queue.url
        service = self._service(name, spec, placement, cluster, vpc_id, subnet_ids)
        self.service_name = service.service_name
        self.log_group_name = service.log_group_name
        worker_queue.grant_consume(
            self, name, task_role_arn=service.task_role_arn, queue_arn=queue.arn
        )
        worker_scaling.scale_on_backlog(
            self,
            name,
            spec.scaling,
            cluster_name=cluster.name,
            service_name=service.service_name,
            queue_name=queue.name,
            container_insights=placement.container_insights,
        )
        self.register_outputs(
            {
                "queueUrl": self.queue_url,
                "queueArn": self.queue_arn,
                "serviceName": self.service_name,
                "logGroup": self.log_group_name,
            }
        )

    def _service(
        self,
        name: str,
        spec: WorkerSpec,
        placement: ServicePlacement,
        cluster: Cluster,
        vpc_id: pulumi.Input[str],
        subnet_ids: Sequence[pulumi.Input[str]],
    ) -> Service:
        """The worker's tasks: a Service that starts at minCount and leaves the count to scaling."""
        return Service(
            name,
            spec.service_spec(desired_count=spec.scaling.min_count),
            placement,
            cluster=cluster,
            vpc_id=vpc_id,
            subnet_ids=subnet_ids,
            opts=pulumi.ResourceOptions(parent=self, transformations=[_keep_live_desired_count]),
        )
