"""network.ipv6 refusals (exit 2, the key, the value, the reason), the facts they rest on, and
the invariant that stacks without network.ipv6 carry nothing of it."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from components.specs import ipv6_support
from tests.support import config, config_error, plan_config
from tests.test_cli import offline
from tests.test_ipv6_network import CERT, IPV6_ONLY, stack
from tests.test_stacks import STACKS, stack_plan

HUB = "nginx:1.27"


def with_web(cfg: dict, **changes) -> dict:
    out = json.loads(json.dumps(cfg))
    out["ecs-platform:services"]["web"].update(changes)
    return out


def refused(cfg: dict) -> tuple[str, str]:
    err = config_error(cfg)
    return err.path, err.message


# -- what IPv6-only tasks cannot reach -------------------------------------------------------


def test_a_docker_hub_image_is_refused_without_nat64_and_the_ecr_public_mirror_suggested():
    path, message = refused(with_web(IPV6_ONLY, image=HUB))
    assert path == "services.web.image"
    assert message.startswith(f"{HUB}: Docker Hub")
    assert "public.ecr.aws/docker/library/" in message and "natGateways single/perAz" in message


def test_with_a_nat_gateway_nat64_reaches_ipv4_only_registries():
    plan_config(with_web(stack("ipv6-only", nat="single"), image=HUB))


def test_a_registry_outside_aws_is_refused_as_undocumented():
    path, message = refused(with_web(IPV6_ONLY, image="ghcr.io/acme/web:1.0"))
    assert path == "services.web.image"
    assert "has no IPv6 endpoint that AWS documents" in message


def test_a_sidecar_image_is_checked_at_its_own_key():
    cfg = with_web(IPV6_ONLY, sidecars={"proxy": {"image": "envoyproxy/envoy:v1.31"}})
    path, _ = refused(cfg)
    assert path == "services.web.sidecars.proxy.image"


@pytest.mark.parametrize(
    ("changes", "key", "reason"),
    [
        ({"executeCommand": True}, "executeCommand", "does not support it"),
        ({"serviceConnect": {}}, "serviceConnect", "documents no support"),
        (
            {
                "efsVolumes": [
                    {
                        "name": "data",
                        "fileSystemId": "fs-0123456789abcdef0",
                        "containerPath": "/data",
                    }
                ]
            },
            "efsVolumes",
            "documents no support",
        ),
        ({"assignPublicIp": True}, "assignPublicIp", "no public IPv4 to assign"),
    ],
)
def test_features_aws_does_not_serve_to_ipv6_only_tasks_are_refused(changes, key, reason):
    path, message = refused(with_web(IPV6_ONLY, **changes))
    assert path == f"services.web.{key}"
    assert reason in message and "ipv6" in message


def test_ipv6_only_tasks_on_ec2_capacity_are_refused():
    cfg = {
        **IPV6_ONLY,
        "ecs-platform:cluster": {
            "ec2Capacity": {"instanceType": "m7g.large", "minSize": 1, "maxSize": 4},
            "capacityProviders": [{"provider": "EC2", "weight": 1}],
        },
    }
    path, message = refused(with_web(cfg, cpuArchitecture="ARM64"))
    assert path == "services.web.capacityProviders"
    assert message.startswith("EC2 with network.ipv6.tasks ipv6-only") and "1.99.1" in message


def test_a_region_where_ecs_runs_no_ipv6_only_tasks_is_refused():
    cfg = {**IPV6_ONLY, "aws:region": "eu-west-1"}
    cfg = with_web(cfg, image="123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1")
    cfg["ecs-platform:loadBalancers"]["public"]["certificateArn"] = CERT.replace(
        "ap-northeast-2", "eu-west-1"
    )
    path, message = refused(cfg)
    assert path == "network.ipv6.tasks"
    assert "eu-west-1" in message and ipv6_support.FARGATE_PAGE in message


def ipv6_only_in(region: str, **workloads) -> dict:
    """A VPC-only stack (no load balancer) with IPv6-only tasks in `region`."""
    network = {"cidrBlock": "10.20.0.0/16", "natGateways": "none", "ipv6": {"tasks": "ipv6-only"}}
    return {**config(network=network, **workloads), "aws:region": region}


BUSYBOX = {"image": "public.ecr.aws/docker/library/busybox:1.37", "cpu": 256, "memory": 512}


def test_a_worker_is_refused_where_sqs_has_no_dual_stack_endpoint():
    path, message = refused(ipv6_only_in("us-gov-west-1", workers={"jobs": BUSYBOX}))
    assert path == "workers.jobs.queue"
    assert "Amazon SQS" in message and "us-gov-west-1" in message


def test_ssm_parameters_are_refused_where_systems_manager_has_no_dual_stack_endpoint():
    arn = "arn:aws-cn:ssm:cn-north-1:123456789012:parameter/db-password"
    api = {**BUSYBOX, "secrets": {"DB_PASSWORD": arn}}
    path, message = refused(ipv6_only_in("cn-north-1", services={"api": api}))
    assert path == "services.api.secrets.DB_PASSWORD"
    assert "Parameter Store" in message and "cn-north-1" in message


# -- combinations AWS (or this project) refuses ----------------------------------------------


def test_an_ipv4_load_balancer_in_front_of_ipv6_only_tasks_is_refused():
    path, message = refused(stack("ipv6-only", lb={"ipAddressType": "ipv4"}))
    assert path == "loadBalancers.public.ipAddressType"
    assert "must use dualstack load balancers with IPv6 target groups" in message


def test_a_dualstack_load_balancer_needs_network_ipv6():
    path, message = refused(stack(None, lb={"ipAddressType": "dualstack"}))
    assert path == "loadBalancers.public.ipAddressType"
    assert message.startswith("dualstack needs IPv6 CIDR blocks") and "network.ipv6" in message


@pytest.mark.parametrize(
    ("lb", "reason"),
    [
        ({"type": "network"}, "an NLB takes ipv4 or dualstack"),
        ({"internal": True}, "an internal ALB has none"),
    ],
)
def test_dualstack_without_public_ipv4_is_for_internet_facing_albs_only(lb, reason):
    cfg = stack("dual-stack", lb={"ipAddressType": "dualstack-without-public-ipv4", **lb})
    path, message = refused(cfg)
    assert path == "loadBalancers.public.ipAddressType" and reason in message


def test_a_nat_instance_cannot_serve_ipv6_only_tasks():
    path, message = refused(stack("ipv6-only", nat="instance"))
    assert path == "network.natGateways" and "not NAT64" in message


def test_interface_endpoints_are_refused_with_ipv6_only_tasks_the_s3_gateway_is_not():
    cfg = json.loads(json.dumps(IPV6_ONLY))
    cfg["ecs-platform:network"]["vpcEndpoints"] = ["s3", "logs"]
    path, message = refused(cfg)
    assert path == "network.vpcEndpoints" and message.startswith("logs with ipv6.tasks")
    cfg["ecs-platform:network"]["vpcEndpoints"] = ["s3"]
    plan_config(cfg)


def test_an_adopted_vpc_cannot_take_network_ipv6():
    cfg = config(
        network={
            "vpcId": "vpc-0123456789abcdef0",
            "privateSubnetIds": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
            "natGateways": "none",
            "ipv6": {"tasks": "dual-stack"},
        }
    )
    path, _ = refused(cfg)
    assert path == "network.ipv6"


def test_a_refusal_exits_2_with_one_line_naming_the_file_key_and_value(tmp_path):
    path = tmp_path / "Pulumi.v6.yaml"
    path.write_text(yaml.safe_dump({"config": with_web(IPV6_ONLY, executeCommand=True)}))
    done = offline("plan", "--stack", "v6", "--config-file", str(path))
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert re.search(r"Pulumi\.v6\.yaml:\d+: services\.web\.executeCommand: ECS Exec", line)


# -- the facts, as data ------------------------------------------------------------------------


def test_every_region_aws_lists_for_ipv6_only_ecs_resolves_to_a_region_code():
    regions = ipv6_support.ecs_ipv6_only_regions()
    assert len(regions) == len(ipv6_support.ECS_IPV6_ONLY_REGION_NAMES) == 30
    assert {"ap-northeast-2", "sa-east-1", "us-gov-west-1"} <= regions
    assert "eu-west-1" not in regions


def test_every_endpoint_fact_names_the_page_it_comes_from():
    for endpoint in ipv6_support.ENDPOINTS.values():
        assert endpoint.source.startswith("https://"), endpoint.key


@pytest.mark.parametrize(
    ("image", "registry", "dual_stack"),
    [
        ("nginx:1.27", "docker-hub", "nginx:1.27"),
        ("docker.io/library/nginx:1.27", "docker-hub", "docker.io/library/nginx:1.27"),
        ("bitnami/redis:7", "docker-hub", "bitnami/redis:7"),
        ("ghcr.io/acme/web:1", "registry", "ghcr.io/acme/web:1"),
        (
            "public.ecr.aws/nginx/nginx:1.27",
            "ecr-public",
            "ecr-public.aws.com/nginx/nginx:1.27",
        ),
        (
            "123456789012.dkr.ecr.us-west-2.amazonaws.com/a/b@sha256:" + "0" * 64,
            "ecr",
            "123456789012.dkr-ecr.us-west-2.on.aws/a/b@sha256:" + "0" * 64,
        ),
    ],
)
def test_images_are_classified_by_registry_and_aws_hosts_rewritten(image, registry, dual_stack):
    assert ipv6_support.registry_of(image) == registry
    assert ipv6_support.dual_stack_image(image) == dual_stack


# -- stacks without network.ipv6 ----------------------------------------------------------------

IPV6_KEYS = (
    "ipv6CidrBlock",
    "assignGeneratedIpv6CidrBlock",
    "ipv6Native",
    "destinationIpv6CidrBlock",
    "egressOnlyGatewayId",
)


@pytest.mark.parametrize("name", STACKS)
def test_a_stack_without_network_ipv6_sends_nothing_of_it(name):
    plan = stack_plan(name)
    if plan.config.network.ipv6 is not None:
        pytest.skip("this stack uses network.ipv6")
    for r in plan.resources:
        assert not set(IPV6_KEYS) & set(r.inputs), r.urn
        assert r.inputs.get("ipAddressType") in (None, "ipv4"), r.urn
        assert "dkr-ecr" not in json.dumps(r.inputs), r.urn
        assert "AWS_USE_DUALSTACK_ENDPOINT" not in json.dumps(r.inputs), r.urn
    assert not plan.of_type("aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway")
    configured = {c for lb in plan.config.load_balancers.values() for c in lb.allowed_cidrs or []}
    ipv6_rules = [r.inputs["cidrIpv6"] for r in plan.resources if "cidrIpv6" in r.inputs]
    assert set(ipv6_rules) <= configured
