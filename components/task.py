"""A standalone task definition with its log group and roles, for tasks no ECS service runs.

Creates (children of `parent`): log group, execution role and its policy (pull its images, write
its log group, read exactly its secrets), task role (nothing unless the spec grants it) and the
task definition. The IAM documents and container definitions are the services' own
(`iam.py`, `containers.py`); only the resources that hold them are created here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from . import iam, image
from .containers import container_definitions
from .naming import aws_name
from .service import Service
from .specs.service import ServicePlacement, ServiceSpec


@dataclass(frozen=True)
class Task:
    log_group_name: str
    definition: aws.ecs.TaskDefinition
    execution_role: aws.iam.Role
    task_role: aws.iam.Role


def task_definition(
    parent: pulumi.Resource, name: str, spec: ServiceSpec, placement: ServicePlacement
) -> Task:
    child = pulumi.ResourceOptions(parent=parent)
    stack, project, region = pulumi.get_stack(), pulumi.get_project(), placement.region
    account = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(parent=parent)).account_id

    log_group_name = f"/ecs/{project}-{stack}/{name}"
    logs = aws.cloudwatch.LogGroup(
        f"{name}-logs", name=log_group_name, retention_in_days=spec.log_retention_days, opts=child
    )
    trust = account.apply(lambda a: iam.ecs_tasks_trust(a, region))
    execution = aws.iam.Role(
        f"{name}-execution",
        assume_role_policy=trust,
        description=f"ECS agent for {name}: pull images, write logs, read its secrets",
        opts=child,
    )
    log_group_arn = pulumi.Output.concat(
        "arn:aws:logs:", region, ":", account, ":log-group:", logs.name
    )
    aws.iam.RolePolicy(
        f"{name}-execution",
        role=execution.id,
        policy=log_group_arn.apply(
            lambda arn: iam.execution_policy(arn, [spec.image], spec.secrets.values())
        ),
        opts=child,
    )
    task_role = aws.iam.Role(
        f"{name}-task",
        assume_role_policy=trust,
        description=f"Application permissions of {name}",
        opts=child,
    )
    for arn in spec.task_role.managed_policy_arns:
        aws.iam.RolePolicyAttachment(
            f"{name}-task-{arn.rsplit('/', 1)[-1]}", role=task_role.name, policy_arn=arn, opts=child
        )
    if spec.task_role.statements:
        aws.iam.RolePolicy(
            f"{name}-task",
            role=task_role.id,
            policy=iam.policy(
                {"Effect": s.effect, "Action": s.actions, "Resource": s.resources}
                for s in spec.task_role.statements
            ),
            opts=child,
        )
    definition = aws.ecs.TaskDefinition(
        f"{name}-taskdef",
        family=aws_name(project, stack, name, limit=255),
        cpu=str(placement.task_cpu),
        memory=str(placement.task_memory),
        network_mode="awsvpc",
        requires_compatibilities=[placement.compatibility],
        runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
            cpu_architecture=spec.cpu_architecture, operating_system_family="LINUX"
        ),
        execution_role_arn=execution.arn,
        task_role_arn=task_role.arn,
        container_definitions=image.container_definitions_json(
            parent, name, spec, container_definitions(spec, log_group_name, region), execution
        ),
        volumes=Service._volumes(spec),
        skip_destroy=True,
        opts=child,
    )
    return Task(log_group_name, definition, execution, task_role)
