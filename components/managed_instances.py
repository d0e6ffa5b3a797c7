"""ECS Managed Instances capacity: AWS launches, patches and replaces the EC2 instances.

Creates (children of the Cluster): the infrastructure role ECS uses to manage the instances
(AWS managed policy AmazonECSInfrastructureRolePolicyForManagedInstances, plus iam:PassRole on
exactly the instance role), the instance role and instance profile (AWS managed policy
AmazonECSInstanceRolePolicyForManagedInstances), an instance security group (no inbound: tasks
have their own ENIs) and the capacity provider, scoped to the cluster, with attribute-based
instance selection. Services and tasks use it as the strategy entry MANAGED_INSTANCES.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from . import iam, security_groups
from .specs.cluster import ManagedInstancesSpec

INFRASTRUCTURE_POLICY = (
    "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForManagedInstances"
)
INSTANCE_POLICY = "arn:aws:iam::aws:policy/AmazonECSInstanceRolePolicyForManagedInstances"


def managed_instances_provider(
    parent: pulumi.Resource,
    name: str,
    spec: ManagedInstancesSpec,
    *,
    cluster_name: pulumi.Input[str],
    vpc_id: pulumi.Input[str],
    subnet_ids: Sequence[pulumi.Input[str]],
) -> pulumi.Output[str]:
    """Create the provider and what it needs; return the provider's name."""
    instance_role, instance_grant, profile = _instance_role(parent, name)
    infrastructure, infra_grants = _infrastructure_role(parent, name, instance_role)
    sg = security_groups.for_instances(
        f"{name}-managed",
        vpc_id=vpc_id,
        description="ECS Managed Instances: no inbound; tasks have their own ENIs",
        opts=pulumi.ResourceOptions(parent=parent),
    )
    provider = aws.ecs.CapacityProvider(
        f"{name}-managed",
        cluster=cluster_name,
        managed_instances_provider=aws.ecs.CapacityProviderManagedInstancesProviderArgs(
            infrastructure_role_arn=infrastructure.arn,
            propagate_tags="CAPACITY_PROVIDER",
            instance_launch_template=aws.ecs.CapacityProviderManagedInstancesProviderInstanceLaunchTemplateArgs(
                ec2_instance_profile_arn=profile.arn,
                network_configuration=aws.ecs.CapacityProviderManagedInstancesProviderInstanceLaunchTemplateNetworkConfigurationArgs(
                    subnets=subnet_ids, security_groups=[sg.id]
                ),
                capacity_option_type=spec.capacity_option_type,
                monitoring=spec.monitoring,
                storage_configuration=aws.ecs.CapacityProviderManagedInstancesProviderInstanceLaunchTemplateStorageConfigurationArgs(
                    storage_size_gib=spec.storage_gib
                ),
                instance_requirements=_requirements(spec),
            ),
        ),
        # ECS launches instances with these roles as soon as a task needs one; IAM is
        # eventually consistent, so their grants exist first.
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[instance_grant, *infra_grants]),
    )
    return provider.name


def _instance_role(
    parent: pulumi.Resource, name: str
) -> tuple[aws.iam.Role, aws.iam.RolePolicyAttachment, aws.iam.InstanceProfile]:
    """The instances' own role (agent registration), its grant and its instance profile."""
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(
        f"{name}-managed-instance",
        assume_role_policy=iam.trust("ec2.amazonaws.com"),
        description="ECS Managed Instances: the instances' own role (agent registration)",
        opts=child,
    )
    grant = aws.iam.RolePolicyAttachment(
        f"{name}-managed-instance", role=role.name, policy_arn=INSTANCE_POLICY, opts=child
    )
    profile = aws.iam.InstanceProfile(f"{name}-managed-instance", role=role.name, opts=child)
    return role, grant, profile


def _infrastructure_role(
    parent: pulumi.Resource, name: str, instance_role: aws.iam.Role
) -> tuple[aws.iam.Role, list[pulumi.Resource]]:
    """The role ECS launches and manages the instances with, and its two grants: the managed
    policy, and iam:PassRole on exactly the instance role."""
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(
        f"{name}-managed-infra",
        assume_role_policy=iam.trust("ecs.amazonaws.com"),
        description="ECS Managed Instances: ECS launches and manages the instances",
        opts=child,
    )
    managed = aws.iam.RolePolicyAttachment(
        f"{name}-managed-infra", role=role.name, policy_arn=INFRASTRUCTURE_POLICY, opts=child
    )
    pass_role = aws.iam.RolePolicy(
        f"{name}-managed-infra",
        role=role.id,
        policy=instance_role.arn.apply(_pass_instance_role),
        opts=child,
    )
    return role, [managed, pass_role]


def _pass_instance_role(instance_role_arn: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PassOnlyTheInstanceRole",
                    "Effect": "Allow",
                    "Action": "iam:PassRole",
                    "Resource": instance_role_arn,
                    "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
                }
            ],
        }
    )


def _requirements(spec: ManagedInstancesSpec) -> Any:
    """Attribute-based instance selection (plain dict form of the SDK's nested Args)."""
    return {
        "vcpu_count": {"min": spec.vcpu_count.min, "max": spec.vcpu_count.max},
        "memory_mib": {"min": spec.memory_mib.min, "max": spec.memory_mib.max},
    }
