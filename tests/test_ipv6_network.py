"""network.ipv6: the inputs AWS receives for each option (VPC, subnets, gateways, routes, security
groups, load balancer, target groups, image URIs) and what is absent (NAT, EIP, public IPv4)."""

from __future__ import annotations

import ipaddress
import json

from offline.cost import estimate
from tests.support import config, only, plan_config

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
EIGW = "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway"
LB = "aws:lb/loadBalancer:LoadBalancer"
TG = "aws:lb/targetGroup:TargetGroup"
SERVICE = "aws:ecs/service:Service"
TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
CERT = "arn:aws:acm:ap-northeast-2:123456789012:certificate/0b6d2e4f-8a1c-4d3e-9f5a-7c2b1e0d9a8f"
PRIVATE_IMAGE = "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/shop/web:1.8.4"


def stack(tasks: str | None, nat: str | None = None, lb: dict | None = None, **service) -> dict:
    # Dual-stack tasks still reach ECR, logs and secrets over IPv4 (a NAT gateway here); the
    # IPv6-only ones need none.
    nat = nat or ("none" if tasks == "ipv6-only" else "single")
    network = {"cidrBlock": "10.20.0.0/16", "availabilityZones": 2, "natGateways": nat}
    if tasks is not None:
        network["ipv6"] = {"tasks": tasks}
    web = {
        "image": PRIVATE_IMAGE,
        "cpu": 256,
        "memory": 512,
        "containerPort": 8080,
        "loadBalancer": {"name": "public"},
        **service,
    }
    return config(
        network=network,
        loadBalancers={"public": {"type": "application", "certificateArn": CERT, **(lb or {})}},
        services={"web": web},
    )


IPV6_ONLY = stack("ipv6-only", lb={"ipAddressType": "dualstack-without-public-ipv4"})


def subnets(plan, tier):
    found = [r for r in plan.of_type(SUBNET) if r.inputs["tags"]["Tier"] == tier]
    return sorted(found, key=lambda r: r.inputs["availabilityZone"])


def slot(block: str) -> tuple[int, int]:
    """(the /56 it belongs to, its /64 number within that /56)."""
    net = ipaddress.IPv6Network(block)
    assert net.prefixlen == 64
    value = int(net.network_address)
    return value >> 72, (value >> 64) & 0xFF


def routes(plan, **match):
    return [r for r in plan.of_type(ROUTE) if all(r.inputs.get(k) == v for k, v in match.items())]


def containers(plan, name="web-taskdef"):
    return json.loads(plan.named(name, TASKDEF).inputs["containerDefinitions"])


def test_the_vpc_asks_for_an_amazon_provided_ipv6_block():
    assert only(plan_config(stack("dual-stack")), VPC).inputs["assignGeneratedIpv6CidrBlock"]
    assert "assignGeneratedIpv6CidrBlock" not in only(plan_config(stack(None)), VPC).inputs


def test_every_subnet_takes_a_fixed_64_of_the_vpc_block_and_addresses_its_interfaces():
    plan = plan_config(stack("dual-stack"))
    private, public = subnets(plan, "private"), subnets(plan, "public")
    blocks = [slot(s.inputs["ipv6CidrBlock"]) for s in private + public]
    assert len({parent for parent, _ in blocks}) == 1  # one /56
    assert [n for _, n in blocks] == [0, 1, 64, 65]
    assert all(s.inputs["assignIpv6AddressOnCreation"] is True for s in private + public)
    assert all(s.inputs["cidrBlock"] for s in private + public)  # still dual-stack
    assert not subnets(plan, "tasks")


def test_ipv6_only_tasks_get_ipv6_native_subnets_of_their_own():
    plan = plan_config(IPV6_ONLY)
    tasks = subnets(plan, "tasks")
    assert [slot(s.inputs["ipv6CidrBlock"])[1] for s in tasks] == [128, 129]
    for s in tasks:
        assert s.inputs["ipv6Native"] is True
        assert "cidrBlock" not in s.inputs
        assert s.inputs["assignIpv6AddressOnCreation"] is True
        assert s.inputs["privateDnsHostnameTypeOnLaunch"] == "resource-name"
        assert s.inputs["enableResourceNameDnsAaaaRecordOnLaunch"] is True
        assert "enableDns64" not in s.inputs  # no NAT gateway to translate for
    service = only(plan, SERVICE)
    assert {s.urn for s in tasks} <= set(service.dependencies)
    assert not {s.urn for s in subnets(plan, "private")} & set(service.dependencies)
    assert service.inputs["networkConfiguration"]["assignPublicIp"] is False


