"""A team's first stack: region plus one image is complete, on any stack name.

Every top-level section has a default (a 2-AZ VPC with one NAT gateway, a Fargate cluster, an
internet-facing ALB when a service asks for a port and names no load balancer), and the stack's
policy level comes from `policyLevel` or its name, so a `sandbox` stack without a certificate
plans (HTTP, said plainly) while a prod-level one is refused with the way to HTTPS.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from components.specs.policy_level import level_from_stack_name
from offline.__main__ import main
from offline.policy import check
from tests.support import config_error, mutate, only, plan_config

ROOT = Path(__file__).resolve().parent.parent
IMAGE = "public.ecr.aws/nginx/nginx:1.27.3"
FIRST = {
    "aws:region": "eu-west-1",
    "ecs-platform:services": {"web": {"image": IMAGE, "containerPort": 80}},
}
LISTENER = "aws:lb/listener:Listener"
LB = "aws:lb/loadBalancer:LoadBalancer"
SVC = "aws:ecs/service:Service"


def test_region_and_one_image_plan_with_exit_0_under_a_new_stack_name(tmp_path, capsys):
    path = tmp_path / "Pulumi.first.yaml"
    path.write_text(yaml.safe_dump({"config": FIRST}))
    assert main(["plan", "--config-file", str(path), "--stack", "first"]) == 0
    out = capsys.readouterr().out
    assert "dev levels from the stack name 'first'" in out


def test_a_stack_without_network_gets_a_new_two_az_vpc_with_one_nat_gateway():
    result = plan_config(FIRST, "sandbox")
    assert only(result, "aws:ec2/vpc:Vpc").inputs["cidrBlock"] == "10.0.0.0/16"
    assert len(result.of_type("aws:ec2/subnet:Subnet")) == 4
    assert len(result.of_type("aws:ec2/natGateway:NatGateway")) == 1
    network = result.named("web-service", SVC).inputs["networkConfiguration"]
    assert network["assignPublicIp"] is False


def test_a_service_with_a_port_and_no_load_balancer_gets_a_public_http_alb():
    result = plan_config(FIRST, "sandbox")
    lb = only(result, LB).inputs
    assert lb["loadBalancerType"] == "application" and lb["internal"] is False
    (listener,) = result.of_type(LISTENER)
    assert (listener.inputs["protocol"], listener.inputs["port"]) == ("HTTP", 80)
    assert listener.inputs["defaultActions"][0]["type"] != "redirect"
    (target,) = result.named("web-service", SVC).inputs["loadBalancers"]
    assert target["containerPort"] == 80
    assert result.outputs["services"]["web"]["url"].startswith("http://")


@pytest.mark.parametrize(
    "service",
    [
        {"image": IMAGE},  # no port: nothing to route to
        {"image": IMAGE, "containerPort": 80, "serviceConnect": {}},  # reached inside the cluster
    ],
)
def test_no_load_balancer_is_added_for_a_service_that_does_not_ask_for_one(service):
    cfg = mutate(FIRST, "services", {"web": service})
    assert plan_config(cfg, "sandbox").of_type(LB) == []


def test_a_stack_that_lists_load_balancers_gets_none_added():
    cfg = mutate(FIRST, "loadBalancers", {"edge": {"type": "application"}})
    cfg = mutate(cfg, "services.api", {"image": IMAGE, "containerPort": 8080,
                                       "loadBalancer": {"name": "edge"}})  # fmt: skip
    result = plan_config(cfg, "sandbox")
    assert [r.name for r in result.of_type(LB)] == ["edge-lb"]
    assert result.named("web-service", SVC).inputs["loadBalancers"] == []


def test_without_a_certificate_a_dev_level_stack_says_it_serves_plain_http():
    report = check(plan_config(FIRST, "sandbox"))
    assert report.environment == "dev" and report.mandatory == []
    (http,) = [v for v in report.violations if v.policy == "lb-listener-encrypted"]
    assert http.level == "advisory" and "unencrypted" in http.message


def test_prod_level_refuses_plain_http_and_says_how_to_get_a_certificate():
    report = check(plan_config(FIRST, "prod"))
    (http,) = [v for v in report.mandatory if v.policy == "lb-listener-encrypted"]
    assert "certificateArn" in http.message and "ACM" in http.message


@pytest.mark.parametrize(
    ("stack", "level"),
    [
        ("prod", "prod"), ("production", "prod"), ("prd", "prod"), ("live", "prod"),
        ("shop-prod", "prod"), ("eu_live", "prod"), ("staging", "staging"), ("stg", "staging"),
        ("uat", "staging"), ("shop-preprod", "staging"), ("dev", "dev"), ("sandbox", "dev"),
        ("first", "dev"), ("product-demo", "dev"), ("qa", "dev"),
    ],
)  # fmt: skip
def test_the_policy_level_defaults_from_the_words_of_the_stack_name(stack, level):
    assert level_from_stack_name(stack) == level


def test_policy_level_in_the_stack_file_overrides_the_stack_name():
    report = check(plan_config(mutate(FIRST, "policyLevel", "prod"), "sandbox"))
    assert report.environment == "prod"
    assert "set by ecs-platform:policyLevel" in report.basis
    assert check(plan_config(mutate(FIRST, "policyLevel", "dev"), "prod")).environment == "dev"


def test_an_unknown_policy_level_is_a_config_error():
    err = config_error(mutate(FIRST, "policyLevel", "production"), "sandbox")
    assert err.path == "policyLevel" and "'auto', 'dev', 'staging' or 'prod'" in err.message


def test_every_key_declared_in_pulumi_yaml_has_a_default_so_pulumi_up_accepts_a_stack_without_it():
    declared = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]
    assert [key for key, decl in declared.items() if "default" not in decl] == []
