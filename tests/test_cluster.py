"""Cluster component: settings, Exec logging, capacity providers, optional EC2 capacity."""

from __future__ import annotations

import base64
import json

import pytest

from tests.support import config, only, plan_config

CLUSTER = "aws:ecs/cluster:Cluster"
CAPACITY = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
EC2 = {"instanceType": "m7g.large", "minSize": 1, "maxSize": 4}


def test_default_cluster_has_container_insights_enabled_and_a_readable_name():
    cluster = only(plan_config(config()), CLUSTER)
    assert cluster.inputs["name"] == "ecs-platform-test"
    assert cluster.inputs["settings"] == [{"name": "containerInsights", "value": "enabled"}]


@pytest.mark.parametrize("mode", ["disabled", "enabled", "enhanced"])
def test_container_insights_mode_comes_from_config(mode):
    cluster = only(plan_config(config(cluster={"containerInsights": mode})), CLUSTER)
    assert cluster.inputs["settings"] == [{"name": "containerInsights", "value": mode}]


def test_exec_sessions_are_logged_to_an_encrypted_log_group_with_retention():
    plan = plan_config(config(cluster={"execLogRetentionDays": 365}))
    cluster = only(plan, CLUSTER)
    exec_config = cluster.inputs["configuration"]["executeCommandConfiguration"]
    assert exec_config["logging"] == "OVERRIDE"
    assert exec_config["logConfiguration"]["cloudWatchEncryptionEnabled"] is True
    log_group = plan.named("cluster-exec", "aws:cloudwatch/logGroup:LogGroup")
    assert (
        exec_config["logConfiguration"]["cloudWatchLogGroupName"] == "/ecs/ecs-platform-test/exec"
    )
    assert log_group.inputs["retentionInDays"] == 365
    key = only(plan, "aws:kms/key:Key")
    assert key.inputs["enableKeyRotation"] is True
    assert log_group.inputs["kmsKeyId"].startswith("arn:aws:kms:ap-northeast-2:")
    assert exec_config["kmsKeyId"] == log_group.inputs["kmsKeyId"]


def test_the_exec_key_is_retained_whenever_the_log_group_it_encrypts_is_retained():
    # Deleting the key makes the retained audit logs unreadable (CloudWatch Logs user guide).
    plan = plan_config(config(protection={"protect": True, "retainOnDelete": True}))
    log_group = plan.named("cluster-exec", "aws:cloudwatch/logGroup:LogGroup")
    key = only(plan, "aws:kms/key:Key")
    assert log_group.options["retainOnDelete"] is True
    assert key.options["retainOnDelete"] is True and key.options["protect"] is True


def test_exec_key_lets_cloudwatch_logs_use_it_only_for_this_accounts_log_groups():
    key = only(plan_config(config()), "aws:kms/key:Key")
    policy = json.loads(key.inputs["policy"])
    logs = next(s for s in policy["Statement"] if s["Sid"] == "CloudWatchLogsEncryptsExecLogs")
    assert logs["Principal"] == {"Service": "logs.ap-northeast-2.amazonaws.com"}
    assert logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"] == (
        "arn:aws:logs:ap-northeast-2:123456789012:log-group:*"
    )


def test_service_connect_namespace_defaults_to_the_stack_name_and_is_the_cluster_default():
    plan = plan_config(config())
    namespace = only(plan, "aws:servicediscovery/httpNamespace:HttpNamespace")
    assert namespace.inputs["name"] == "test.internal"
    cluster = only(plan, CLUSTER)
    assert cluster.inputs["serviceConnectDefaults"]["namespace"].startswith(
        "arn:aws:servicediscovery:"
    )


def test_service_connect_namespace_name_from_config():
    plan = plan_config(config(cluster={"serviceConnectNamespace": "shop.internal"}))
    assert only(plan, "aws:servicediscovery/httpNamespace:HttpNamespace").inputs["name"] == (
        "shop.internal"
    )


def test_default_strategy_is_on_demand_fargate():
    capacity = only(plan_config(config()), CAPACITY)
    assert capacity.inputs["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert capacity.inputs["defaultCapacityProviderStrategies"] == [
        {"capacityProvider": "FARGATE", "base": 1, "weight": 1}
    ]


def test_spot_heavy_strategy_is_sent_as_configured():
    strategy = [
        {"provider": "FARGATE", "base": 1, "weight": 1},
        {"provider": "FARGATE_SPOT", "weight": 4},
    ]
    capacity = only(plan_config(config(cluster={"capacityProviders": strategy})), CAPACITY)
    assert capacity.inputs["defaultCapacityProviderStrategies"] == [
        {"capacityProvider": "FARGATE", "base": 1, "weight": 1},
        {"capacityProvider": "FARGATE_SPOT", "base": 0, "weight": 4},
    ]


