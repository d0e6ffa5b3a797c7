"""Config layer: shipped stacks parse; every rule rejects with the key, the value and the fix."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from components.config import (
    TOP_LEVEL_KEYS,
    ConfigError,
    deep_merge,
    parse_stack_config,
    project_values,
)
from offline.schema import SCHEMA_PATH, schema_text
from offline.stackfiles import load_stack
from tests.stack_files import locate, stack_file, stack_ids
from tests.support import DELETE, config, mutate

ROOT = Path(__file__).resolve().parent.parent
STACKS = stack_ids()

SECRET = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:db-AbCdEf"
PARAM = "arn:aws:ssm:ap-northeast-2:123456789012:parameter/app/api-key"
CERT = "arn:aws:acm:ap-northeast-2:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666"

VALID = config(
    network={"cidrBlock": "10.20.0.0/16", "availabilityZones": 2, "natGateways": "single"},
    loadBalancers={"public": {"type": "application"}, "tcp": {"type": "network"}},
    services={
        "web": {
            "image": "public.ecr.aws/nginx/nginx:1.27",
            "cpu": 256,
            "memory": 512,
            "containerPort": 80,
            "loadBalancer": {"name": "public", "pathPatterns": ["/*"]},
            "secrets": {"DB_PASSWORD": SECRET},
        },
        "api": {
            "image": "public.ecr.aws/nginx/nginx:1.27",
            "containerPort": 8080,
            "loadBalancer": {"name": "public", "pathPatterns": ["/api/*"]},
        },
    },
)


def parse(cfg):
    return parse_stack_config(cfg, stack="test", source="Pulumi.test.yaml", project_defaults={})


def rejected(cfg) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse(cfg)
    return info.value


def test_the_base_config_of_these_tests_is_valid():
    parse(VALID)


@pytest.mark.parametrize("stack_id", STACKS)
def test_every_shipped_stack_file_parses(stack_id):
    folder, stack = locate(stack_id)
    assert load_stack(stack, project_dir=folder).config.stack == stack


@pytest.mark.parametrize("stack_id", STACKS)
def test_every_shipped_stack_file_matches_the_published_json_schema(stack_id):
    schema = json.loads(SCHEMA_PATH.read_text())
    doc = yaml.safe_load(stack_file(stack_id).read_text())
    jsonschema.validate(doc, schema)


def test_the_json_schema_rejects_a_typo_an_editor_should_flag():
    schema = json.loads(SCHEMA_PATH.read_text())
    doc = {"config": {"aws:region": "ap-northeast-2", "ecs-platform:netwrk": {}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema)
    doc = {"config": {"aws:region": "eu-west-1", "ecs-platform:network": {"natGateways": "x"}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema)


def test_the_committed_json_schema_is_up_to_date():
    assert SCHEMA_PATH.read_text() == schema_text(), "run: python -m offline schema"


def test_pulumi_yaml_declares_every_top_level_key_with_a_type_and_description():
    doc = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    declared = doc["config"]
    assert set(TOP_LEVEL_KEYS) <= set(declared)
    for key in TOP_LEVEL_KEYS:
        kind = "string" if key in ("policyLevel", "stackKind", "team") else "object"
        assert declared[key]["type"] == kind and declared[key]["description"]
    assert doc["runtime"]["options"]["toolchain"] == "pip"
    assert doc["runtime"]["options"]["virtualenv"] == ".venv"


def test_editors_get_the_schema_for_every_stack_file_with_or_without_a_modeline():
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text())
    assert settings["yaml.schemas"]["./schema/stack-config.schema.json"] == ["Pulumi.*.yaml"]


# (id, mutations, expected key path, expected message fragment)
CASES = [
    ("fargate-cpu", [("services.web.cpu", 300)], "services.web.cpu",
     "300 is not a Fargate CPU size; use one of 256, 512, 1024, 2048, 4096, 8192, 16384"),
    ("fargate-pair", [("services.web.memory", 4096)], "services.web.memory",
     "4096 MiB is not valid with cpu 256 on Fargate; use 512, 1024, 2048"),
    ("fargate-pair-range", [("services.web.cpu", 1024), ("services.web.memory", 1024)],
     "services.web.memory", "use 2048 to 8192 in steps of 1024"),
    ("containers-exceed-task", [("services.web.containerCpu", 512)], "services.web.cpu",
     "containers ask for 512 cpu units but the task has 256"),
    ("cidr-host-bits", [("network.cidrBlock", "10.20.1.0/16")], "network.cidrBlock",
     "did you mean 10.20.0.0/16"),
    ("cidr-not-cidr", [("network.cidrBlock", "10.20.0.0")], "network.cidrBlock",
     "not an IPv4 CIDR block"),
    ("cidr-too-small", [("network.cidrBlock", "10.20.0.0/24")], "network.cidrBlock",
     "/24 does not fit the subnet layout; use /16 to /22"),
    ("cidr-overlap", [("network.privateSubnetCidrs", ["10.20.0.0/20", "10.20.8.0/24"]),
                      ("network.publicSubnetCidrs", ["10.20.100.0/24", "10.20.101.0/24"])],
     "network.privateSubnetCidrs[1]", "10.20.8.0/24 overlaps 10.20.0.0/20"),
    ("subnet-outside-vpc", [("network.publicSubnetCidrs", ["10.99.0.0/24", "10.20.1.0/24"]),
                            ("network.privateSubnetCidrs", ["10.20.16.0/20", "10.20.32.0/20"])],
     "network.publicSubnetCidrs[0]", "outside the VPC 10.20.0.0/16"),
    ("subnet-count", [("network.publicSubnetCidrs", ["10.20.0.0/24"])],
     "network.publicSubnetCidrs", "1 CIDRs for 2 availabilityZones"),
    ("az-count-high", [("network.availabilityZones", 7)], "network.availabilityZones",
     "7 is above the maximum 6"),
    ("az-count-zero", [("network.availabilityZones", 0)], "network.availabilityZones",
     "0 is below the minimum 1"),
    ("alb-one-az", [("network.availabilityZones", 1)], "network.availabilityZones",
     "an ALB needs subnets in at least 2 AZs"),
    ("nat-enum", [("network.natGateways", "perAZ")], "network.natGateways",
     "'perAZ' is not allowed; use one of 'none', 'single', 'perAz' or 'instance'"),
    ("nat-instance-not-arm", [("network.natInstanceType", "t3.nano")],
     "network.natInstanceType", "not a valid value"),
    ("endpoint-unknown", [("network.vpcEndpoints", ["s3", "dynamo"])], "network.vpcEndpoints[1]",
     "'dynamo' is not allowed"),
    ("ecr-without-s3", [("network.vpcEndpoints", ["ecr.dkr"])], "network.vpcEndpoints",
     "ecr.dkr needs s3 too"),
    ("vpc-and-cidr", [("network.vpcId", "vpc-0123456789abcdef0"),
                      ("network.privateSubnetIds", ["subnet-0123456789abcdef0"])],
     "network.cidrBlock", "cannot be combined with vpcId"),
    ("vpc-no-private", [("network.cidrBlock", DELETE), ("network.natGateways", "none"),
                        ("network.vpcId", "vpc-0123456789abcdef0")],
     "network.privateSubnetIds", "required with vpcId"),
    ("vpc-nat", [("network.cidrBlock", DELETE), ("network.vpcId", "vpc-0123456789abcdef0"),
                 ("network.privateSubnetIds", ["subnet-0123456789abcdef0"])],
     "network.natGateways", "applies only to a new VPC"),
    ("two-bases", [("cluster.capacityProviders", [{"provider": "FARGATE", "base": 1, "weight": 1},
                                                  {"provider": "FARGATE_SPOT", "base": 1}])],
     "cluster.capacityProviders", "only one provider may have a base above 0"),
    ("zero-weights", [("cluster.capacityProviders", [{"provider": "FARGATE", "base": 1}])],
     "cluster.capacityProviders", "at least one provider needs a weight above 0"),
    ("dup-provider", [("cluster.capacityProviders", [{"provider": "FARGATE", "weight": 1},
                                                     {"provider": "FARGATE", "weight": 2}])],
     "cluster.capacityProviders", "FARGATE listed more than once"),
    ("mix-fargate-ec2", [("cluster.ec2Capacity", {}),
                         ("cluster.capacityProviders", [{"provider": "FARGATE", "weight": 1},
                                                        {"provider": "EC2", "weight": 1}])],
     "cluster.capacityProviders", "cannot mix Fargate and EC2"),
    ("ec2-without-capacity", [("cluster.capacityProviders", [{"provider": "EC2", "weight": 1}])],
     "cluster.capacityProviders[0].provider", "EC2 needs cluster.ec2Capacity"),
    ("service-ec2-without-capacity",
     [("services.api.capacityProviders", [{"provider": "EC2", "weight": 1}])],
     "services.api.capacityProviders[0].provider", "EC2 needs cluster.ec2Capacity"),
    ("provider-enum", [("cluster.capacityProviders", [{"provider": "SPOT", "weight": 1}])],
     "cluster.capacityProviders[0].provider", "'SPOT' is not allowed"),
    ("weight-range", [("cluster.capacityProviders", [{"provider": "FARGATE", "weight": 1001}])],
     "cluster.capacityProviders[0].weight", "1001 is above the maximum 1000"),
    ("ec2-min-max", [("cluster.ec2Capacity", {"minSize": 5, "maxSize": 2})],
     "cluster.ec2Capacity.minSize", "5 is above maxSize 2"),
    ("ec2-instance-type", [("cluster.ec2Capacity", {"instanceType": "large"})],
     "cluster.ec2Capacity.instanceType", "not an EC2 instance type"),
    ("insights-enum", [("cluster.containerInsights", "on")], "cluster.containerInsights",
     "'on' is not allowed"),
    ("exec-retention", [("cluster.execLogRetentionDays", 45)], "cluster.execLogRetentionDays",
     "45 is not a CloudWatch Logs retention"),
    ("namespace-name", [("cluster.serviceConnectNamespace", "Bad_Name")],
     "cluster.serviceConnectNamespace", "not a valid value"),
    ("unknown-lb", [("services.web.loadBalancer.name", "publc")],
     "services.web.loadBalancer.name", "'publc' is not in loadBalancers (did you mean public?)"),
    ("lb-type", [("loadBalancers.public.type", "classic")], "loadBalancers.public.type",
     "'classic' is not allowed"),
    ("certificate-arn", [("loadBalancers.public.certificateArn", "arn:aws:iam::1:cert")],
     "loadBalancers.public.certificateArn", "is not an ARN"),
    ("certificate-service", [("loadBalancers.public.certificateArn",
                              "arn:aws:iam::123456789012:server-certificate/x")],
     "loadBalancers.public.certificateArn", "is not an ACM certificate ARN"),
    ("tls-policy", [("loadBalancers.public.sslPolicy", "ELBSecurityPolicy-2016-08")],
     "loadBalancers.public.sslPolicy", "'ELBSecurityPolicy-2016-08' is not allowed"),
    ("idle-timeout", [("loadBalancers.public.idleTimeoutSeconds", 5000)],
     "loadBalancers.public.idleTimeoutSeconds", "5000 is above the maximum 4000"),
    ("allowed-cidrs", [("loadBalancers.public.allowedCidrs", ["0.0.0.0/33"])],
     "loadBalancers.public.allowedCidrs", "not a CIDR block"),
    ("waf-on-nlb", [("loadBalancers.tcp.webAclArn",
                     "arn:aws:wafv2:ap-northeast-2:123456789012:regional/webacl/w/1")],
     "loadBalancers.tcp.webAclArn", "WAF attaches to ALBs only"),
    ("existing-listener-arn", [("loadBalancers.shared", {"existing": {
        "listenerArn": "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:loadbalancer/x",
        "securityGroupId": "sg-0123456789abcdef0"}})],
     "loadBalancers.shared.existing.listenerArn", "not an Elastic Load Balancing listener ARN"),
    ("lb-name", [("loadBalancers.Public", {})], "loadBalancers.Public",
     "not a valid name: 1 to 24 lowercase letters"),
    ("service-name-long", [("services.a-very-long-service-name-indeed", {"image": "x"})],
     "services.a-very-long-service-name-indeed", "not a valid name"),
    ("duplicate-priority", [("services.web.loadBalancer.priority", 10),
                            ("services.api.loadBalancer.priority", 10)],
     "services.web.loadBalancer.priority", "10 is already used by services.api on public"),
    ("priority-range", [("services.web.loadBalancer.priority", 50001)],
     "services.web.loadBalancer.priority", "50001 is above the maximum 50000"),
    ("same-conditions", [("services.api.loadBalancer.pathPatterns", ["/*"])],
     "services.web.loadBalancer", "same pathPatterns and hostHeaders as services.api"),
    ("too-many-conditions", [("services.api.loadBalancer.pathPatterns",
                              ["/a", "/b", "/c", "/d", "/e", "/f"])],
     "services.api.loadBalancer.pathPatterns", "6 condition values; an ALB rule allows at most 5"),
    ("nlb-path", [("services.api.loadBalancer.name", "tcp")], "services.api.loadBalancer",
     "pathPatterns, hostHeaders and priority are ALB rules"),
    ("nlb-port-clash", [("services.web.loadBalancer", {"name": "tcp"}),
                        ("services.api.loadBalancer", {"name": "tcp", "listenerPort": 80})],
     "services.web.loadBalancer.listenerPort", "port 80 on tcp is already taken by services.api"),
    ("alb-listener-port", [("services.api.loadBalancer.listenerPort", 8443)],
     "services.api.loadBalancer.listenerPort", "listenerPort is for NLBs"),
    ("lb-without-port", [("services.api.containerPort", DELETE)], "services.api.containerPort",
     "required with loadBalancer"),
    ("port-range", [("services.api.containerPort", 70000)], "services.api.containerPort",
     "70000 is above the maximum 65535"),
    ("health-timeout", [("services.web.loadBalancer.healthCheck", {"intervalSeconds": 5,
                                                                   "timeoutSeconds": 5})],
     "services.web.loadBalancer.healthCheck.timeoutSeconds", "must be less than intervalSeconds"),
    ("dereg-range", [("services.web.loadBalancer.deregistrationDelaySeconds", 4000)],
     "services.web.loadBalancer.deregistrationDelaySeconds", "4000 is above the maximum 3600"),
    ("credentials-in-env", [("services.web.environment", {"AWS_SECRET_ACCESS_KEY": "abc"})],
     "services.web.environment.AWS_SECRET_ACCESS_KEY", "Security Hub ECS.8"),
    ("env-name", [("services.web.environment", {"1BAD": "x"})], "services.web.environment.1BAD",
     "not a valid environment variable name"),
    ("env-and-secret", [("services.web.secrets", {"DB_HOST": SECRET}),
                        ("services.web.environment", {"DB_HOST": "x"})],
     "services.web.secrets.DB_HOST", "also set in environment"),
    ("env-secret-by-name", [("services.web.environment", {"DB_PASSWORD": "x"})],
     "services.web.environment.DB_PASSWORD", "looks like a secret in plain text"),
    ("secret-arn", [("services.web.secrets", {"DB": "arn:aws:s3:::bucket/key"})],
     "services.web.secrets.DB", "not a Secrets Manager secret ARN"),
    ("secret-plain", [("services.web.secrets", {"DB": "hunter2"})], "services.web.secrets.DB",
     "not a Secrets Manager secret ARN"),
    ("sidecar-port-clash", [("services.web.sidecars", {"proxy": {"image": "envoy",
                                                                 "ports": [80]}})],
     "services.web.sidecars.proxy.ports", "80 is already used by containerPort"),
    ("depends-unknown", [("services.web.sidecars", {"log": {"image": "fluent-bit",
                          "dependsOn": [{"container": "ap"}]}})],
     "services.web.sidecars.log.dependsOn[0].container", "'ap' is not a container of this task"),
    ("depends-condition", [("services.web.dependsOn", [{"container": "app",
                                                       "condition": "READY"}])],
     "services.web.dependsOn[0].condition", "'READY' is not allowed"),
    ("too-many-containers", [("services.web.sidecars",
                              {f"s{i}": {"image": "x"} for i in range(10)})],
     "services.web.sidecars", "at most 10 containers"),
    ("sidecar-named-app", [("services.web.sidecars", {"app": {"image": "x"}})],
     "services.web.sidecars.app", "'app' is the app container"),
    ("container-name-with-a-dot", [("services.web.sidecars", {"log.router": {"image": "x"}})],
     "services.web.sidecars['log.router']", "not a valid container name: 1 to 255 letters"),
    ("port-mapping-name-from-an-uppercase-sidecar",
     [("services.web.sidecars", {"Proxy": {"image": "envoy", "ports": [9901]}})],
     "services.web.sidecars.Proxy", "names its port mappings Proxy-9901"),
    ("container-health", [("services.web.healthCheck", {"command": ["curl", "-f", "/"]})],
     "services.web.healthCheck.command", "must start with CMD or CMD-SHELL"),
    ("stop-timeout", [("services.web.stopTimeoutSeconds", 300)],
     "services.web.stopTimeoutSeconds", "300 is above the maximum 120"),
    ("ephemeral", [("services.web.ephemeralStorageGib", 10)], "services.web.ephemeralStorageGib",
     "10 is below the minimum 21"),
    ("min-healthy", [("services.web.minHealthyPercent", 150)], "services.web.minHealthyPercent",
     "150 is above the maximum 100"),
    ("log-retention", [("services.web.logRetentionDays", 10)], "services.web.logRetentionDays",
     "10 is not a CloudWatch Logs retention"),
    ("arch", [("services.web.cpuArchitecture", "arm64")], "services.web.cpuArchitecture",
     "'arm64' is not allowed"),
    ("string-for-int", [("services.web.desiredCount", "2")], "services.web.desiredCount",
     "'2' is a string (quoted); write the number without quotes: 2"),
    ("string-for-port", [("services.web.containerPort", "80")], "services.web.containerPort",
     "'80' is a string (quoted); write the number without quotes: 80"),
    ("float-for-int", [("services.web.desiredCount", 1.5)], "services.web.desiredCount",
     "1.5 is not a whole number"),
    ("string-for-bool", [("services.web.assignPublicIp", "yes")], "services.web.assignPublicIp",
     "'yes' is not true or false"),
    ("unknown-key", [("services.web.cpuu", 256)], "services.web.cpuu",
     "unknown key (did you mean cpu?)"),
    ("unknown-top-key", [("servics", {})], "servics",
     "unknown key ecs-platform:servics (did you mean services?)"),
    ("region", [("aws:region", "seoul")], "aws:region", "'seoul' is not an AWS region"),
    ("region-missing", [("aws:region", DELETE)], "aws:region", "required: set aws:region"),
    ("image-missing", [("services.web.image", DELETE)], "services.web.image",
     "required: set image (a URI) or build"),
    ("task-role-wildcard-action", [("services.web.taskRole", {"statements": [
        {"actions": ["s3:*"], "resources": ["arn:aws:s3:::bucket/*"]}]})],
     "services.web.taskRole.statements[0].actions", "grants every action of the service"),
    ("task-role-star-resource", [("services.web.taskRole", {"statements": [
        {"actions": ["s3:GetObject"], "resources": ["*"]}]})],
     "services.web.taskRole.statements[0].resources", '"*" grants every resource'),
    ("task-role-admin", [("services.web.taskRole", {"managedPolicyArns": [
        "arn:aws:iam::aws:policy/AdministratorAccess"]})],
     "services.web.taskRole.managedPolicyArns", "AdministratorAccess is never granted"),
    ("no-egress", [("network.natGateways", "none")], "services.web.image",
     "cannot be pulled: tasks in private subnets have no egress"),
    ("no-egress-logs", [("network.natGateways", "none"),
                        ("network.vpcEndpoints", ["s3", "ecr.api", "ecr.dkr"]),
                        ("services.web.image",
                         "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/web:1"),
                        ("services.api.image",
                         "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/api:1")],
     "services.web.image", "cannot ship logs; add logs to network.vpcEndpoints"),
    ("public-ip-on-ec2", [("cluster.ec2Capacity", {}),
                          ("services.api.capacityProviders", [{"provider": "EC2", "weight": 1}]),
                          ("services.api.memory", 1024), ("services.api.assignPublicIp", True)],
     "services.api.assignPublicIp", "only for Fargate tasks"),
    ("ec2-needs-memory", [("cluster.ec2Capacity", {}),
                          ("services.api.capacityProviders", [{"provider": "EC2", "weight": 1}])],
     "services.api.memory", "required for tasks on EC2 capacity"),
]  # fmt: skip


@pytest.mark.parametrize(("mutations", "path", "fragment"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])  # fmt: skip
def test_invalid_config_is_rejected_with_the_key_and_a_teaching_message(mutations, path, fragment):
    cfg = VALID
    for key, value in mutations:
        cfg = mutate(cfg, key, value)
    error = rejected(cfg)
    assert error.path == path
    assert fragment in error.message
    assert "\n" not in str(error)
    assert str(error).startswith(f"Pulumi.test.yaml: {path}: ")


def test_the_design_example_message_is_reproduced_exactly():
    error = rejected(mutate(VALID, "services.web.cpu", 300))
    assert str(error) == (
        "Pulumi.test.yaml: services.web.cpu: 300 is not a Fargate CPU size; use one of "
        "256, 512, 1024, 2048, 4096, 8192, 16384"
    )


def test_a_number_with_leading_zeros_is_read_as_pulumi_config_set_path_stores_it():
    # `pulumi config set --path ...containerPort 080` writes the string "080"
    cfg = mutate(mutate(VALID, "services.web.containerPort", "080"), "services.web.desiredCount",
                 "02")  # fmt: skip
    web = parse(cfg).services["web"]
    assert (web.container_port, web.desired_count) == (80, 2)


def test_container_names_follow_aws_rule_underscores_and_capitals_included():
    sidecars = {"log_router": {"image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:3"},
                "Agent": {"image": "x:1"}}  # fmt: skip
    cfg = mutate(VALID, "services.web.sidecars", sidecars)
    cfg = mutate(cfg, "services.web.dependsOn", [{"container": "log_router"}])
    assert set(parse(cfg).services["web"].sidecars) == {"log_router", "Agent"}


def test_values_may_arrive_as_json_strings_as_pulumi_config_stores_them():
    wire = {k: json.dumps(v) if not isinstance(v, str) else v for k, v in VALID.items()}
    assert parse(wire) == parse(VALID)


def test_task_size_defaults_to_the_cheapest_fargate_size_that_fits_the_containers():
    cfg = mutate(VALID, "services.api.containerCpu", 300)
    cfg = mutate(cfg, "services.api.sidecars", {"agent": {"image": "x", "cpu": 100, "memory": 700}})
    cfg = mutate(cfg, "services.api.containerMemory", 900)
    parsed = parse(cfg)
    assert parsed.task_size(parsed.services["api"]) == (512, 2048)
    assert parsed.task_size(parsed.services["web"]) == (256, 512)


def test_derived_rule_priorities_put_specific_paths_before_catch_alls_and_are_stable():
    parsed = parse(VALID)
    rules = parsed.listener_rules("public")
    assert rules["api"] < rules["web"]
    more = mutate(VALID, "services.admin", {
        "image": "x", "containerPort": 9000,
        "loadBalancer": {"name": "public", "hostHeaders": ["admin.example.com"]}})  # fmt: skip
    rules_after = parse(more).listener_rules("public")
    assert {k: rules_after[k] for k in rules} == rules
    assert rules_after["admin"] < rules_after["api"]


# Project-level values in Pulumi.yaml merged under the stack's: the rules, one test each.


def test_merge_maps_merge_key_by_key():
    assert deep_merge({"a": {"x": 1, "y": 2}}, {"a": {"y": 3}}) == {"a": {"x": 1, "y": 3}}


def test_merge_lists_replace_instead_of_appending():
    assert deep_merge({"a": [1, 2]}, {"a": [3]}) == {"a": [3]}


def test_merge_explicit_null_removes_the_key():
    assert deep_merge({"a": {"x": 1}, "b": 2}, {"a": None}) == {"b": 2}
    assert deep_merge({"a": {"x": 1, "y": 2}}, {"a": {"x": None}}) == {"a": {"y": 2}}


def test_merge_scalars_replace_and_new_keys_are_added():
    assert deep_merge({"a": 1}, {"a": 2, "b": {"c": None, "d": 4}}) == {"a": 2, "b": {"d": 4}}


def test_merge_an_empty_map_keeps_the_base():
    assert deep_merge({"a": {"x": 1}}, {"a": {}}) == {"a": {"x": 1}}


def test_project_level_services_merge_under_stack_services():
    defaults = {"services": {"web": {"image": "a:1", "desiredCount": 2, "containerPort": 80,
                                     "environment": {"A": "1", "B": "2"}}}}  # fmt: skip
    stack = mutate(config(), "services", {"web": {"image": "a:2", "environment": {"B": None}}})
    parsed = parse_stack_config(stack, stack="t", source="Pulumi.t.yaml", project_defaults=defaults)
    web = parsed.services["web"]
    assert (web.image, web.desired_count, web.environment) == ("a:2", 2, {"A": "1"})


def test_project_values_read_defaults_from_pulumi_yaml():
    values = project_values(ROOT / "Pulumi.yaml")
    assert set(values) <= set(TOP_LEVEL_KEYS)


def test_the_committed_config_reference_is_up_to_date():
    from offline.docs import DOCS_PATH, reference

    assert DOCS_PATH.read_text() == reference(), "run: python -m offline schema"
