"""Platform and service stacks as planned: what the platform creates and exports for its teams,
what a team's service stack creates on it (and never creates of it), brownfield attachment, and
the shipped example planned end to end, platform first."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.config import ConfigError
from offline.engine import Plan, plan
from offline.errors import EngineError

from .support import (
    plan_in,
    platform_config,
    service_config,
    web_service,
    write_project,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "platform-teams"
# What a service stack must never create: the platform's own resources.
PLATFORM_TYPES = {
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/routeTable:RouteTable",
    "aws:ecs/cluster:Cluster",
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:lb/listener:Listener",
    "aws:servicediscovery/httpNamespace:HttpNamespace",
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace",
    "aws:kms/key:Key",
    "ecs-platform:lb:LoadBalancer",
    "ecs-platform:cluster:Cluster",
    "ecs-platform:network:Network",
}
SG_RULES = (
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
)
WORKLOAD_TYPES = {"aws:ecs/service:Service", "aws:ecs/taskDefinition:TaskDefinition"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("teams")
    return write_project(
        folder,
        {
            "platform-dev": platform_config(),
            "team-a": service_config(services={"web": web_service("/a/*"),
                                               "api": web_service("/a/api/*")}),
            "team-b": service_config(
                services={"orders": web_service(
                    "/b/orders/*", containerPort=9090,
                    loadBalancer={"hostHeaders": ["shop.b.example.com"]})},
            ),
            "team-c": service_config(services={"reports": web_service("/team-c/*")}),
        },
    )  # fmt: skip


@pytest.fixture(scope="module")
def platform(project: Path) -> Plan:
    return plan_in(project, "platform-dev")


def platform_security_groups(platform: Plan) -> set[str]:
    """IDs of every security group the platform stack exports or creates."""
    ids = {lb["securityGroupId"] for lb in platform.outputs["platform"]["loadBalancers"].values()}
    return ids


# -- the platform stack -------------------------------------------------------------------------


def test_platform_opens_each_granted_albs_egress_to_the_vpc_on_each_granted_port(platform):
    rules = [r for r in platform.of_type(SG_RULES[1]) if r.name.startswith("public-to-vpc-")]
    ports = sorted((r.inputs["fromPort"], r.inputs["toPort"]) for r in rules)
    assert ports == [(8080, 8080), (9090, 9090)]  # 8080 granted to three grants: one rule
    sg = platform.outputs["platform"]["loadBalancers"]["public"]["securityGroupId"]
    for rule in rules:
        assert rule.inputs["cidrIpv4"] == "10.40.0.0/16"
        assert rule.inputs["ipProtocol"] == "tcp"
        assert rule.inputs["securityGroupId"] == sg


def test_platform_creates_no_workload_and_keeps_its_listeners_default_404(platform):
    assert not [r for r in platform.resources if r.type in WORKLOAD_TYPES]
    assert not platform.of_type("aws:lb/listenerRule:ListenerRule")
    (listener,) = platform.of_type("aws:lb/listener:Listener")
    assert listener.inputs["defaultActions"][0]["fixedResponse"]["statusCode"] == "404"


def test_platform_exports_the_platform_mapping_with_each_grant(platform):
    out = platform.outputs["platform"]
    assert set(out) >= {
        "vpcId", "vpcCidrBlock", "privateSubnetIds", "publicSubnetIds", "clusterArn",
        "clusterName", "namespaceArn", "execLogGroupArn", "execKmsKeyArn", "alarmTopicArn",
        "region", "loadBalancers", "teams",
    }  # fmt: skip
    assert out["vpcCidrBlock"] == "10.40.0.0/16" and out["region"] == "us-east-1"
    lb = out["loadBalancers"]["public"]
    assert set(lb) == {"arn", "arnSuffix", "dnsName", "listenerArn", "securityGroupId", "type",
                       "https"}  # fmt: skip
    assert lb["type"] == "application" and lb["https"] is False
    assert out["teams"]["*"] == {
        "loadBalancer": "public",
        "priorities": {"from": 40000, "to": 49999},
        "hosts": [],
        "paths": ["/{team}/*"],
        "ports": [8080],
    }
    assert out["teams"]["team-b"]["hosts"] == ["*.b.example.com"]


# -- service stacks -----------------------------------------------------------------------------


@pytest.mark.parametrize("team", ["team-a", "team-b", "team-c"])
def test_service_stack_rules_go_on_the_platform_listener_inside_the_teams_range(
    project, platform, team
):
    stack = plan_in(project, team, platform)
    granted = platform.outputs["platform"]["teams"]
    grant = granted.get(team, granted["*"])
    listener = platform.outputs["platform"]["loadBalancers"]["public"]["listenerArn"]
    rules = stack.of_type("aws:lb/listenerRule:ListenerRule")
    assert rules
    for rule in rules:
        assert rule.inputs["listenerArn"] == listener
        assert grant["priorities"]["from"] <= rule.inputs["priority"] <= grant["priorities"]["to"]


@pytest.mark.parametrize("team", ["team-a", "team-b", "team-c"])
def test_service_stack_tasks_admit_only_the_platform_alb_on_their_port(project, platform, team):
    stack = plan_in(project, team, platform)
    lb_sg = platform.outputs["platform"]["loadBalancers"]["public"]["securityGroupId"]
    ingress = stack.of_type(SG_RULES[0])
    assert ingress
    for rule in ingress:
        assert rule.inputs["referencedSecurityGroupId"] == lb_sg
        assert "cidrIpv4" not in rule.inputs
    ports = {r.inputs["fromPort"] for r in ingress}
    cfg = stack.config
    assert ports == {s.container_port for s in cfg.services.values()}


def service_stack_files() -> list[Path]:
    return sorted(p for p in EXAMPLE.glob("Pulumi.*.yaml") if "stackKind: service" in p.read_text())


def assert_creates_nothing_of_the_platform(stack: Plan, platform: Plan) -> None:
    made = {r.type for r in stack.resources}
    assert not made & PLATFORM_TYPES, made & PLATFORM_TYPES
    theirs = platform_security_groups(platform)
    for rule in stack.of_type(SG_RULES[0]) + stack.of_type(SG_RULES[1]):
        assert rule.inputs["securityGroupId"] not in theirs, rule.name
    ours = {r.urn for r in stack.resources}
    for r in stack.resources:
        assert r.parent is None or r.parent in ours


def test_every_service_stack_creates_nothing_of_its_platform(project, platform):
    """The invariant, over every service stack file of the example and of the tmp project."""
    example_platform = plan_in(EXAMPLE, "platform-dev")
    files = service_stack_files()
    assert files
    for path in files:
        stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
        assert_creates_nothing_of_the_platform(plan_in(EXAMPLE, stack, example_platform),
                                               example_platform)  # fmt: skip
    for team in ("team-a", "team-b", "team-c"):
        assert_creates_nothing_of_the_platform(plan_in(project, team, platform), platform)


def test_the_example_plans_end_to_end_platform_first():
    platform = plan("platform-dev", project_dir=EXAMPLE)
    assert platform.outputs["platform"]["teams"]
    for path in service_stack_files():
        stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
        done = plan(stack, project_dir=EXAMPLE,
                    stack_outputs={"platform-dev": platform.outputs})  # fmt: skip
        assert done.of_type("aws:ecs/service:Service") or done.of_type(
            "aws:scheduler/schedule:Schedule"
        )
        assert set(done.outputs) == {"services", "scheduledTasks", "workers"}


def test_a_stack_reference_without_outputs_is_an_engine_error_naming_the_stack(project):
    with pytest.raises(EngineError, match="platform-dev"):
        plan("team-a", project_dir=project, stack_outputs={})


# -- brownfield ---------------------------------------------------------------------------------

LISTENER = (
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shared/50dc6c495c0c9188/"
    "f2f7dc8efc522ab2"
)
BROWNFIELD = {
    "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/shared",
    "vpcId": "vpc-0a1b2c3d4e5f60718",
    "privateSubnetIds": ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"],
    "listenerArn": LISTENER,
    "loadBalancerSecurityGroupId": "sg-0a1b2c3d4e5f60718",
}


def brownfield_stack(tmp_path: Path, platform: dict, **service: object) -> Plan:
    svc = web_service("/orders/*", loadBalancer={"name": "platform"}, **service)
    write_project(tmp_path, {"orders": service_config(platform, services={"orders": svc})})
    return plan_in(tmp_path, "orders")


def test_brownfield_service_stack_attaches_to_the_given_cluster_listener_and_subnets(tmp_path):
    stack = brownfield_stack(tmp_path, BROWNFIELD)
    (rule,) = stack.of_type("aws:lb/listenerRule:ListenerRule")
    assert rule.inputs["listenerArn"] == LISTENER
    (ecs,) = stack.of_type("aws:ecs/service:Service")
    assert ecs.inputs["cluster"] == "shared"
    assert ecs.inputs["networkConfiguration"]["subnets"] == BROWNFIELD["privateSubnetIds"]
    (ingress,) = stack.of_type(SG_RULES[0])
    assert ingress.inputs["referencedSecurityGroupId"] == BROWNFIELD["loadBalancerSecurityGroupId"]
    for rule in stack.of_type(SG_RULES[1]):
        assert rule.inputs["securityGroupId"] != BROWNFIELD["loadBalancerSecurityGroupId"]
    assert not {r.type for r in stack.resources} & PLATFORM_TYPES


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("listenerArn", LISTENER.replace("listener/app/", "listener/net/"),
         "is not an Application Load Balancer listener ARN"),
        ("clusterArn", "arn:aws:ecs:us-east-1:123456789012:service/shared/web",
         "is not an ECS cluster ARN"),
        ("clusterArn", "arn:aws:ecs:us-west-2:123456789012:cluster/shared",
         "different regions"),
        ("vpcId", "vpc-xyz", "vpc-xyz"),
    ],
)  # fmt: skip
def test_brownfield_ids_are_checked(tmp_path, key, value, message):
    with pytest.raises(ConfigError, match=message) as info:
        brownfield_stack(tmp_path, {**BROWNFIELD, key: value})
    assert info.value.path == f"platform.{key}" or key == "clusterArn"
    assert str(info.value).startswith("Pulumi.orders.yaml")


def test_brownfield_load_balancer_is_named_platform(tmp_path):
    with pytest.raises(ConfigError, match="'public'.*named 'platform'"):
        svc = web_service("/orders/*")
        write_project(tmp_path, {"orders": service_config(BROWNFIELD, services={"orders": svc})})
        plan_in(tmp_path, "orders")


def test_service_stack_alarms_notify_the_platforms_topic_unless_the_team_names_one(tmp_path):
    topic = "arn:aws:sns:us-east-1:123456789012:platform-alarms"
    own = "arn:aws:sns:us-east-1:123456789012:team-a-alarms"
    platform = {**platform_config(), "ecs-platform:observability": {"alarmTopicArn": topic}}
    web = {"web": web_service("/a/one/*")}
    write_project(tmp_path, {
        "platform-dev": platform,
        "team-a": service_config(services=web),
        "team-a2": service_config(team="team-a", observability={"alarmTopicArn": own},
                                  services={"admin": web_service("/a/two/*")}),
    })  # fmt: skip
    base = plan_in(tmp_path, "platform-dev")
    for stack, expected in (("team-a", topic), ("team-a2", own)):
        alarms = plan_in(tmp_path, stack, base).of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        assert alarms
        assert all(a.inputs.get("alarmActions") == [expected] for a in alarms), stack
