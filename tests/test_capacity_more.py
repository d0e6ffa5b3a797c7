"""More cluster capacity: ECS Managed Instances beside Fargate and EC2 Auto Scaling groups."""

from __future__ import annotations

import json

import pytest

from tests.support import config, config_error, plan_config

PROVIDER = "aws:ecs/capacityProvider:CapacityProvider"
ROLE = "aws:iam/role:Role"
ATTACH = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
API = {"image": "public.ecr.aws/nginx/nginx:1.27", "cpu": 512, "memory": 1024}
MANAGED = [{"provider": "MANAGED_INSTANCES", "weight": 1}]


def stack(managed: dict | None = None, strategy: list | None = None, **top):
    cluster: dict = {"managedInstances": managed if managed is not None else {}}
    if strategy is not None:
        cluster["capacityProviders"] = strategy
    return config(
        network={"cidrBlock": "10.20.0.0/16", "availabilityZones": 2, "natGateways": "single"},
        cluster=cluster,
        **top,
    )


def provider(plan):
    return plan.named("cluster-managed", PROVIDER)


def test_managed_instances_provider_defaults():
    plan = plan_config(stack())
    cp = provider(plan).inputs
    assert cp["cluster"] == "ecs-platform-test"
    assert "autoScalingGroupProvider" not in cp
    mi = cp["managedInstancesProvider"]
    assert mi["propagateTags"] == "CAPACITY_PROVIDER"
    template = mi["instanceLaunchTemplate"]
    assert template["capacityOptionType"] == "ON_DEMAND"
    assert template["monitoring"] == "BASIC"
    assert template["storageConfiguration"] == {"storageSizeGib": 30}
    assert template["instanceRequirements"] == {
        "vcpuCount": {"min": 2, "max": 8},
        "memoryMib": {"min": 4096, "max": 32768},
    }
    subnets = template["networkConfiguration"]["subnets"]
    private = [r.urn for r in plan.of_type("aws:ec2/subnet:Subnet") if "private" in r.name]
    assert len(subnets) == 2 and len(private) == 2
    assert len(template["networkConfiguration"]["securityGroups"]) == 1


def test_options_reach_the_launch_template():
    managed = {
        "vcpuCount": {"min": 4},
        "memoryMib": {"min": 8192, "max": 65536},
        "capacityOptionType": "SPOT",
        "storageGib": 100,
        "monitoring": "DETAILED",
    }
    template = provider(plan_config(stack(managed))).inputs["managedInstancesProvider"][
        "instanceLaunchTemplate"
    ]
    assert template["capacityOptionType"] == "SPOT" and template["monitoring"] == "DETAILED"
    assert template["storageConfiguration"] == {"storageSizeGib": 100}
    assert template["instanceRequirements"] == {
        "vcpuCount": {"min": 4},
        "memoryMib": {"min": 8192, "max": 65536},
    }


def test_infrastructure_role_is_trusted_by_ecs_and_may_pass_only_the_instance_role():
    plan = plan_config(stack())
    infra = plan.named("cluster-managed-infra", ROLE)
    (trust,) = json.loads(infra.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "ecs.amazonaws.com"}
    attach = plan.named("cluster-managed-infra", ATTACH).inputs
    assert attach["policyArn"] == (
        "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForManagedInstances"
    )
    policy = plan.named("cluster-managed-infra", "aws:iam/rolePolicy:RolePolicy")
    (statement,) = json.loads(policy.inputs["policy"])["Statement"]
    assert statement["Action"] == "iam:PassRole"
    assert statement["Condition"] == {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}
    instance_role = plan.named("cluster-managed-instance", ROLE)
    assert instance_role.urn in policy.dependencies
    assert statement["Resource"].startswith("arn:aws:iam::123456789012:role/")
    assert infra.urn in provider(plan).dependencies


def test_instance_profile_carries_the_managed_instances_instance_policy():
    plan = plan_config(stack())
    role = plan.named("cluster-managed-instance", ROLE)
    (trust,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "ec2.amazonaws.com"}
    attach = plan.named("cluster-managed-instance", ATTACH).inputs
    assert attach["policyArn"] == (
        "arn:aws:iam::aws:policy/AmazonECSInstanceRolePolicyForManagedInstances"
    )
    profile = plan.named("cluster-managed-instance", "aws:iam/instanceProfile:InstanceProfile")
    assert role.urn in profile.dependencies
    assert profile.urn in provider(plan).dependencies


def test_instances_accept_no_inbound_traffic():
    plan = plan_config(stack())
    ingress = plan.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert not [r for r in ingress if r.name.startswith("cluster-managed")]
    assert plan.named(
        "cluster-managed-egress", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
    )