def test_ipv6_egress_goes_through_an_egress_only_gateway_and_lbs_route_over_the_igw():
    plan = plan_config(IPV6_ONLY)
    only(plan, EIGW)
    private = routes(plan, destinationIpv6CidrBlock="::/0")
    eigw_routes = [r for r in private if "egressOnlyGatewayId" in r.inputs]
    assert sorted(r.name for r in eigw_routes) == [
        "network-private-a-ipv6",
        "network-private-b-ipv6",
        "network-tasks-a-ipv6",
        "network-tasks-b-ipv6",
    ]
    public = plan.named("network-public-internet-ipv6", ROUTE)
    assert "gatewayId" in public.inputs and "egressOnlyGatewayId" not in public.inputs


def test_ipv6_only_without_nat_has_no_nat_no_elastic_ip_and_no_public_ipv4_on_the_alb():
    plan = plan_config(IPV6_ONLY)
    assert not plan.of_type("aws:ec2/natGateway:NatGateway")
    assert not plan.of_type("aws:ec2/eip:Eip")
    assert not routes(plan, destinationIpv6CidrBlock="64:ff9b::/96")
    assert only(plan, LB).inputs["ipAddressType"] == "dualstack-without-public-ipv4"


def test_nat_gateways_add_dns64_and_the_nat64_route_to_ipv6_only_task_subnets():
    plan = plan_config(stack("ipv6-only", nat="perAz"))
    assert all(s.inputs["enableDns64"] is True for s in subnets(plan, "tasks"))
    nat64 = routes(plan, destinationIpv6CidrBlock="64:ff9b::/96")
    assert sorted(r.name for r in nat64) == ["network-tasks-a-nat64", "network-tasks-b-nat64"]
    assert all("natGatewayId" in r.inputs for r in nat64)


def test_the_load_balancer_is_dualstack_by_default_in_an_ipv6_network():
    assert only(plan_config(stack("dual-stack")), LB).inputs["ipAddressType"] == "dualstack"
    assert only(plan_config(stack(None)), LB).inputs["ipAddressType"] == "ipv4"


def test_an_internet_facing_lb_admits_ipv6_clients_on_the_ports_it_admits_ipv4_clients():
    plan = plan_config(stack("dual-stack"))
    rules = {r.name: r.inputs for r in plan.of_type(INGRESS)}
    for role, port in (("https", 443), ("http", 80)):
        assert rules[f"public-lb-{role}"]["cidrIpv4"] == "0.0.0.0/0"
        ipv6 = rules[f"public-lb-{role}-ipv6"]
        assert ipv6["cidrIpv6"] == "::/0" and "cidrIpv4" not in ipv6
        assert (ipv6["fromPort"], ipv6["toPort"], ipv6["ipProtocol"]) == (port, port, "tcp")


def test_an_ipv4_lb_in_an_ipv6_network_and_configured_client_cidrs_get_no_extra_ipv6_rule():
    ipv4 = plan_config(stack("dual-stack", lb={"ipAddressType": "ipv4"}))
    assert not [r for r in ipv4.of_type(INGRESS) if r.name.endswith("-ipv6")]
    listed = plan_config(stack("dual-stack", lb={"allowedCidrs": ["203.0.113.0/24"]}))
    assert not [r for r in listed.of_type(INGRESS) if "cidrIpv6" in r.inputs]


def test_tasks_still_admit_only_the_load_balancers_security_group():
    plan = plan_config(IPV6_ONLY)
    task_rules = [r for r in plan.of_type(INGRESS) if r.name.startswith("web-")]
    assert [r.name for r in task_rules] == ["web-from-lb"]
    assert "referencedSecurityGroupId" in task_rules[0].inputs
    assert "cidrIpv6" not in task_rules[0].inputs and "cidrIpv4" not in task_rules[0].inputs


def test_tasks_with_ipv6_addresses_get_an_ipv6_egress_rule():
    for tasks in ("dual-stack", "ipv6-only"):
        egress = plan_config(stack(tasks)).named("web-egress-ipv6", EGRESS).inputs
        assert egress["cidrIpv6"] == "::/0" and egress["ipProtocol"] == "-1"
    assert not [r for r in plan_config(stack(None)).of_type(EGRESS) if "cidrIpv6" in r.inputs]


