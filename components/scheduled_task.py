"""ScheduledTask: an ECS task that EventBridge Scheduler starts on a cron or rate schedule.

Creates: the task's log group, execution and task roles and task definition (`task.py`), a task
security group (egress only); an SQS dead-letter queue (SSE, 14 days) and an alarm on
invocations that failed for good (scheduled_task_failures.py); a schedule group of its own (so
CloudWatch metrics are per task), the scheduler's role (ecs:RunTask on this task definition
family in this cluster, iam:PassRole on exactly this task's two roles, sqs:SendMessage to its
dead-letter queue: nothing broader) and the schedule (retry policy, dead-letter queue, optional
time zone and flexible window) (scheduled_task_schedule.py).
Expects: the cluster, VPC and subnets.

This file is the wiring: the schedule and what happens when it fails are pages of their own.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

from . import security_groups
from .cluster import Cluster
from .scheduled_task_failures import dead_letter_queue, failure_alarm
from .scheduled_task_schedule import schedule_task
from .specs.service import ServicePlacement
from .specs.workloads import ScheduledTaskSpec
from .task import task_definition


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
        task = task_definition(self, name, spec.service_spec(), placement)
        self.log_group_name = task.log_group_name
        sg = security_groups.for_tasks(
            name,
            vpc_id=vpc_id,
            description=f"Scheduled task {name}",
            opts=pulumi.ResourceOptions(parent=self),
            ipv6=placement.task_addressing != "ipv4",
        )
        dlq = dead_letter_queue(self, name)
        schedule = schedule_task(
            self,
            name,
            spec,
            placement,
            cluster=cluster,
            task=task,
            security_group=sg,
            subnet_ids=subnet_ids,
            dlq=dlq,
        )
        failure_alarm(
            self, name, group_name=schedule.group_name, alarm_topic_arn=spec.alarm_topic_arn
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
