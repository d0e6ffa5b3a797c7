"""The queue of a worker: the SQS queue it consumes, and its task role's grant on that queue.

Creates (children of the Worker, names `{worker}-{role}`): unless an existing queue ARN is given,
the dead-letter queue (`-dlq`, SSE, 14 days) and the queue (`-queue`, SSE, redrive to the
dead-letter queue after maxReceiveCount receives); the task role's inline policy (`-queue`:
receive, delete, change visibility, read attributes on this queue and nothing else).
Expects: the worker's queue spec, and for the grant the ARN of the task role its Service made.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from . import iam
from .specs.workloads import QueueSpec

DLQ_RETENTION_SECONDS = 14 * 24 * 3600  # longer than any source retention (SQS maximum)
QUEUE_ACTIONS = [
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ReceiveMessage",
]


@dataclass(frozen=True)
class Queue:
    """The queue a worker consumes, created here or existing."""

    arn: pulumi.Output[str]
    url: pulumi.Output[str] | None  # None for an existing queue: not ours to export
    name: pulumi.Input[str]  # the CloudWatch `QueueName` dimension


def queue(parent: pulumi.Resource, name: str, spec: QueueSpec) -> Queue:
    """Create the queue and its dead-letter queue, or refer to the existing queue."""
    if spec.existing_queue_arn is not None:
        return Queue(
            arn=pulumi.Output.from_input(spec.existing_queue_arn),
            url=None,
            name=spec.existing_queue_name or "",
        )
    child = pulumi.ResourceOptions(parent=parent)
    dlq = aws.sqs.Queue(
        f"{name}-dlq",
        message_retention_seconds=DLQ_RETENTION_SECONDS,
        sqs_managed_sse_enabled=True,
        opts=child,
    )
    created = aws.sqs.Queue(
        f"{name}-queue",
        visibility_timeout_seconds=spec.visibility_timeout_seconds,
        message_retention_seconds=spec.message_retention_seconds,
        sqs_managed_sse_enabled=True,
        redrive_policy=dlq.arn.apply(
            lambda arn: json.dumps(
                {"deadLetterTargetArn": arn, "maxReceiveCount": spec.max_receive_count}
            )
        ),
        opts=child,
    )
    return Queue(arn=created.arn, url=created.url, name=created.name)


def grant_consume(
    parent: pulumi.Resource,
    name: str,
    *,
    task_role_arn: pulumi.Output[str],
    queue_arn: pulumi.Output[str],
) -> None:
    """The task role may consume exactly this queue (receive, delete, change visibility)."""
    aws.iam.RolePolicy(
        f"{name}-queue",
        # IAM role ARNs end in role/<path><name>; our roles have the default path "/".
        role=task_role_arn.apply(lambda arn: arn.rsplit("/", 1)[-1]),
        policy=queue_arn.apply(
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
        opts=pulumi.ResourceOptions(parent=parent),
    )
