"""Network component: the inputs each AWS resource receives for every option, and absences."""

from __future__ import annotations

import pytest

from tests.support import config, config_error, mutate, only, plan_config

SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
NAT = "aws:ec2/natGateway:NatGateway"
EIP = "aws:ec2/eip:Eip"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"


def net(**network):
    return config(network={"cidrBlock": "10.20.0.0/16", "availabilityZones": 2, **network})


def subnets(plan, tier):
    return sorted(
        (r for r in plan.of_type(SUBNET) if r.inputs["tags"]["Tier"] == tier),
        key=lambda r: r.inputs["availabilityZone"],
    )


def test_vpc_has_dns_support_and_hostnames_for_private_endpoints():
    vpc = only(plan_config(net()), "aws:ec2/vpc:Vpc")
    assert vpc.inputs["cidrBlock"] == "10.20.0.0/16"
    assert vpc.inputs["enableDnsSupport"] is True
    assert vpc.inputs["enableDnsHostnames"] is True


def test_subnets_are_derived_deterministically_one_public_and_one_private_per_az():
    plan = plan_config(net(availabilityZones=3))
    assert [s.inputs["cidrBlock"] for s in subnets(plan, "private")] == [
        "10.20.0.0/19",
        "10.20.32.0/19",
        "10.20.64.0/19",
    ]
    assert [s.inputs["cidrBlock"] for s in subnets(plan, "public")] == [
        "10.20.224.0/22",
        "10.20.228.0/22",
        "10.20.232.0/22",
    ]
    assert [s.inputs["availabilityZone"] for s in subnets(plan, "public")] == [
        "ap-northeast-2a",
        "ap-northeast-2b",
        "ap-northeast-2c",
    ]


def test_adding_an_az_keeps_every_existing_subnet_unchanged():
    two = {r.urn: r.inputs for r in plan_config(net(availabilityZones=2)).of_type(SUBNET)}
    three = {r.urn: r.inputs for r in plan_config(net(availabilityZones=3)).of_type(SUBNET)}
    assert set(two) < set(three)
    assert all(three[urn] == inputs for urn, inputs in two.items())


def test_explicit_subnet_cidrs_override_the_derived_ones():
    plan = plan_config(
        net(publicSubnetCidrs=["10.20.0.0/24", "10.20.1.0/24"],
            privateSubnetCidrs=["10.20.16.0/20", "10.20.32.0/20"])
    )  # fmt: skip
    assert [s.inputs["cidrBlock"] for s in subnets(plan, "public")] == [
        "10.20.0.0/24",
        "10.20.1.0/24",
    ]


def test_no_subnet_gives_instances_public_ips_on_launch():
    plan = plan_config(net())
    assert {s.inputs["mapPublicIpOnLaunch"] for s in plan.of_type(SUBNET)} == {False}


