"""Backlog scaling of a worker: as many tasks as its queue's backlog needs, down to zero if asked.

Creates (children of the Worker, names `{worker}-{role}`): the scalable target (`-scaling`,
the ECS service's desired count between minCount and maxCount) and backlog-per-task
autoscaling, AWS's documented SQS pattern: target tracking (`-backlog`) on the metric math
`ApproximateNumberOfMessagesVisible / running tasks`. Target tracking cannot divide by zero
tasks, so a worker that scales to zero also gets a step-scaling policy and its alarm
(`-from-zero`) that start the first task when messages wait and none runs.
Running tasks come from Container Insights (`RunningTaskCount`) when the cluster has it, else
from the free service metric: the per-minute SampleCount of AWS/ECS `CPUUtilization` is one
sample per running task (aws/containers-roadmap#2718), so a dev cluster need not pay for
Container Insights to scale its workers.
Expects: the worker's scaling spec, the cluster and ECS service names, the queue's name, and
whether the cluster has Container Insights.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from .specs.workloads import WorkerScalingSpec

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


def scale_on_backlog(
    parent: pulumi.Resource,
    name: str,
    scaling: WorkerScalingSpec,
    *,
    cluster_name: pulumi.Input[str],
    service_name: pulumi.Output[str],
    queue_name: pulumi.Input[str],
    container_insights: bool,
) -> None:
    """Track the visible messages per running task; start from zero when the worker may idle."""
    child = pulumi.ResourceOptions(parent=parent)
    target = aws.appautoscaling.Target(
        f"{name}-scaling",
        service_namespace="ecs",
        scalable_dimension="ecs:service:DesiredCount",
        resource_id=pulumi.Output.concat("service/", cluster_name, "/", service_name),
        min_capacity=scaling.min_count,
        max_capacity=scaling.max_count,
        opts=child,
    )
    dimensions: dict[str, pulumi.Input[str]] = {
        "ClusterName": cluster_name,
        "ServiceName": service_name,
    }
    source = RunningTasks.of(container_insights)
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
            customized_metric_specification=_backlog(dimensions, source, queue_name),
        ),
        opts=child,
    )
    if scaling.min_count == 0:
        _scale_from_zero(parent, name, target, dimensions, source, queue_name)


def _backlog(
    dimensions: dict[str, pulumi.Input[str]], source: RunningTasks, queue_name: pulumi.Input[str]
) -> Any:
    """The tracked metric: visible messages divided by running tasks (metric math)."""
    running = _metric_stat(source.namespace, source.metric, dimensions, source.stat)
    visible = _metric_stat(
        "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": queue_name}, "Sum"
    )
    return {
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


def _scale_from_zero(
    parent: pulumi.Resource,
    name: str,
    target: aws.appautoscaling.Target,
    dimensions: dict[str, pulumi.Input[str]],
    source: RunningTasks,
    queue_name: pulumi.Input[str],
) -> None:
    """Start one task when messages wait and none runs; target tracking takes it from there."""
    child = pulumi.ResourceOptions(parent=parent)
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