def test_ipv6_only_tasks_register_in_ipv6_target_groups_dual_stack_tasks_in_ipv4_ones():
    assert only(plan_config(IPV6_ONLY), TG).inputs["ipAddressType"] == "ipv6"
    blue_green = plan_config(stack("ipv6-only", deployment={"strategy": "BLUE_GREEN"}))
    assert [g.inputs["ipAddressType"] for g in blue_green.of_type(TG)] == ["ipv6", "ipv6"]
    assert "ipAddressType" not in only(plan_config(stack("dual-stack")), TG).inputs


def test_ipv6_only_tasks_pull_through_the_dual_stack_registry_hosts():
    sidecar = {"image": "public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0"}
    plan = plan_config(stack("ipv6-only", sidecars={"otel": sidecar}))
    app, otel = containers(plan)
    assert app["image"] == "123456789012.dkr-ecr.ap-northeast-2.on.aws/shop/web:1.8.4"
    assert otel["image"] == "ecr-public.aws.com/aws-observability/aws-otel-collector:v0.40.0"
    assert {"name": "AWS_USE_DUALSTACK_ENDPOINT", "value": "true"} in app["environment"]
    dual = containers(plan_config(stack("dual-stack", sidecars={"otel": sidecar})))
    assert [c["image"] for c in dual] == [PRIVATE_IMAGE, sidecar["image"]]
    assert all(e["name"] != "AWS_USE_DUALSTACK_ENDPOINT" for e in dual[0]["environment"])


def test_an_image_built_from_source_is_pulled_through_ecrs_dual_stack_host():
    plan = plan_config(stack("ipv6-only", image=None, build={"context": "./app"}))
    (app,) = containers(plan)
    assert app["image"].startswith("123456789012.dkr-ecr.ap-northeast-2.on.aws/")
    assert ".dkr.ecr." not in app["image"]


def test_the_dual_stack_setting_the_team_chose_is_kept():
    env = {"AWS_USE_DUALSTACK_ENDPOINT": "false"}
    (app,) = containers(plan_config(stack("ipv6-only", environment=env)))
    assert app["environment"] == [{"name": "AWS_USE_DUALSTACK_ENDPOINT", "value": "false"}]


def test_scheduled_tasks_and_workers_run_in_the_ipv6_only_subnets_with_ipv6_egress():
    task = {"image": "public.ecr.aws/docker/library/busybox:1.37", "cpu": 256, "memory": 512}
    cfg = {
        **IPV6_ONLY,
        "ecs-platform:scheduledTasks": {"nightly": {**task, "schedule": "rate(1 day)"}},
        "ecs-platform:workers": {"jobs": task},
    }
    plan = plan_config(cfg)
    tasks = {s.urn for s in subnets(plan, "tasks")}
    schedule = only(plan, "aws:scheduler/schedule:Schedule")
    assert tasks <= set(schedule.dependencies)
    assert tasks <= set(plan.named("jobs-service", SERVICE).dependencies)
    for name in ("nightly", "jobs"):
        assert plan.named(f"{name}-egress-ipv6", EGRESS).inputs["cidrIpv6"] == "::/0"
        (c,) = containers(plan, f"{name}-taskdef")
        assert c["image"] == "ecr-public.aws.com/docker/library/busybox:1.37"


def test_a_dualstack_without_public_ipv4_alb_is_priced_without_public_ipv4():
    lines = [line.item for line in estimate(plan_config(IPV6_ONLY)).lines]
    assert not [item for item in lines if "IPv4" in item]
    dualstack = [line.item for line in estimate(plan_config(stack("dual-stack"))).lines]
    assert [item for item in dualstack if "public IPv4 per AZ" in item]


def test_an_internal_lb_admits_the_vpcs_ipv6_block_beside_its_ipv4_block():
    plan = plan_config(stack("dual-stack", lb={"internal": True, "certificateArn": CERT}))
    rules = {r.name: r.inputs for r in plan.of_type(INGRESS)}
    assert rules["public-lb-https"]["cidrIpv4"] == "10.20.0.0/16"
    vpc_block = ipaddress.IPv6Network(rules["public-lb-https-ipv6"]["cidrIpv6"])
    assert vpc_block.prefixlen == 56
    for s in subnets(plan, "private"):
        assert ipaddress.IPv6Network(s.inputs["ipv6CidrBlock"]).subnet_of(vpc_block)
