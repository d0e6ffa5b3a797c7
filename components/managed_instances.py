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
    child = pulumi.ResourceOptions(parent=parent)
    instance_role = aws.iam.Role(
        f"{name}-managed-instance",
        assume_role_policy=iam.trust("ec2.amazonaws.com"),
        description="ECS Managed Instances: the instances' own role (agent registration)",
        opts=child,
    )
    instance_grant = aws.iam.RolePolicyAttachment(
        f"{name}-managed-instance", role=instance_role.name, policy_arn=INSTANCE_POLICY, opts=child
    )
    profile = aws.iam.InstanceProfile(
        f"{name}-managed-instance", role=instance_role.name, opts=child
    )
    infrastructure = aws.iam.Role(
        f"{name}-managed-infra",
        assume_role_policy=iam.trust("ecs.amazonaws.com"),
        description="ECS Managed Instances: ECS launches and manages the instances",
        opts=child,
    )
    infra_grant = aws.iam.RolePolicyAttachment(
        f"{name}-managed-infra",
        role=infrastructure.name,
        policy_arn=INFRASTRUCTURE_POLICY,
        opts=child,
    )
    pass_grant = aws.iam.RolePolicy(
        f"{name}-managed-infra",
        role=infrastructure.id,
        policy=instance_role.arn.apply(
            lambda arn: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "PassOnlyTheInstanceRole",
                            "Effect": "Allow",
                            "Action": "iam:PassRole",
                            "Resource": arn,
                            "Condition": {
                                "StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}
                            },
                        }
                    ],
                }
            )
        ),
        opts=child,
    )
    sg = security_groups.for_instances(
        f"{name}-managed",
        vpc_id=vpc_id,
        description="ECS Managed Instances: no inbound; tasks have their own ENIs",
        opts=child,
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
        opts=pulumi.ResourceOptions(
            parent=parent, depends_on=[instance_grant, infra_grant, pass_grant]
        ),
    )
    return provider.name


def _requirements(spec: ManagedInstancesSpec) -> Any:
    """Attribute-based instance selection (plain dict form of the SDK's nested Args)."""
    return {
        "vcpu_count": {"min": spec.vcpu_count.min, "max": spec.vcpu_count.max},
        "memory_mib": {"min": spec.memory_mib.min, "max": spec.memory_mib.max},
    }
