"""Whole stacks: every shipped Pulumi.<stack>.yaml plans offline and keeps its invariants."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from offline.engine import Plan, plan
from offline.report import plan_json, render

ROOT = Path(__file__).resolve().parent.parent
STACKS = sorted(p.name.split(".")[1] for p in ROOT.glob("Pulumi.*.yaml"))
_plans: dict[str, Plan] = {}


def stack_plan(stack: str) -> Plan:
    if stack not in _plans:
        _plans[stack] = plan(stack)
    return _plans[stack]


def test_the_shipped_stacks_are_dev_staging_and_prod():
    assert STACKS == ["dev", "prod", "staging"]


@pytest.mark.parametrize("stack", STACKS)
def test_plan_json_follows_the_design_contract(stack):
    doc = json.loads(json.dumps(plan_json(stack_plan(stack))))
    assert {"stack", "project", "resources", "outputs", "cost", "deployment", "policy"} <= set(doc)
    assert doc["stack"] == stack and doc["project"] == "ecs-platform"
    for resource in doc["resources"]:
        assert {"urn", "type", "name", "parent", "inputs"} <= set(resource)
        assert resource["urn"].startswith(f"urn:pulumi:{stack}::ecs-platform::")
    assert {"monthlyUsd", "lines"} <= set(doc["cost"])
    assert {"rollingMinutes", "freshStackMinutes"} <= set(doc["deployment"])
    assert "violations" in doc["policy"]


@pytest.mark.parametrize("stack", STACKS)
def test_every_resource_is_inside_a_component_and_urns_are_unique(stack):
    result = stack_plan(stack)
    urns = [r.urn for r in result.resources]
    assert len(urns) == len(set(urns))
    top = {r.name for r in result.resources if r.parent is None}
    assert top <= {"network", "cluster", "dashboard"} | set(result.config.load_balancers) | set(
        result.config.services
    ) | set(result.config.scheduled_tasks) | set(result.config.workers)
    known = set(urns)
    assert all(r.parent in known for r in result.resources if r.parent is not None)


@pytest.mark.parametrize("stack", STACKS)
def test_no_logical_name_contains_the_stack_name(stack):
    assert not [r.name for r in stack_plan(stack).resources if stack in r.name.split("-")]


@pytest.mark.parametrize("stack", STACKS)
def test_the_human_report_lists_the_tree_and_counts(stack):
    text = render(stack_plan(stack))
    assert text.startswith(f"Stack {stack} (ecs-platform)")
    assert "aws:ec2/vpc:Vpc" in text and "Resources by type:" in text


def test_dev_is_two_azs_without_nat_and_spot_heavy_capacity():
    result = stack_plan("dev")
    assert result.config.network.availability_zones == 2
    assert result.of_type("aws:ec2/natGateway:NatGateway") == []
    assert result.of_type("aws:ec2/instance:Instance") == []
    strategy = result.config.cluster.capacity_providers
    spot = sum(i.weight for i in strategy if i.provider == "FARGATE_SPOT")
    assert spot > sum(i.weight for i in strategy if i.provider != "FARGATE_SPOT")


def test_dev_tasks_have_public_ips_in_public_subnets_but_no_port_open_to_the_internet():
    result = stack_plan("dev")
    public = {s.urn for s in result.of_type("aws:ec2/subnet:Subnet") if "public" in s.name}
    lb_sg = result.named("public-lb", "aws:ec2/securityGroup:SecurityGroup")
    for service in result.of_type("aws:ec2/securityGroup:SecurityGroup"):
        if not service.name.endswith("-tasks"):
            continue
        rules = [
            r
            for r in result.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
            if service.urn in r.dependencies
        ]
        # web admits only the load balancer's security group; the worker admits nothing
        assert bool(rules) == (service.name == "web-tasks"), service.name
        assert all("cidrIpv4" not in r.inputs and lb_sg.urn in r.dependencies for r in rules)
    for ecs in result.of_type("aws:ecs/service:Service"):
        if ecs.inputs.get("launchType") == "EXTERNAL":  # on-prem: no awsvpc networking
            continue
        network = ecs.inputs["networkConfiguration"]
        assert network["assignPublicIp"] is True
        assert public & set(ecs.dependencies), ecs.name


def test_staging_is_two_azs_with_one_nat_gateway():
    result = stack_plan("staging")
    assert len(result.of_type("aws:ec2/subnet:Subnet")) == 4
    assert len(result.of_type("aws:ec2/natGateway:NatGateway")) == 1


def test_prod_is_three_azs_with_a_nat_gateway_per_az_and_an_on_demand_base():
    result = stack_plan("prod")
    assert len(result.of_type("aws:ec2/natGateway:NatGateway")) == 3
    (fargate,) = [i for i in result.config.cluster.capacity_providers if i.provider == "FARGATE"]
    assert fargate.base >= 3


def test_prod_rolls_web_back_on_alarms_and_calls_api_through_service_connect():
    prod = stack_plan("prod")
    web = prod.named("web-service", "aws:ecs/service:Service").inputs
    assert web.get("deploymentConfiguration", {}).get("strategy", "ROLLING") == "ROLLING"
    assert web["alarms"]["rollback"] is True and web["deploymentCircuitBreaker"]["rollback"]
    api = prod.named("api-service", "aws:ecs/service:Service").inputs
    assert api["serviceConnectConfiguration"]["services"][0]["clientAlias"][0]["dnsName"] == "api"
    prod.named("api-from-web", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    topic = "arn:aws:sns:ap-northeast-2:123456789012:shop-prod-alerts"
    for alarm in prod.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"):
        assert alarm.inputs["alarmActions"] == [topic]
    assert len(prod.of_type("aws:cloudwatch/dashboard:Dashboard")) == 1


def test_dev_scales_in_at_night_and_keeps_the_live_count_on_up():
    dev = stack_plan("dev")
    night = dev.named("web-night", "aws:appautoscaling/scheduledAction:ScheduledAction")
    assert night.inputs["scalableTargetAction"] == {"minCapacity": 0, "maxCapacity": 0}
    web = dev.named("web-service", "aws:ecs/service:Service")
    assert web.options["ignoreChanges"] == ["desiredCount"]


@pytest.mark.parametrize("stack", STACKS)
def test_no_shipped_service_enables_exec_in_prod_and_every_one_waits_for_steady_state(stack):
    for service in stack_plan(stack).of_type("aws:ecs/service:Service"):
        # EXTERNAL services run on servers registered with the code this same `up` outputs:
        # waiting would stall a fresh stack until the timeout (docs/anywhere.md).
        external = service.inputs.get("launchType") == "EXTERNAL"
        assert service.inputs["waitForSteadyState"] is not external
        assert service.options["customTimeouts"]["update"].endswith("m")
        if stack == "prod":
            assert service.inputs["enableExecuteCommand"] is False