def test_no_ec2_capacity_resources_without_ec2_capacity():
    plan = plan_config(config())
    for type_ in (
        "aws:ec2/launchTemplate:LaunchTemplate",
        "aws:autoscaling/group:Group",
        "aws:ecs/capacityProvider:CapacityProvider",
        "aws:iam/instanceProfile:InstanceProfile",
    ):
        assert plan.of_type(type_) == [], type_


def test_ec2_capacity_provider_has_managed_scaling_termination_protection_and_draining():
    plan = plan_config(config(cluster={"ec2Capacity": {**EC2, "targetCapacity": 80}}))
    provider = only(plan, "aws:ecs/capacityProvider:CapacityProvider")
    asg_provider = provider.inputs["autoScalingGroupProvider"]
    assert asg_provider["managedTerminationProtection"] == "ENABLED"
    assert asg_provider["managedDraining"] == "ENABLED"
    assert asg_provider["managedScaling"]["status"] == "ENABLED"
    assert asg_provider["managedScaling"]["targetCapacity"] == 80
    capacity = only(plan, CAPACITY)
    assert capacity.inputs["capacityProviders"][:2] == ["FARGATE", "FARGATE_SPOT"]
    assert len(capacity.inputs["capacityProviders"]) == 3


def test_ec2_auto_scaling_group_spans_the_private_subnets_and_is_protected_from_scale_in():
    plan = plan_config(config(cluster={"ec2Capacity": EC2}))
    group = only(plan, "aws:autoscaling/group:Group")
    assert (group.inputs["minSize"], group.inputs["maxSize"]) == (1, 4)
    assert group.inputs["protectFromScaleIn"] is True
    assert len(group.inputs["vpcZoneIdentifiers"]) == 2
    private = {r.urn for r in plan.of_type("aws:ec2/subnet:Subnet") if "private" in r.name}
    assert private <= set(group.dependencies)
    assert {"key": "AmazonECSManaged", "value": "true", "propagateAtLaunch": True} in group.inputs[
        "tags"
    ]
    assert group.options["ignoreChanges"] == ["desiredCapacity"]
    # Scale-in protected instances are never terminated by the group: deleting it must force.
    assert group.inputs["forceDelete"] is True


def test_ec2_launch_template_requires_imdsv2_and_registers_with_the_cluster():
    plan = plan_config(config(cluster={"ec2Capacity": EC2}))
    template = only(plan, "aws:ec2/launchTemplate:LaunchTemplate")
    assert template.inputs["metadataOptions"] == {
        "httpEndpoint": "enabled",
        "httpTokens": "required",
        "httpPutResponseHopLimit": 1,
    }
    user_data = base64.b64decode(template.inputs["userData"]).decode()
    assert "ECS_CLUSTER=ecs-platform-test" in user_data
    assert "ECS_AWSVPC_BLOCK_IMDS=true" in user_data
    (device,) = template.inputs["blockDeviceMappings"]
    assert device["ebs"]["encrypted"] == "true" and device["ebs"]["volumeType"] == "gp3"


@pytest.mark.parametrize(
    ("instance_type", "parameter"),
    [
        (
            "m7g.large",
            "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
        ),
        ("m6i.large", "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"),
    ],
)
def test_ecs_optimized_ami_matches_the_instance_architecture(instance_type, parameter):
    from components.specs.cluster import Ec2CapacitySpec

    assert Ec2CapacitySpec(instance_type=instance_type).architecture == (
        "ARM64" if "arm64" in parameter else "X86_64"
    )
    plan = plan_config(config(cluster={"ec2Capacity": {**EC2, "instanceType": instance_type}}))
    assert "aws:ssm/getParameter:getParameter" in plan.invokes


def test_ec2_instances_get_no_inbound_rules():
    plan = plan_config(config(cluster={"ec2Capacity": EC2}))
    assert plan.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") == []
    (egress,) = plan.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    assert egress.name == "cluster-instances-egress"


def test_ec2_instance_role_trusts_only_ec2_and_has_the_ecs_instance_policies():
    plan = plan_config(config(cluster={"ec2Capacity": EC2}))
    role = plan.named("cluster-instance", "aws:iam/role:Role")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "ec2.amazonaws.com"}]
    attached = sorted(
        r.inputs["policyArn"]
        for r in plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    )
    assert attached == [
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
    ]


def test_cluster_name_output_waits_for_the_capacity_provider_association():
    plan = plan_config(config())
    assert plan.outputs["clusterName"] == "ecs-platform-test"
