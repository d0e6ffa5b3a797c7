"""ScheduledTask: an ECS task that EventBridge Scheduler starts on a cron or rate schedule.

Creates: the task's log group, execution and task roles and task definition (`task.py`), a task
security group (egress only), a schedule group of its own (so CloudWatch metrics are per task),
the schedule (retry policy, dead-letter queue, optional time zone and flexible window), the
scheduler's role (ecs:RunTask on this task definition family in this cluster, iam:PassRole on
exactly this task's two roles, sqs:SendMessage to its dead-letter queue: nothing broader), an
SQS dead-letter queue (SSE, 14 days) and an alarm on invocations that failed for good.
Expects: the cluster, VPC and subnets.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from . import iam, security_groups
from .cluster import Cluster
from .naming import aws_name
from .specs.service import ServicePlacement
from .specs.workloads import ScheduledTaskSpec
from .task import task_definition

DLQ_RETENTION_SECONDS = 14 * 24 * 3600  # SQS maximum: time to inspect and replay failures


class ScheduledTask(pulumi.ComponentResource):
    """One entry of `ecs-platform:scheduledTasks`."""

    schedule_arn: pulumi.Output[str]
    dead_letter_queue_url: pulumi.Output[str]
    log_group_name: str

    def __init__(
        self,
        name: str,
        spec: ScheduledTaskSpec,
        placement: ServicePlacement,
        *,
        cluster: Cluster,
        vpc_id: pulumi.Input[str],
        subnet_ids: Sequence[pulumi.Input[str]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("ecs-platform:scheduled:ScheduledTask", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        stack, project, region = pulumi.get_stack(), pulumi.get_project(), placement.region
        task = task_definition(self, name, spec.service_spec(), placement)
        account = task.account
        self.log_group_name = task.log_group_name

        sg = security_groups.for_tasks(
            name,
            vpc_id=vpc_id,
            description=f"Scheduled task {name}",
            opts=child,
            ipv6=placement.task_addressing != "ipv4",
        )
        dlq = aws.sqs.Queue(
            f"{name}-dlq",
            message_retention_seconds=DLQ_RETENTION_SECONDS,
            sqs_managed_sse_enabled=True,
            opts=child,
        )
        group_name = aws_name(project, stack, name, limit=64)
        group = aws.scheduler.ScheduleGroup(f"{name}-group", name=group_name, opts=child)

        family = task.definition.family
        role = aws.iam.Role(
            f"{name}-scheduler",
            assume_role_policy=account.apply(lambda a: _scheduler_trust(a, region, group_name)),
            description=f"EventBridge Scheduler: run the task {name}, nothing else",
            opts=child,
        )
        grant = aws.iam.RolePolicy(
            f"{name}-scheduler",
            role=role.id,
            policy=pulumi.Output.all(
                family, cluster.arn, task.task_role.arn, task.execution_role.arn, dlq.arn, account
            ).apply(
                lambda a: scheduler_policy(
                    region, a[5], family=a[0], cluster_arn=a[1], role_arns=a[2:4], dlq_arn=a[4]
                )
            ),
            opts=child,
        )
        schedule = aws.scheduler.Schedule(
            f"{name}-schedule",
            group_name=group.name,
            description=f"Runs the {name} task of {project}-{stack}",
            schedule_expression=spec.schedule,
            schedule_expression_timezone=spec.time_zone,
            state="ENABLED" if spec.enabled else "DISABLED",
            flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(
                mode="FLEXIBLE" if spec.flexible_window_minutes else "OFF",
                maximum_window_in_minutes=spec.flexible_window_minutes,
            ),
            target=aws.scheduler.ScheduleTargetArgs(
                arn=cluster.arn,
                role_arn=role.arn,
                dead_letter_config=aws.scheduler.ScheduleTargetDeadLetterConfigArgs(arn=dlq.arn),
                retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(
                    maximum_retry_attempts=spec.retry.maximum_retry_attempts,
                    maximum_event_age_in_seconds=spec.retry.maximum_event_age_seconds,
                ),
                ecs_parameters=aws.scheduler.ScheduleTargetEcsParametersArgs(
                    task_definition_arn=task.definition.arn,
                    task_count=spec.task_count,
                    capacity_provider_strategies=[
                        aws.scheduler.ScheduleTargetEcsParametersCapacityProviderStrategyArgs(
                            capacity_provider=cluster.provider_name(item.provider),
                            base=item.base,
                            weight=item.weight,
                        )
                        for item in placement.strategy
                    ],
                    network_configuration=aws.scheduler.ScheduleTargetEcsParametersNetworkConfigurationArgs(
                        subnets=subnet_ids,
                        security_groups=[sg.id],
                        assign_public_ip=spec.assign_public_ip,
                    ),
                    enable_ecs_managed_tags=True,
                ),
            ),
            # The scheduler assumes its role for the first invocation with RunTask and PassRole
            # already granted (IAM changes are eventually consistent); the task definition
            # brings the execution role's grants.
            # https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
            opts=pulumi.ResourceOptions(parent=self, depends_on=[grant]),
        )
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
                _scheduler_metric("dlq", "InvocationsSentToDeadLetterCount", group.name),
                _scheduler_metric("lost", "InvocationsFailedToBeSentToDeadLetterCount", group.name),
                aws.cloudwatch.MetricAlarmMetricQueryArgs(
                    id="failed",
                    expression="FILL(dlq, 0) + FILL(lost, 0)",
                    label="Invocations that failed for good",
                    return_data=True,
                ),
            ],
            alarm_actions=[spec.alarm_topic_arn] if spec.alarm_topic_arn else [],
            opts=child,
        )

        self.schedule_arn = schedule.arn
        self.dead_letter_queue_url = dlq.url
        self.register_outputs(
            {
                "scheduleArn": schedule.arn,
                "deadLetterQueueUrl": dlq.url,
                "logGroup": self.log_group_name,
            }
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


def _scheduler_trust(account: str, region: str, group: str) -> str:
    """EventBridge Scheduler only, for schedules of this group in this account.

    Scheduler sends the schedule *group's* ARN as aws:SourceArn: "The value of aws:SourceArn
    must be your EventBridge Scheduler schedule group ARN ... Do not scope the aws:SourceArn
    statement to a specific schedule or a schedule name prefix."
    https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html
    """
    return iam.trust(
        "scheduler.amazonaws.com",
        account=account,
        source_arn=f"arn:aws:scheduler:{region}:{account}:schedule-group/{group}",
        arn_match="ArnEquals",
    )


def scheduler_policy(
    region: str,
    account: str,
    *,
    family: str,
    cluster_arn: str,
    role_arns: Sequence[str],
    dlq_arn: str,
) -> str:
    """RunTask on this family in this cluster; PassRole on its two roles; its DLQ.

    EventBridge Scheduler user guide, "Using templated targets": Amazon ECS RunTask.
    """
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "RunThisTaskInThisCluster",
                    "Effect": "Allow",
                    "Action": "ecs:RunTask",
                    "Resource": f"arn:aws:ecs:{region}:{account}:task-definition/{family}:*",
                    "Condition": {"ArnEquals": {"ecs:cluster": cluster_arn}},
                },
                {
                    "Sid": "PassThisTasksRoles",
                    "Effect": "Allow",
                    "Action": "iam:PassRole",
                    "Resource": sorted(role_arns),
                    "Condition": {
                        "StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
                    },
                },
                {
                    "Sid": "DeadLetterFailedInvocations",
                    "Effect": "Allow",
                    "Action": "sqs:SendMessage",
                    "Resource": dlq_arn,
                },
            ],
        }
    )
