"""The schedule of a scheduled task: its schedule group, the role EventBridge Scheduler starts
the task with, and the schedule itself.

Creates (children of the ScheduledTask, names `{task}-{role}`): a schedule group of its own
(`-group`, so CloudWatch metrics are per task); the scheduler's role and its inline policy
(`-scheduler`: ecs:RunTask on this task definition family in this cluster, iam:PassRole on
exactly this task's two roles, sqs:SendMessage to its dead-letter queue: nothing broader); the
schedule (`-schedule`: cron or rate, optional time zone and flexible window, the retry policy
and dead-letter queue of scheduled_task_failures.py, RunTask on the task's capacity providers
in its subnets and security group).
Expects: the task definition and its roles (task.py), the cluster, the task security group and
subnets, the dead-letter queue.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from . import iam
from .cluster import Cluster
from .naming import aws_name
from .scheduled_task_failures import dead_letter_config, retry_policy
from .specs.service import ServicePlacement
from .specs.workloads import ScheduledTaskSpec
from .task import Task


@dataclass(frozen=True)
class Schedule:
    """The schedule created, and the name of its group (the dimension of its metrics)."""

    arn: pulumi.Output[str]
    group_name: pulumi.Output[str]


def schedule_task(
    parent: pulumi.Resource,
    name: str,
    spec: ScheduledTaskSpec,
    placement: ServicePlacement,
    *,
    cluster: Cluster,
    task: Task,
    security_group: aws.ec2.SecurityGroup,
    subnet_ids: Sequence[pulumi.Input[str]],
    dlq: aws.sqs.Queue,
) -> Schedule:
    """Create the schedule group, the scheduler's role and the schedule that runs the task."""
    stack, project = pulumi.get_stack(), pulumi.get_project()
    group_name = aws_name(project, stack, name, limit=64)
    group = aws.scheduler.ScheduleGroup(
        f"{name}-group", name=group_name, opts=pulumi.ResourceOptions(parent=parent)
    )
    role, grant = _scheduler_role(parent, name, placement.region, group_name, cluster, task, dlq)
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
            dead_letter_config=dead_letter_config(dlq),
            retry_policy=retry_policy(spec.retry),
            ecs_parameters=_ecs_parameters(
                spec, placement, cluster, task, security_group, subnet_ids
            ),
        ),
        # The scheduler assumes its role for the first invocation with RunTask and PassRole
        # already granted (IAM changes are eventually consistent); the task definition
        # brings the execution role's grants.
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[grant]),
    )
    return Schedule(arn=schedule.arn, group_name=group.name)


def _scheduler_role(
    parent: pulumi.Resource,
    name: str,
    region: str,
    group_name: str,
    cluster: Cluster,
    task: Task,
    dlq: aws.sqs.Queue,
) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
    """The role the scheduler runs this task with, and its grant (nothing else)."""
    child = pulumi.ResourceOptions(parent=parent)
    account, family = task.account, task.definition.family
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
    return role, grant


def _ecs_parameters(
    spec: ScheduledTaskSpec,
    placement: ServicePlacement,
    cluster: Cluster,
    task: Task,
    security_group: aws.ec2.SecurityGroup,
    subnet_ids: Sequence[pulumi.Input[str]],
) -> aws.scheduler.ScheduleTargetEcsParametersArgs:
    """RunTask: the task definition, its count, capacity providers, subnets and security group."""
    return aws.scheduler.ScheduleTargetEcsParametersArgs(
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
            security_groups=[security_group.id],
            assign_public_ip=spec.assign_public_ip,
        ),
        enable_ecs_managed_tags=True,
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
