"""What the components build from whole, realistic stack configs: the tests' frozen copies of the
example stacks (tests/fixtures/stacks). The shipped Pulumi.*.yaml only get the invariants in
tests/test_stacks.py, so a team can change them without touching a test."""

from __future__ import annotations

from tests.support import fixture_plan

SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def test_a_nat_less_network_builds_no_nat_and_spot_weights_follow_the_strategy():
    result = fixture_plan("dev")
    assert result.config.network.nat_gateways == "none"
    assert result.of_type("aws:ec2/natGateway:NatGateway") == []
    assert result.of_type("aws:ec2/instance:Instance") == []
    (providers,) = result.of_type("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders")
    weights = {s["capacityProvider"]: s["weight"]
               for s in providers.inputs["defaultCapacityProviderStrategies"]}  # fmt: skip
    assert weights == {"FARGATE": 1, "FARGATE_SPOT": 3}


def test_public_ip_tasks_sit_in_public_subnets_but_admit_only_the_load_balancer():
    result = fixture_plan("dev")
    public = {s.urn for s in result.of_type("aws:ec2/subnet:Subnet") if "public" in s.name}
    lb_sg = result.named("public-lb", SG)
    for service in result.of_type(SG):
        if not service.name.endswith("-tasks"):
            continue
        rules = [r for r in result.of_type(INGRESS) if service.urn in r.dependencies]
        # services behind the load balancer admit only its security group; the worker nothing
        behind_lb = service.name[: -len("-tasks")] in result.config.services and (
            result.config.services[service.name[: -len("-tasks")]].load_balancer is not None
        )
        assert bool(rules) == behind_lb, service.name
        assert all("cidrIpv4" not in r.inputs and lb_sg.urn in r.dependencies for r in rules)
    for ecs in result.of_type("aws:ecs/service:Service"):
        if ecs.inputs.get("launchType") == "EXTERNAL":  # on-prem: no awsvpc networking
            continue
        assert ecs.inputs["networkConfiguration"]["assignPublicIp"] is True
        assert public & set(ecs.dependencies), ecs.name


def test_a_single_nat_network_builds_one_gateway_for_two_azs():
    result = fixture_plan("staging")
    assert len(result.of_type("aws:ec2/subnet:Subnet")) == 4
    assert len(result.of_type("aws:ec2/natGateway:NatGateway")) == 1


def test_a_per_az_nat_network_builds_a_gateway_per_az():
    result = fixture_plan("prod")
    assert len(result.of_type("aws:ec2/natGateway:NatGateway")) == 3


def test_alarms_roll_back_and_notify_and_service_connect_admits_the_caller():
    prod = fixture_plan("prod")
    web = prod.named("web-service", "aws:ecs/service:Service").inputs
    assert web.get("deploymentConfiguration", {}).get("strategy", "ROLLING") == "ROLLING"
    assert web["alarms"]["rollback"] is True and web["deploymentCircuitBreaker"]["rollback"]
    api = prod.named("api-service", "aws:ecs/service:Service").inputs
    assert api["serviceConnectConfiguration"]["services"][0]["clientAlias"][0]["dnsName"] == "api"
    prod.named("api-from-web", INGRESS)
    topic = "arn:aws:sns:ap-northeast-2:123456789012:shop-prod-alerts"
    for alarm in prod.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"):
        assert alarm.inputs["alarmActions"] == [topic]
    assert len(prod.of_type("aws:cloudwatch/dashboard:Dashboard")) == 1


def test_scheduled_scaling_reaches_zero_and_up_keeps_the_live_count():
    dev = fixture_plan("dev")
    night = dev.named("web-night", "aws:appautoscaling/scheduledAction:ScheduledAction")
    assert night.inputs["scalableTargetAction"] == {"minCapacity": 0, "maxCapacity": 0}
    web = dev.named("web-service", "aws:ecs/service:Service")
    assert web.options["ignoreChanges"] == ["desiredCount"]
