"""EC2 Auto Scaling capacity of the cluster: instances the team's EC2 services run on.

Creates (children of the Cluster): the instance role `{name}-instance` with the two AWS managed
policies ECS container instances need (`{name}-instance-ecs` / `{name}-instance-ssm`) and its
instance profile, the instance security group `{name}-instances` (no inbound: tasks have their
own ENIs), the launch template `{name}-ec2` (ECS-optimized AMI from SSM, IMDSv2 only, encrypted
gp3 root, user data that joins the cluster), the Auto Scaling group `{name}-ec2` over the
private subnets, and the capacity provider `{name}-ec2` with managed scaling, termination
protection and draining. Services and tasks use it as the strategy entry EC2.
Expects: the cluster's name (for the instances' user data), the VPC ID and the private subnet
IDs.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from . import iam, security_groups
from .specs.cluster import Ec2CapacitySpec

ECS_AMI_PARAMETER = {
    "X86_64": "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
    "ARM64": "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
}


def ec2_capacity_provider(
    parent: pulumi.Resource,
    name: str,
    spec: Ec2CapacitySpec,
    *,
    cluster_name: pulumi.Output[str],
    vpc_id: pulumi.Input[str],
    subnet_ids: Sequence[pulumi.Input[str]],
) -> pulumi.Output[str]:
    """Create the Auto Scaling group, its capacity provider and what they need; the provider's
    name."""
    profile, grants = _instance_profile(parent, name)
    sg = security_groups.for_instances(
        f"{name}-instances",
        vpc_id=vpc_id,
        description="ECS container instances: no inbound; tasks have their own ENIs",
        opts=pulumi.ResourceOptions(parent=parent),
    )
    template = _launch_template(parent, name, spec, profile, sg, cluster_name, grants)
    group = _auto_scaling_group(parent, name, spec, template, subnet_ids)
    provider = aws.ecs.CapacityProvider(
        f"{name}-ec2",
        auto_scaling_group_provider=aws.ecs.CapacityProviderAutoScalingGroupProviderArgs(
            auto_scaling_group_arn=group.arn,
            managed_termination_protection="ENABLED",
            managed_draining="ENABLED",
            managed_scaling=aws.ecs.CapacityProviderAutoScalingGroupProviderManagedScalingArgs(
                status="ENABLED",
                target_capacity=spec.target_capacity,
                minimum_scaling_step_size=1,
                maximum_scaling_step_size=10,
                instance_warmup_period=90,
            ),
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return provider.name


def _instance_profile(
    parent: pulumi.Resource, name: str
) -> tuple[aws.iam.InstanceProfile, list[aws.iam.RolePolicyAttachment]]:
    """The instances' role, its managed-policy grants and the profile that carries it."""
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(
        f"{name}-instance",
        assume_role_policy=iam.trust("ec2.amazonaws.com"),
        description="ECS container instances: register with the cluster, SSM access",
        opts=child,
    )
    grants = [
        aws.iam.RolePolicyAttachment(
            f"{name}-instance-{suffix}", role=role.name, policy_arn=policy, opts=child
        )
        for suffix, policy in iam.INSTANCE_POLICIES.items()
    ]
    profile = aws.iam.InstanceProfile(f"{name}-instance", role=role.name, opts=child)
    return profile, grants


def _launch_template(
    parent: pulumi.Resource,
    name: str,
    spec: Ec2CapacitySpec,
    profile: aws.iam.InstanceProfile,
    sg: aws.ec2.SecurityGroup,
    cluster_name: pulumi.Output[str],
    grants: list[aws.iam.RolePolicyAttachment],
) -> aws.ec2.LaunchTemplate:
    ami = aws.ssm.get_parameter(
        name=ECS_AMI_PARAMETER[spec.architecture], opts=pulumi.InvokeOptions(parent=parent)
    )
    return aws.ec2.LaunchTemplate(
        f"{name}-ec2",
        image_id=ami.value,
        instance_type=spec.instance_type,
        iam_instance_profile=aws.ec2.LaunchTemplateIamInstanceProfileArgs(arn=profile.arn),
        vpc_security_group_ids=[sg.id],
        user_data=cluster_name.apply(_user_data),
        # IMDSv2 only, hop limit 1: containers cannot reach the instance's credentials.
        metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
            http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1
        ),
        block_device_mappings=[
            aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                device_name="/dev/xvda",
                ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                    volume_size=spec.root_volume_gib, volume_type="gp3", encrypted="true"
                ),
            )
        ],
        monitoring=aws.ec2.LaunchTemplateMonitoringArgs(enabled=True),
        update_default_version=True,
        # Instances register with the cluster using the profile's role at boot; its grants
        # exist before the group launches from this template (IAM eventual consistency).
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
        opts=pulumi.ResourceOptions(parent=parent, depends_on=grants),
    )


def _auto_scaling_group(
    parent: pulumi.Resource,
    name: str,
    spec: Ec2CapacitySpec,
    template: aws.ec2.LaunchTemplate,
    subnet_ids: Sequence[pulumi.Input[str]],
) -> aws.autoscaling.Group:
    return aws.autoscaling.Group(
        f"{name}-ec2",
        min_size=spec.min_size,
        max_size=spec.max_size,
        vpc_zone_identifiers=subnet_ids,
        launch_template=aws.autoscaling.GroupLaunchTemplateArgs(id=template.id, version="$Latest"),
        protect_from_scale_in=True,  # managed termination protection requires it
        # Scale-in protected instances are never terminated by the group, so deleting it
        # waits forever unless forced: DeleteAutoScalingGroup ForceDelete deletes the group
        # "along with all instances associated with the group, without waiting".
        # https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-instance-protection.html
        # https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DeleteAutoScalingGroup.html
        force_delete=True,
        health_check_type="EC2",
        tags=[
            aws.autoscaling.GroupTagArgs(
                key="AmazonECSManaged", value="true", propagate_at_launch=True
            ),
            aws.autoscaling.GroupTagArgs(
                key="Name", value=f"{pulumi.get_stack()}-ecs", propagate_at_launch=True
            ),
        ],
        # ECS managed scaling owns the desired capacity; `up` must not reset it.
        opts=pulumi.ResourceOptions(parent=parent, ignore_changes=["desiredCapacity"]),
    )


def _user_data(cluster_name: str) -> str:
    script = "\n".join(
        [
            "#!/bin/bash",
            f"echo ECS_CLUSTER={cluster_name} >> /etc/ecs/ecs.config",
            # Tasks use their own ENI credentials; block the instance metadata from them.
            "echo ECS_AWSVPC_BLOCK_IMDS=true >> /etc/ecs/ecs.config",
            "echo ECS_ENABLE_SPOT_INSTANCE_DRAINING=true >> /etc/ecs/ecs.config",
            "echo ECS_IMAGE_PULL_BEHAVIOR=prefer-cached >> /etc/ecs/ecs.config",
            "",
        ]
    )
    return base64.b64encode(script.encode()).decode()
