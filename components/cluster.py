"""Cluster: the ECS cluster, its capacity providers, Service Connect namespace and Exec logging.

Creates: ECS cluster (Container Insights, ECS Exec session logging to a KMS-encrypted log
group), Cloud Map HTTP namespace (Service Connect default), cluster capacity providers with the
default strategy (FARGATE, FARGATE_SPOT and, when configured, EC2). The capacity behind the
non-Fargate providers lives in modules of its own, children of this component: EC2 Auto Scaling
(ec2_capacity), ECS Managed Instances (managed_instances), ECS Anywhere servers (anywhere).
Expects: the private subnet IDs and VPC ID (for EC2 capacity and Managed Instances).

`name` is the ECS cluster's name as read back from the capacity-provider association, so
services that use it wait for their providers to be attached (CreateService fails otherwise).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from . import protection
from .anywhere import Anywhere, external_instances
from .ec2_capacity import ec2_capacity_provider
from .managed_instances import managed_instances_provider
from .specs.cluster import ClusterSpec


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
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(parent=self))
        region = aws.get_region_output(opts=pulumi.InvokeOptions(parent=self)).region

        key, log_group = self._exec_logging(name, spec, identity.account_id, region)
        namespace = aws.servicediscovery.HttpNamespace(
            f"{name}-namespace",
            name=spec.service_connect_namespace or f"{pulumi.get_stack()}.internal",
            description=f"Service Connect namespace of {pulumi.get_project()}-{pulumi.get_stack()}",
            opts=pulumi.ResourceOptions(parent=self),
        )
        cluster = self._ecs_cluster(name, spec, key, log_group, namespace)
        capacity = self._capacity(name, spec, cluster.name, vpc_id, private_subnet_ids)

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

    def _exec_logging(
        self,
        name: str,
        spec: ClusterSpec,
        account: pulumi.Output[str],
        region: pulumi.Output[str],
    ) -> tuple[aws.kms.Key, aws.cloudwatch.LogGroup]:
        """The KMS key and log group ECS Exec sessions are encrypted with and logged to."""
        stack, project = pulumi.get_stack(), pulumi.get_project()
        key = aws.kms.Key(
            f"{name}-exec",
            description=f"ECS Exec session data and logs of {project}-{stack}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=pulumi.Output.all(account, region).apply(lambda a: _exec_key_policy(a[0], a[1])),
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
        return key, log_group

    def _ecs_cluster(
        self,
        name: str,
        spec: ClusterSpec,
        key: aws.kms.Key,
        log_group: aws.cloudwatch.LogGroup,
        namespace: aws.servicediscovery.HttpNamespace,
    ) -> aws.ecs.Cluster:
        # Fixed names (namespace: the domain callers use; cluster: the name in CLI commands,
        # alarms and dashboards) are never retained on delete, so a destroy removes them and a
        # re-created stack can take the same names again.
        return aws.ecs.Cluster(
            f"{name}-ecs",
            name=f"{pulumi.get_project()}-{pulumi.get_stack()}",
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

    def _capacity(
        self,
        name: str,
        spec: ClusterSpec,
        cluster_name: pulumi.Output[str],
        vpc_id: pulumi.Input[str],
        private_subnet_ids: Sequence[pulumi.Input[str]],
    ) -> aws.ecs.ClusterCapacityProviders:
        """The EC2 and Managed Instances providers (when configured) and the cluster's
        association with its providers and default strategy."""
        self.ec2_capacity_provider = None
        providers: list[pulumi.Input[str]] = ["FARGATE", "FARGATE_SPOT"]
        if spec.ec2_capacity is not None:
            self.ec2_capacity_provider = ec2_capacity_provider(
                self,
                name,
                spec.ec2_capacity,
                cluster_name=cluster_name,
                vpc_id=vpc_id,
                subnet_ids=private_subnet_ids,
            )
            providers.append(self.ec2_capacity_provider)
        self.managed_instances_provider = None
        if spec.managed_instances is not None:
            self.managed_instances_provider = managed_instances_provider(
                self,
                name,
                spec.managed_instances,
                cluster_name=cluster_name,
                vpc_id=vpc_id,
                subnet_ids=private_subnet_ids,
            )
            # Not in `providers`: a Managed Instances provider is bound to its cluster when it is
            # created, and PutClusterCapacityProviders refuses it ("Amazon ECS Managed Instances
            # doesn't support this"). Services name it in their own strategy.
            # https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PutClusterCapacityProviders.html
        return aws.ecs.ClusterCapacityProviders(
            f"{name}-capacity",
            cluster_name=cluster_name,
            capacity_providers=providers,
            default_capacity_provider_strategies=[
                aws.ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs(
                    capacity_provider=self.provider_name(item.provider),
                    base=item.base,
                    weight=item.weight,
                )
                for item in spec.capacity_providers
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )


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