def test_default_security_group_is_stripped_of_all_rules():
    sg = only(plan_config(net()), "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert sg.inputs["ingress"] == [] and sg.inputs["egress"] == []


def test_public_route_table_sends_internet_traffic_to_the_internet_gateway():
    plan = plan_config(net())
    route = plan.named("network-public-internet", ROUTE)
    igw = only(plan, "aws:ec2/internetGateway:InternetGateway")
    assert route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
    assert route.inputs["gatewayId"].startswith("igw-")
    assert igw.urn in route.dependencies


def test_single_nat_is_one_gateway_in_the_first_public_subnet_for_all_private_routes():
    plan = plan_config(net(natGateways="single"))
    (nat,) = plan.of_type(NAT)
    assert nat.name == "network-nat-a"
    first_public = plan.named("network-public-a", SUBNET)
    assert first_public.urn in nat.dependencies
    egress = [r for r in plan.of_type(ROUTE) if r.name.endswith("-egress")]
    assert len(egress) == 2
    assert all(nat.urn in r.dependencies for r in egress)
    assert len(plan.of_type(EIP)) == 1


def test_per_az_nat_gives_each_private_route_table_its_own_gateway():
    plan = plan_config(net(natGateways="perAz", availabilityZones=3))
    assert sorted(n.name for n in plan.of_type(NAT)) == [
        "network-nat-a",
        "network-nat-b",
        "network-nat-c",
    ]
    egress = [r for r in plan.of_type(ROUTE) if r.name.endswith("-egress")]
    assert len({r.inputs["natGatewayId"] for r in egress}) == 3


def test_moving_from_single_to_per_az_keeps_the_first_gateway_and_its_ip():
    single = {r.urn for r in plan_config(net(natGateways="single")).resources}
    per_az = {r.urn for r in plan_config(net(natGateways="perAz")).resources}
    assert single <= per_az


def test_no_nat_means_no_default_route_for_private_subnets():
    plan = plan_config(net(natGateways="none"))
    assert plan.of_type(NAT) == [] and plan.of_type(EIP) == []
    assert [r.name for r in plan.of_type(ROUTE)] == ["network-public-internet"]


def test_nat_instance_is_a_small_arm_instance_that_forwards_for_the_private_subnets():
    plan = plan_config(net(natGateways="instance"))
    assert plan.of_type(NAT) == []
    instance = only(plan, "aws:ec2/instance:Instance")
    assert instance.inputs["instanceType"] == "t4g.nano"
    assert instance.inputs["sourceDestCheck"] is False
    assert instance.inputs["metadataOptions"]["httpTokens"] == "required"
    assert instance.inputs["rootBlockDevice"]["encrypted"] is True
    assert "MASQUERADE" in instance.inputs["userData"]
    assert instance.options["ignoreChanges"] == ["ami"]
    egress = [r for r in plan.of_type(ROUTE) if r.name.endswith("-egress")]
    assert len(egress) == 2
    assert all(r.inputs["networkInterfaceId"].startswith("eni-") for r in egress)
    assert "aws:ssm/getParameter:getParameter" in plan.invokes


def test_nat_instance_admits_traffic_only_from_inside_the_vpc():
    plan = plan_config(net(natGateways="instance"))
    (rule,) = plan.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert rule.inputs["cidrIpv4"] == "10.20.0.0/16"


def test_no_vpc_endpoints_unless_configured():
    assert plan_config(net()).of_type(ENDPOINT) == []


def test_s3_gateway_endpoint_attaches_to_every_private_route_table():
    plan = plan_config(net(vpcEndpoints=["s3"]))
    (s3,) = plan.of_type(ENDPOINT)
    assert s3.inputs["vpcEndpointType"] == "Gateway"
    assert s3.inputs["serviceName"] == "com.amazonaws.ap-northeast-2.s3"
    assert len(s3.inputs["routeTableIds"]) == 2


def test_interface_endpoints_sit_in_private_subnets_with_https_from_the_vpc_only():
    plan = plan_config(net(vpcEndpoints=["s3", "ecr.api", "ecr.dkr", "logs"]))
    interface = [e for e in plan.of_type(ENDPOINT) if e.inputs["vpcEndpointType"] == "Interface"]
    assert sorted(e.inputs["serviceName"] for e in interface) == [
        "com.amazonaws.ap-northeast-2.ecr.api",
        "com.amazonaws.ap-northeast-2.ecr.dkr",
        "com.amazonaws.ap-northeast-2.logs",
    ]
    private_ids = {s.urn for s in subnets(plan, "private")}
    for endpoint in interface:
        assert endpoint.inputs["privateDnsEnabled"] is True
        assert len(endpoint.inputs["subnetIds"]) == 2
        assert private_ids <= set(endpoint.dependencies)
    (rule,) = plan.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert (rule.inputs["fromPort"], rule.inputs["toPort"], rule.inputs["cidrIpv4"]) == (
        443,
        443,
        "10.20.0.0/16",
    )


def test_existing_vpc_creates_no_network_resources_and_uses_the_given_subnets():
    plan = plan_config(
        config(
            network={
                "vpcId": "vpc-0123456789abcdef0",
                "publicSubnetIds": ["subnet-0000000000000000a", "subnet-0000000000000000b"],
                "privateSubnetIds": ["subnet-0000000000000000c", "subnet-0000000000000000d"],
                "natGateways": "none",
            }
        )
    )
    network = plan.named("network", "ecs-platform:network:Network")
    assert plan.children(network) == []
    assert plan.outputs["vpcId"] == "vpc-0123456789abcdef0"


@pytest.mark.parametrize("azs", [1, 2, 3, 4])
def test_az_count_gives_that_many_subnets_of_each_tier(azs):
    plan = plan_config(net(availabilityZones=azs))
    assert len(subnets(plan, "public")) == len(subnets(plan, "private")) == azs


def test_more_azs_than_the_region_has_is_a_config_error_naming_the_key():
    cfg = mutate(mutate(net(), "aws:region", "eu-west-1"), "network.availabilityZones", 4)
    error = config_error(cfg)
    assert error.path == "network.availabilityZones"
    assert "4 AZs requested but eu-west-1 has 3" in error.message
