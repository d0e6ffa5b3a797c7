"""Stack outputs shared by the stack shapes: network, cluster, load balancers, workloads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from ..load_balancer import LoadBalancer
from ..scheduled_task import ScheduledTask
from ..service import Service
from ..worker import Worker


def export_platform_parts(
    vpc_id: pulumi.Input[str], cluster: Any, load_balancers: Mapping[str, LoadBalancer]
) -> None:
    """vpcId, clusterName, anywhere (secrets, when external servers register) and
    loadBalancers."""
    pulumi.export("vpcId", vpc_id)
    pulumi.export("clusterName", cluster.name)
    if cluster.anywhere is not None:  # secrets: the code registers servers with this account
        pulumi.export(
            "anywhere",
            {"activationId": cluster.anywhere.activation_id,
             "activationCode": cluster.anywhere.activation_code,
             "registerCommand": cluster.anywhere.register_command},
        )  # fmt: skip
    pulumi.export(
        "loadBalancers",
        {name: {"dnsName": lb.dns_name, "securityGroupId": lb.security_group_id}
         for name, lb in load_balancers.items()},
    )  # fmt: skip


def export_workloads(
    services: Mapping[str, Service],
    workers: Mapping[str, Worker],
    scheduled_tasks: Mapping[str, ScheduledTask],
) -> None:
    """services, scheduledTasks and workers: what a team looks up after a deploy."""
    pulumi.export(
        "services",
        {
            name: {
                "url": svc.url,
                **({"hostHeader": svc.host_header} if svc.host_header else {}),
                "serviceName": svc.service_name,
                "logGroup": svc.log_group_name,
                "taskRoleArn": svc.task_role_arn,
            }
            for name, svc in services.items()
        },
    )
    pulumi.export(
        "scheduledTasks",
        {name: {"scheduleArn": t.schedule_arn, "deadLetterQueueUrl": t.dead_letter_queue_url,
                "logGroup": t.log_group_name}
         for name, t in scheduled_tasks.items()},
    )  # fmt: skip
    pulumi.export(
        "workers",
        {name: {"queueUrl": w.queue_url, "queueArn": w.queue_arn, "serviceName": w.service_name,
                "logGroup": w.log_group_name}
         for name, w in workers.items()},
    )  # fmt: skip
