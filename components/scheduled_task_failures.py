"""Failures of a scheduled task: how EventBridge Scheduler retries a RunTask call that fails,
where an invocation goes when it fails for good, and who hears of it.

Creates (children of the ScheduledTask, names `{task}-{role}`): the SQS dead-letter queue
(`-dlq`, SSE, 14 days) and the alarm on invocations that failed for good (`-failed`: sent to the
dead-letter queue, or not even that). The schedule's retry policy and dead-letter config are
inputs of the schedule (scheduled_task_schedule.py).
Expects: the task's retry settings, its schedule group's name, and the topic that hears the
alarm (if any).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .specs.workloads import RetrySpec

DLQ_RETENTION_SECONDS = 14 * 24 * 3600  # SQS maximum: time to inspect and replay failures


def dead_letter_queue(parent: pulumi.Resource, name: str) -> aws.sqs.Queue:
    """Where the scheduler sends an invocation it could not deliver after its retries."""
    return aws.sqs.Queue(
        f"{name}-dlq",
        message_retention_seconds=DLQ_RETENTION_SECONDS,
        sqs_managed_sse_enabled=True,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def dead_letter_config(dlq: aws.sqs.Queue) -> aws.scheduler.ScheduleTargetDeadLetterConfigArgs:
    """The schedule target's dead-letter queue."""
    return aws.scheduler.ScheduleTargetDeadLetterConfigArgs(arn=dlq.arn)


def retry_policy(retry: RetrySpec) -> aws.scheduler.ScheduleTargetRetryPolicyArgs:
    """Retries with exponential backoff, up to a count and an age; then the dead-letter queue."""
    return aws.scheduler.ScheduleTargetRetryPolicyArgs(
        maximum_retry_attempts=retry.maximum_retry_attempts,
        maximum_event_age_in_seconds=retry.maximum_event_age_seconds,
    )


def failure_alarm(
    parent: pulumi.Resource,
    name: str,
    *,
    group_name: pulumi.Input[str],
    alarm_topic_arn: str | None,
) -> None:
    """Alarm when an invocation failed for good: dead-lettered, or lost on the way there."""
    aws.cloudwatch.MetricAlarm(
        f"{name}-failed",
        alarm_description=(
            f"Scheduled task {name}: an invocation failed after its retries "
            "(RunTask refused or throttled); see the dead-letter queue"
        ),
        comparison_operator="GreaterThanOrEqualToThreshold",
        threshold=1,
        evaluation_periods=1,
        treat_missing_data="notBreaching",
        metric_queries=[
            _scheduler_metric("dlq", "InvocationsSentToDeadLetterCount", group_name),
            _scheduler_metric("lost", "InvocationsFailedToBeSentToDeadLetterCount", group_name),
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id="failed",
                expression="FILL(dlq, 0) + FILL(lost, 0)",
                label="Invocations that failed for good",
                return_data=True,
            ),
        ],
        alarm_actions=[alarm_topic_arn] if alarm_topic_arn else [],
        opts=pulumi.ResourceOptions(parent=parent),
    )


def _scheduler_metric(
    query_id: str, metric: str, group: pulumi.Input[str]
) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
    return aws.cloudwatch.MetricAlarmMetricQueryArgs(
        id=query_id,
        metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
            namespace="AWS/Scheduler",
            metric_name=metric,
            dimensions={"ScheduleGroup": group},
            stat="Sum",
            period=300,
        ),
        return_data=False,
    )
