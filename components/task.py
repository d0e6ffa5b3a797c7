"""A task definition with its log group and roles: the part every ECS workload shares.

Creates (children of `parent`): log group `{name}-logs`, execution role and policy
`{name}-execution` (pull its images, write its log group, read exactly the secrets of all its
containers), task role `{name}-task` (nothing unless the spec grants it) and the task definition
`{name}-taskdef`. Services, workers (through Service) and scheduled tasks all build on it, so
their least-privilege rules cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from . import iam, image, protection
from .containers import container_definitions, volume_name
from .naming import aws_name
from .specs.service import ServicePlacement, ServiceSpec


@dataclass(frozen=True)
class Task:
    log_group_name: str
    definition: aws.ecs.TaskDefinition
    execution_role: aws.iam.Role
    task_role: aws.iam.Role
    account: pulumi.Output[str]  # the deploying account's ID (one lookup per workload)
    # The execution role's policies: what starts a task waits for them (see below).
    grants: tuple[pulumi.Resource, ...] = ()


def task_definition(
    parent: pulumi.Resource, name: str, spec: ServiceSpec, placement: ServicePlacement
) -> Task:
    stack, project, region = pulumi.get_stack(), pulumi.get_project(), placement.region
    account = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(parent=parent)).account_id

    # A fixed name, on purpose (documented and guarded, not auto-named): it is what people
    # query (`aws logs tail`, Logs Insights, saved searches), and switching deployed stacks to
    # generated names would replace every log group, losing the logs where they are not
    # retained. Retained on delete, it outlives a destroy, and a re-created stack must adopt it
    # (`pulumi import`, docs/aws-rules.md) instead of creating it: the plan's
    # `retained-fixed-name` rule lets through only such documented names.
    log_group_name = f"/ecs/{project}-{stack}/{name}"
    logs = aws.cloudwatch.LogGroup(
        f"{name}-logs",
        name=log_group_name,
        retention_in_days=spec.log_retention_days,
        opts=protection.stateful(parent, retained=True),
    )
    execution, task_role, grants = _roles(
        parent, name, spec, account, region, logs, placement.trusted_registries
    )
    external = placement.external
    containers, pull = image.container_definitions_json(
        parent,
        name,
        spec,
        container_definitions(spec, log_group_name, region, placement.ipv6_only),
        execution,
        placement.ipv6_only,
    )
    grants += pull
    definition = aws.ecs.TaskDefinition(
        f"{name}-taskdef",
        family=aws_name(project, stack, name, limit=255),
        cpu=str(placement.task_cpu),
        memory=str(placement.task_memory),
        # External instances have no awsvpc (AWS: ECS Anywhere networking).
        network_mode=(spec.network_mode or "bridge") if external else "awsvpc",
        requires_compatibilities=[placement.compatibility],
        # On external instances the registered servers' own architecture decides.
        runtime_platform=None
        if external
        else aws.ecs.TaskDefinitionRuntimePlatformArgs(
            cpu_architecture=spec.cpu_architecture, operating_system_family="LINUX"
        ),
        execution_role_arn=execution.arn,
        task_role_arn=task_role.arn,
        container_definitions=containers,
        ephemeral_storage=(
            aws.ecs.TaskDefinitionEphemeralStorageArgs(size_in_gib=spec.ephemeral_storage_gib)
            if spec.ephemeral_storage_gib is not None
            else None
        ),
        volumes=volumes(spec),
        # Keep earlier revisions registered so a circuit-breaker rollback (or a manual one)
        # can always start the previous revision.
        skip_destroy=True,
        # The agent pulls, logs and reads secrets with the execution role as soon as a task
        # starts; IAM changes are eventually consistent, so the grants exist first, and the
        # services and schedules that start tasks wait for them through this definition.
        # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(grants)),
    )
    return Task(log_group_name, definition, execution, task_role, account, tuple(grants))


def _roles(
    parent: pulumi.Resource,
    name: str,
    spec: ServiceSpec,
    account: pulumi.Output[str],
    region: str,
    logs: aws.cloudwatch.LogGroup,
    trusted: list[str],
) -> tuple[aws.iam.Role, aws.iam.Role, tuple[pulumi.Resource, ...]]:
    child = pulumi.ResourceOptions(parent=parent)
    trust = account.apply(lambda a: iam.ecs_tasks_trust(a, region))
    execution = aws.iam.Role(
        f"{name}-execution",
        assume_role_policy=trust,
        description=f"ECS agent for {name}: pull images, write logs, read its secrets",
        opts=child,
    )
    images = [spec.image, *(s.image for s in spec.sidecars.values())]
    refs = [r for c in [spec, *spec.sidecars.values()] for r in c.secrets.values()]
    log_group_arn = pulumi.Output.concat(
        "arn:aws:logs:", region, ":", account, ":log-group:", logs.name
    )
    grant = aws.iam.RolePolicy(
        f"{name}-execution",
        role=execution.id,
        policy=log_group_arn.apply(lambda arn: iam.execution_policy(arn, images, refs, trusted)),
        opts=child,
    )
    task = aws.iam.Role(
        f"{name}-task",
        assume_role_policy=trust,
        description=f"Application permissions of {name}",
        opts=child,
    )
    for arn in spec.task_role.managed_policy_arns:
        aws.iam.RolePolicyAttachment(
            f"{name}-task-{arn.rsplit('/', 1)[-1]}", role=task.name, policy_arn=arn, opts=child
        )
    if spec.task_role.statements:
        aws.iam.RolePolicy(
            f"{name}-task",
            role=task.id,
            policy=iam.policy(
                {"Effect": s.effect, "Action": s.actions, "Resource": s.resources}
                for s in spec.task_role.statements
            ),
            opts=child,
        )
    return execution, task, (grant,)


def volumes(spec: ServiceSpec) -> list[aws.ecs.TaskDefinitionVolumeArgs]:
    """EFS volumes (transit encryption always on) and scratch volumes for writable paths."""
    out = [
        aws.ecs.TaskDefinitionVolumeArgs(
            name=v.name,
            efs_volume_configuration=aws.ecs.TaskDefinitionVolumeEfsVolumeConfigurationArgs(
                file_system_id=v.file_system_id,
                root_directory=None if v.access_point_id else v.root_directory,
                transit_encryption="ENABLED",  # Security Hub ECS.18
                authorization_config=aws.ecs.TaskDefinitionVolumeEfsVolumeConfigurationAuthorizationConfigArgs(
                    access_point_id=v.access_point_id, iam="ENABLED"
                ),
            ),
        )
        for v in spec.efs_volumes
    ]
    # Empty task volumes live on the task's ephemeral storage: scratch space for a
    # read-only root filesystem.
    out += [aws.ecs.TaskDefinitionVolumeArgs(name=volume_name(p)) for p in spec.writable_paths]
    return out
