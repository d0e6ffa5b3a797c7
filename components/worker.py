"""Worker: an ECS service without a load balancer that consumes an SQS queue.

Creates: the queue (SSE, redrive to a dead-letter queue after maxReceiveCount receives) and its
dead-letter queue, unless an existing queue ARN is given; a `Service` child (log group, roles,
task definition, egress-only security group, ECS service) built from the worker's spec; the
task role's grant on exactly that queue (receive, delete, change visibility, read attributes);
and backlog-per-task autoscaling, AWS's documented SQS pattern: target tracking on the metric
math `ApproximateNumberOfMessagesVisible / running tasks`. Target tracking cannot divide by
zero tasks, so a worker that scales to zero also gets a step-scaling policy whose alarm starts
the first task when messages wait and none runs.
Running tasks come from Container Insights (`RunningTaskCount`) when the cluster has it, else
from the free service metric: the per-minute SampleCount of AWS/ECS `CPUUtilization` is one
sample per running task (aws/containers-roadmap#2718), so a dev cluster need not pay for
Container Insights to scale its workers.
Expects: the cluster, VPC and subnets.

The ECS service ignores changes to desiredCount: autoscaling owns it, and `pulumi up` keeps the
live count.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from . import iam
from .cluster import Cluster
from .service import Service
from .specs.service import ServicePlacement
from .specs.workloads import WorkerSpec

DLQ_RETENTION_SECONDS = 14 * 24 * 3600  # longer than any source retention (SQS maximum)
QUEUE_ACTIONS = [
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ReceiveMessage",
]
# Scale out fast when a backlog builds, scale in slowly so a burst does not flap the count.
SCALE_OUT_COOLDOWN_SECONDS = 60
SCALE_IN_COOLDOWN_SECONDS = 300


@dataclass(frozen=True)
class RunningTasks:
    """Where a worker's running-task count comes from (per minute: the metrics' period is 60 s)."""

    namespace: str
    metric: str
    stat: str  # for the backlog ratio
    peak_stat: str  # for the "none running" alarm

    @staticmethod
    def of(container_insights: bool) -> RunningTasks:
        if container_insights:
            return RunningTasks("ECS/ContainerInsights", "RunningTaskCount", "Average", "Maximum")
        # One CPUUtilization sample per running task per minute; no tasks, no samples.
        return RunningTasks("AWS/ECS", "CPUUtilization", "SampleCount", "SampleCount")


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
        child = pulumi.ResourceOptions(parent=self)
        q, scaling = spec.queue, spec.scaling

        if q.existing_queue_arn is None:
            dlq = aws.sqs.Queue(
                f"{name}-dlq",
                message_retention_seconds=DLQ_RETENTION_SECONDS,
                sqs_managed_sse_enabled=True,
                opts=child,
            )
            queue = aws.sqs.Queue(
                f"{name}-queue",
                visibility_timeout_seconds=q.visibility_timeout_seconds,
                message_retention_seconds=q.message_retention_seconds,
                sqs_managed_sse_enabled=True,
                redrive_policy=dlq.arn.apply(
                    lambda arn: json.dumps(
                        {"deadLetterTargetArn": arn, "maxReceiveCount": q.max_receive_count}
                    )
                ),
                opts=child,
            )
            self.queue_arn, self.queue_url = queue.arn, queue.url
            queue_name: pulumi.Input[str] = queue.name
        else:
            self.queue_arn = pulumi.Output.from_input(q.existing_queue_arn)
            self.queue_url = None
            queue_name = q.existing_queue_name or ""

        service = Service(
            name,
            spec.service_spec(desired_count=scaling.min_count),
            placement,
            cluster=cluster,
            vpc_id=vpc_id,
            subnet_ids=subnet_ids,
            opts=pulumi.ResourceOptions(parent=self, transformations=[_keep_live_desired_count]),
        )
        self.service_name = service.service_name
        self.log_group_name = service.log_group_name
        aws.iam.RolePolicy(
            f"{name}-queue",
            # IAM role ARNs end in role/<path><name>; our roles have the default path "/".
            role=service.task_role_arn.apply(lambda arn: arn.rsplit("/", 1)[-1]),
            policy=self.queue_arn.apply(
                lambda arn: iam.policy(
                    [
                        {
                            "Sid": "ConsumeOwnQueue",
                            "Effect": "Allow",
                            "Action": QUEUE_ACTIONS,
                            "Resource": arn,
                        }
                    ]
                )
            ),
            opts=child,
        )

        target = aws.appautoscaling.Target(
            f"{name}-scaling",
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.concat("service/", cluster.name, "/", service.service_name),
            min_capacity=scaling.min_count,
            max_capacity=scaling.max_count,
            opts=child,
        )
        dimensions: dict[str, pulumi.Input[str]] = {
            "ClusterName": cluster.name,
            "ServiceName": service.service_name,
        }
        source = RunningTasks.of(placement.container_insights)
        running = _metric_stat(source.namespace, source.metric, dimensions, source.stat)
        visible = _metric_stat(
            "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": queue_name}, "Sum"
        )
        backlog: Any = {
            "metrics": [
                {"id": "visible", "metric_stat": visible, "return_data": False},
                {"id": "running", "metric_stat": running, "return_data": False},
                {
                    "id": "backlog",
                    "expression": "visible / running",
                    "label": "Visible messages per running task",
                    "return_data": True,
                },
            ]
        }
        aws.appautoscaling.Policy(
            f"{name}-backlog",
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=scaling.backlog_per_task,
                scale_out_cooldown=SCALE_OUT_COOLDOWN_SECONDS,
                scale_in_cooldown=SCALE_IN_COOLDOWN_SECONDS,
                customized_metric_specification=backlog,
            ),
            opts=child,
        )
        if scaling.min_count == 0:
            self._scale_from_zero(name, target, dimensions, source, queue_name)

        self.register_outputs(
            {
                "queueUrl": self.queue_url,
                "queueArn": self.queue_arn,
                "serviceName": self.service_name,
                "logGroup": self.log_group_name,
            }
        )

    def _scale_from_zero(
        self,
        name: str,
        target: aws.appautoscaling.Target,
        dimensions: dict[str, pulumi.Input[str]],
        source: RunningTasks,
        queue_name: pulumi.Input[str],
    ) -> None:
        """Start one task when messages wait and none runs; target tracking takes it from there."""
        child = pulumi.ResourceOptions(parent=self)
        policy = aws.appautoscaling.Policy(
            f"{name}-from-zero",
            policy_type="StepScaling",
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            step_scaling_policy_configuration=aws.appautoscaling.PolicyStepScalingPolicyConfigurationArgs(
                adjustment_type="ChangeInCapacity",
                cooldown=SCALE_OUT_COOLDOWN_SECONDS,
                metric_aggregation_type="Maximum",
                step_adjustments=[
                    aws.appautoscaling.PolicyStepScalingPolicyConfigurationStepAdjustmentArgs(
                        metric_interval_lower_bound="0", scaling_adjustment=1
                    )
                ],
            ),
            opts=child,
        )
        query = aws.cloudwatch.MetricAlarmMetricQueryArgs
        aws.cloudwatch.MetricAlarm(
            f"{name}-from-zero",
            alarm_description=f"Worker {name}: messages are waiting and no task is running",
            comparison_operator="GreaterThanOrEqualToThreshold",
            threshold=1,
            evaluation_periods=1,
            treat_missing_data="notBreaching",
            metric_queries=[
                query(
                    id="visible",
                    metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                        namespace="AWS/SQS",
                        metric_name="ApproximateNumberOfMessagesVisible",
                        dimensions={"QueueName": queue_name},
                        stat="Maximum",
                        period=60,
                    ),
                ),
                query(
                    id="running",
                    metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                        namespace=source.namespace,
                        metric_name=source.metric,
                        dimensions=dimensions,
                        stat=source.peak_stat,
                        period=60,
                    ),
                ),
                query(
                    id="idle",
                    expression="IF(visible > 0 AND FILL(running, 0) == 0, 1, 0)",
                    label="Messages waiting with no task running",
                    return_data=True,
                ),
            ],
            alarm_actions=[policy.arn],
            opts=child,
        )


def _metric_stat(
    namespace: str, metric: str, dimensions: dict[str, pulumi.Input[str]], stat: str
) -> Any:
    """A metric for a target-tracking metric-math query (as the plain dict the SDK accepts)."""
    return {
        "stat": stat,
        "metric": {
            "namespace": namespace,
            "metric_name": metric,
            "dimensions": [{"name": key, "value": value} for key, value in dimensions.items()],
        },
    }