def test_the_provider_is_bound_by_its_cluster_not_put_with_the_cluster_capacity_providers():
    # PutClusterCapacityProviders refuses Managed Instances providers (ECS API reference).
    plan = plan_config(stack(services={"api": {**API, "capacityProviders": MANAGED}}))
    capacity = plan.named(
        "cluster-capacity", "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
    )
    assert capacity.inputs["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert provider(plan).urn not in capacity.dependencies
    assert provider(plan).inputs["cluster"] == "ecs-platform-test"


def test_services_on_managed_instances_register_managed_instances_task_definitions():
    plan = plan_config(stack(services={"api": {**API, "capacityProviders": MANAGED}}))
    td = plan.named("api-taskdef", "aws:ecs/taskDefinition:TaskDefinition").inputs
    assert td["requiresCompatibilities"] == ["MANAGED_INSTANCES"]
    assert td["networkMode"] == "awsvpc"
    (item,) = plan.named("api-service", "aws:ecs/service:Service").inputs[
        "capacityProviderStrategies"
    ]
    assert item["capacityProvider"] not in ("FARGATE", "FARGATE_SPOT", "MANAGED_INSTANCES")
    assert provider(plan).urn in plan.named("api-service", "aws:ecs/service:Service").dependencies


def test_without_managed_instances_nothing_of_it_is_created():
    plan = plan_config(config())
    assert plan.of_type(PROVIDER) == []
    assert not [r for r in plan.resources if "managed" in r.name]


def test_fargate_services_stay_fargate_beside_managed_instances():
    plan = plan_config(stack(services={"api": API}))
    td = plan.named("api-taskdef", "aws:ecs/taskDefinition:TaskDefinition").inputs
    assert td["requiresCompatibilities"] == ["FARGATE"]


@pytest.mark.parametrize(
    ("cfg", "path", "fragment"),
    [
        (config(cluster={"capacityProviders": MANAGED}), "cluster.capacityProviders[0].provider",
         "cannot be in the cluster's default strategy"),
        (stack(strategy=MANAGED), "cluster.capacityProviders[0].provider",
         "PutClusterCapacityProviders does not accept Managed Instances providers"),
        (config(services={"api": {**API, "capacityProviders": MANAGED}}),
         "services.api.capacityProviders[0].provider", "needs cluster.managedInstances"),
        (stack(strategy=[*MANAGED, {"provider": "FARGATE", "weight": 1}]),
         "cluster.capacityProviders", "cannot mix Fargate and MANAGED_INSTANCES"),
        (stack({"vcpuCount": {"min": 8, "max": 4}}), "cluster.managedInstances.vcpuCount.min",
         "8 is above max 4"),
        (stack({"capacityOptionType": "RESERVED"}), "cluster.managedInstances.capacityOptionType",
         "not allowed"),
        (stack(services={"api": {"image": API["image"], "capacityProviders": MANAGED}}),
         "services.api.memory", "required for tasks on Managed Instances capacity"),
        (stack(services={"api": {**API, "assignPublicIp": True, "capacityProviders": MANAGED}}),
         "services.api.assignPublicIp", "only for Fargate tasks"),
    ],
)  # fmt: skip
def test_bad_capacity_configs_are_rejected_at_the_key(cfg, path, fragment):
    error = config_error(cfg)
    assert error.path == path
    assert fragment in error.message


M6I_MONTH = 0.118 * 730 + 30 * 0.0912 + 0.121 * 0.118 * 730  # Seoul: instance, gp3, fee


def test_managed_instances_are_estimated_as_the_cheapest_allowed_type_spread_and_packed():
    from offline.cost import estimate

    on_managed = {**API, "desiredCount": 3, "capacityProviders": MANAGED}
    rep = estimate(plan_config(stack(services={"api": on_managed, "web": API})))
    (api,) = [c for c in rep.lines if c.item.startswith("api: 3 tasks")]
    (web,) = [c for c in rep.lines if c.item.startswith("web: ") and " x " in c.item]
    assert api.item.endswith("on Managed Instances") and api.monthly_usd == 0
    assert not web.item.endswith("on Managed Instances") and web.monthly_usd > 0
    (fleet,) = [c for c in rep.lines if c.item.startswith("ECS Managed Instances")]
    # 3 tasks of 0.5 vCPU / 1 GiB (x86) within 2-8 vCPU, 4-32 GiB: burstable T types are
    # excluded by default, so Seoul's cheapest priced x86 type is m6i.large ($0.118/h); the
    # tasks spread over 2 AZs (2 + 1) need one instance in each; each instance adds its 30 GB
    # gp3 root volume ($0.0912/GB-month) and the management fee (12.1 % of on-demand)
    assert fleet.item == "ECS Managed Instances cluster-managed: 2 x m6i.large [est]"
    assert fleet.monthly_usd == pytest.approx(2 * M6I_MONTH)
    assert "management fee" in fleet.basis and "burstable excluded" in fleet.basis
    assert not [w for w in rep.warnings if "Managed Instances" in w]


def test_managed_instances_grow_with_the_tasks_they_hold():
    from offline.cost import estimate

    big = {**API, "cpu": 2048, "memory": 4096, "desiredCount": 3, "capacityProviders": MANAGED}
    rep = estimate(plan_config(stack(services={"api": big})))
    (fleet,) = [c for c in rep.lines if c.item.startswith("ECS Managed Instances")]
    # one 2 vCPU / 4 GiB task per m6i.large (2 vCPU): three instances
    assert fleet.item == "ECS Managed Instances cluster-managed: 3 x m6i.large [est]"
    assert fleet.monthly_usd == pytest.approx(3 * M6I_MONTH)


def test_ecs19_managed_scaling_rule_does_not_apply_to_managed_instances():
    from offline.policy import evaluate, stack_view

    plan = plan_config(stack(services={"api": {**API, "capacityProviders": MANAGED}}))
    found = [v for v in evaluate(stack_view(plan), "prod").violations
             if v.policy == "ecs-capacity-provider-managed"]  # fmt: skip
    assert found == []
