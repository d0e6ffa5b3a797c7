"""Cluster: the ECS cluster, its capacity providers, Service Connect namespace and Exec logging.

Creates: ECS cluster (Container Insights, ECS Exec session logging to a KMS-encrypted log
group), Cloud Map HTTP namespace (Service Connect default), cluster capacity providers with the
default strategy (FARGATE, FARGATE_SPOT and, when configured, EC2). EC2 capacity adds: instance
role and profile, instance security group (no ingress), launch template (ECS-optimized AMI from
SSM, IMDSv2 only, encrypted gp3 root), Auto Scaling group over the private subnets, and a
capacity provider with managed scaling, termination protection and draining.
Expects: the private subnet IDs and VPC ID (for EC2 capacity).

`name` is the ECS cluster's name as read back from the capacity-provider association, so
services that use it wait for their providers to be attached (CreateService fails otherwise).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from . import iam, protection, security_groups
from .anywhere import Anywhere, external_instances
from .managed_instances import managed_instances_provider
from .specs.cluster import ClusterSpec, Ec2CapacitySpec

ECS_AMI_PARAMETER = {
    "X86_64": "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
    "ARM64": "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
}


class Cluster(pulumi.ComponentResource):
    """ECS cluster for one stack."""

    arn: pulumi.Output[str]
    name: pulumi.Output[str]
    namespace_arn: pulumi.Output[str]
    namespace_name: pulumi.Output[str]
    exec_kms_key_arn: pulumi.Output[str]
    exec_log_group_arn: pulumi.Output[str]
    ec2_capacity_provider: pulumi.Output[str] | None
    managed_instances_provider: pulumi.Output[str] | None
    anywhere: Anywhere | None

    def __init__(
        self,
        name: str,
        spec: ClusterSpec,
        *,
        vpc_id: pulumi.Input[str],
        private_subnet_ids: Sequence[pulumi.Input[str]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("ecs-platform:cluster:Cluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        stack, project = pulumi.get_stack(), pulumi.get_project()
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(parent=self))
        region = aws.get_region_output(opts=pulumi.InvokeOptions(parent=self)).region

        key = aws.kms.Key(
            f"{name}-exec",
            description=f"ECS Exec session data and logs of {project}-{stack}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=pulumi.Output.all(identity.account_id, region).apply(
                lambda a: _exec_key_policy(a[0], a[1])
            ),
            # Retained with the log group it encrypts: "If you revoke CloudWatch Logs access to
            # an associated key or delete an associated KMS key, your encrypted data in
            # CloudWatch Logs can no longer be retrieved."
            # https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
            opts=protection.stateful(self, retained=True),
        )
        # Fixed name, retained: documented and guarded like the services' log groups
        # (components/task.py); its key above is retained with it.
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-exec",
            name=f"/ecs/{project}-{stack}/exec",
            retention_in_days=spec.exec_log_retention_days,
            kms_key_id=key.arn,
            opts=protection.stateful(self, retained=True),
        )
        # Fixed names below (namespace: the domain callers use; cluster: the name in CLI
        # commands, alarms and dashboards) are never retained on delete, so a destroy removes
        # them and a re-created stack can take the same names again.
        namespace = aws.servicediscovery.HttpNamespace(
            f"{name}-namespace",
            name=spec.service_connect_namespace or f"{stack}.internal",
            description=f"Service Connect namespace of {project}-{stack}",
            opts=child,
        )
        cluster = aws.ecs.Cluster(
            f"{name}-ecs",
            name=f"{project}-{stack}",
            settings=[
                aws.ecs.ClusterSettingArgs(name="containerInsights", value=spec.container_insights)
            ],
            configuration=aws.ecs.ClusterConfigurationArgs(
                execute_command_configuration=aws.ecs.ClusterConfigurationExecuteCommandConfigurationArgs(
                    kms_key_id=key.arn,
                    logging="OVERRIDE",
                    log_configuration=aws.ecs.ClusterConfigurationExecuteCommandConfigurationLogConfigurationArgs(
                        cloud_watch_log_group_name=log_group.name,
                        cloud_watch_encryption_enabled=True,
                    ),
                )
            ),
            service_connect_defaults=aws.ecs.ClusterServiceConnectDefaultsArgs(
                namespace=namespace.arn
            ),
            opts=protection.stateful(self),
        )

        self.ec2_capacity_provider = None
        providers: list[pulumi.Input[str]] = ["FARGATE", "FARGATE_SPOT"]
        if spec.ec2_capacity is not None:
            self.ec2_capacity_provider = self._ec2_capacity(
                name, spec.ec2_capacity, cluster.name, vpc_id, private_subnet_ids
            )
            providers.append(self.ec2_capacity_provider)
        self.managed_instances_provider = None
        if spec.managed_instances is not None:
            self.managed_instances_provider = managed_instances_provider(
                self,
                name,
                spec.managed_instances,
                cluster_name=cluster.name,
                vpc_id=vpc_id,
                subnet_ids=private_subnet_ids,
            )
            # Not in `providers`: a Managed Instances provider is bound to its cluster when it is
            # created, and PutClusterCapacityProviders refuses it ("Amazon ECS Managed Instances
            # doesn't support this"). Services name it in their own strategy.
            # https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PutClusterCapacityProviders.html
        capacity = aws.ecs.ClusterCapacityProviders(
            f"{name}-capacity",
            cluster_name=cluster.name,
            capacity_providers=providers,
            default_capacity_provider_strategies=[
                aws.ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs(
                    capacity_provider=self.provider_name(item.provider),
                    base=item.base,
                    weight=item.weight,
                )
                for item in spec.capacity_providers
            ],
            opts=child,
        )

        self.anywhere = None
        if spec.external is not None:
            self.anywhere = external_instances(
                self,
                name,
                spec.external,
                cluster_name=cluster.name,
                account=identity.account_id,
                region=region,
            )

        self.arn = cluster.arn
        self.name = capacity.cluster_name
        self.namespace_arn = namespace.arn
        self.namespace_name = namespace.name
        self.exec_kms_key_arn = key.arn
        self.exec_log_group_arn = log_group.arn
        self.register_outputs(
            {
                "arn": self.arn,
                "name": self.name,
                "namespaceArn": self.namespace_arn,
                "execKmsKeyArn": self.exec_kms_key_arn,
            }
        )

    def provider_name(self, provider: str) -> pulumi.Input[str]:
        """Capacity provider name for a strategy entry (EC2 -> this cluster's ASG provider)."""
        if provider == "EC2":
            assert self.ec2_capacity_provider is not None
            return self.ec2_capacity_provider
        if provider == "MANAGED_INSTANCES":
            assert self.managed_instances_provider is not None
            return self.managed_instances_provider
        return provider

    def _ec2_capacity(
        self,
        name: str,
        spec: Ec2CapacitySpec,
        cluster_name: pulumi.Output[str],
        vpc_id: pulumi.Input[str],
        private_subnet_ids: Sequence[pulumi.Input[str]],
    ) -> pulumi.Output[str]:
        child = pulumi.ResourceOptions(parent=self)
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
        sg = security_groups.for_instances(
            f"{name}-instances",
            vpc_id=vpc_id,
            description="ECS container instances: no inbound; tasks have their own ENIs",
            opts=child,
        )
        ami = aws.ssm.get_parameter(
            name=ECS_AMI_PARAMETER[spec.architecture], opts=pulumi.InvokeOptions(parent=self)
        )
        template = aws.ec2.LaunchTemplate(
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
            opts=pulumi.ResourceOptions(parent=self, depends_on=grants),
        )
        group = aws.autoscaling.Group(
            f"{name}-ec2",
            min_size=spec.min_size,
            max_size=spec.max_size,
            vpc_zone_identifiers=private_subnet_ids,
            launch_template=aws.autoscaling.GroupLaunchTemplateArgs(
                id=template.id, version="$Latest"
            ),
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
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["desiredCapacity"]),
        )
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
            opts=child,
        )
        return provider.name


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


def _exec_key_policy(account: str, region: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AccountAdministers",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "CloudWatchLogsEncryptsExecLogs",
                    "Effect": "Allow",
                    "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                    "Action": [
                        "kms:Encrypt*",
                        "kms:Decrypt*",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:Describe*",
                    ],
                    "Resource": "*",
                    "Condition": {
                        "ArnLike": {
                            "kms:EncryptionContext:aws:logs:arn": (
                                f"arn:aws:logs:{region}:{account}:log-group:*"
                            )
                        }
                    },
                },
            ],
        }
    )
