"""ECS Anywhere: the activation and its role, EXTERNAL services, their rejections and checks."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

from components.iam import ECS_INSTANCE_POLICY, SSM_CORE_POLICY
from offline.cost import estimate
from offline.deploy import estimate as deploy_estimate
from offline.diagram import build, mermaid
from offline.policy import evaluate
from offline.replacement import replacements
from offline.report import plan_json
from policy.rules import BY_NAME
from policy.rules.base import run_rule

from .policy_fixtures import DELETE as DROP
from .policy_fixtures import container, find, prop, stack_of, without
from .support import (
    ACCOUNT,
    DELETE,
    REGION,
    config,
    config_error,
    mutate,
    only,
    plan_config,
)

ACTIVATION = "aws:ssm/activation:Activation"
OFFSET = "time:index/offset:Offset"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
SERVICE = "aws:ecs/service:Service"
TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"
SG = "aws:ec2/securityGroup:SecurityGroup"

EDGE: dict[str, Any] = {
    "image": "public.ecr.aws/docker/library/busybox:1.37",
    "launchType": "EXTERNAL",
    "memory": 256,
    "containerPort": 8080,
}
CFG = config(cluster={"external": {"instances": 2}}, services={"edge": EDGE})


def plan():
    return plan_config(CFG)


def taskdef_containers(p) -> list[dict[str, Any]]:
    return json.loads(p.named("edge-taskdef", TASKDEF).inputs["containerDefinitions"])


# -- cluster side: role, attachments, activation -------------------------------------------


def test_the_activation_role_trusts_ssm_for_this_account_and_region_only():
    trust = json.loads(plan().named("cluster-anywhere", ROLE).inputs["assumeRolePolicy"])
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Service": "ssm.amazonaws.com"}
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnEquals": {"aws:SourceArn": f"arn:aws:ssm:{REGION}:{ACCOUNT}:*"},
    }


def test_the_role_carries_exactly_the_two_aws_managed_policies():
    p = plan()
    role = p.named("cluster-anywhere", ROLE)
    attached = {
        r.name: r.inputs["policyArn"] for r in p.of_type(ATTACHMENT) if role.urn in r.dependencies
    }
    assert attached == {"cluster-anywhere-ssm": SSM_CORE_POLICY,
                        "cluster-anywhere-ecs": ECS_INSTANCE_POLICY}  # fmt: skip
    assert not [r for r in p.of_type("aws:iam/rolePolicy:RolePolicy") if role.urn in r.dependencies]


def test_the_activation_names_the_role_and_defaults_its_limit_to_the_expected_servers():
    p = plan()
    activation = only(p, ACTIVATION)
    assert p.named("cluster-anywhere", ROLE).urn in activation.dependencies
    assert activation.inputs["registrationLimit"] == 2
    assert activation.inputs["description"] == "ECS Anywhere servers of ecs-platform-test"
    assert activation.parent == next(r.urn for r in p.resources if r.name == "cluster")


def test_the_activation_waits_for_both_policy_attachments():
    p = plan()
    activation = only(p, ACTIVATION)
    for name in ("cluster-anywhere-ssm", "cluster-anywhere-ecs"):
        assert p.named(name, ATTACHMENT).urn in activation.dependencies


def test_expiry_is_left_to_apply_time_in_a_time_offset_that_state_keeps():
    p = plan()
    activation, expiry = only(p, ACTIVATION), only(p, OFFSET)
    assert expiry.urn in activation.dependencies  # expirationDate is the offset's rfc3339
    assert expiry.inputs["offsetDays"] == 30
    assert activation.options["ignoreChanges"] == []
    assert activation.options["additionalSecretOutputs"] == ["activationCode"]


def test_the_expiry_gets_a_fresh_base_whenever_the_activation_is_replaced_anyway():
    triggers = only(plan(), OFFSET).inputs["triggers"]
    assert triggers["registrationLimit"] == "2" and triggers["days"] == "30"
    assert set(triggers) == {"role", "registrationLimit", "description", "days"}


def test_plans_of_the_same_config_are_identical_whatever_the_day(monkeypatch):
    from offline.engine import plan as plan_now

    first = plan_json(plan())
    day = datetime.date(2031, 1, 1)

    class Later(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.datetime.combine(day, datetime.time(), tz)

    import components.anywhere as anywhere

    clock = type("clock", (), {"datetime": Later, "UTC": datetime.UTC,
                               "timedelta": datetime.timedelta})  # fmt: skip
    monkeypatch.setattr(anywhere, "datetime", clock, raising=False)
    import tempfile
    from pathlib import Path

    import yaml

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "Pulumi.test.yaml"
        path.write_text(yaml.safe_dump({"config": CFG}))
        again = plan_json(plan_now("test", path))
    assert [r["inputs"] for r in again["resources"]] == [r["inputs"] for r in first["resources"]]


def test_registration_limit_and_expiry_and_description_follow_the_config():
    cfg = mutate(CFG, "cluster.external", {"instances": 2, "registrationLimit": 5,
                                            "activationExpiresInDays": 7,
                                            "description": "shop floor boxes"})  # fmt: skip
    p = plan_config(cfg)
    activation = only(p, ACTIVATION)
    assert activation.inputs["registrationLimit"] == 5
    assert activation.inputs["description"] == "shop floor boxes"
    assert only(p, OFFSET).inputs["offsetDays"] == 7


def test_the_activation_code_id_and_register_command_are_secret_outputs():
    p = plan()
    assert p.secret_outputs == ["anywhere"]
    anywhere = p.outputs["anywhere"]
    assert set(anywhere) == {"activationId", "activationCode", "registerCommand"}
    command = anywhere["registerCommand"]
    assert "ecs-anywhere-install-latest.sh" in command
    assert f"--region {REGION} --cluster ecs-platform-test" in command
    assert f"--activation-id {anywhere['activationId']}" in command
    assert f"--activation-code {anywhere['activationCode']}" in command
    assert plan_json(p)["outputs"]["anywhere"] == "[secret]"


def test_no_activation_role_or_output_without_cluster_external():
    p = plan_config(config(services={"web": {"image": EDGE["image"]}}))
    assert p.of_type(ACTIVATION) == []
    assert not [r for r in p.of_type(ROLE) if r.name == "cluster-anywhere"]
    assert "anywhere" not in p.outputs and p.secret_outputs == []


# -- EXTERNAL services ---------------------------------------------------------------------


def test_an_external_service_uses_the_launch_type_and_no_capacity_strategy():
    svc = plan().named("edge-service", SERVICE).inputs
    assert svc["launchType"] == "EXTERNAL"
    assert "capacityProviderStrategies" not in svc
    assert svc["orderedPlacementStrategies"] == [{"type": "spread", "field": "instanceId"}]
    assert svc["availabilityZoneRebalancing"] == "DISABLED"


def test_an_external_service_has_no_awsvpc_network_and_no_security_group():
    p = plan()
    assert "networkConfiguration" not in p.named("edge-service", SERVICE).inputs
    assert not [r for r in p.of_type(SG) if r.name.startswith("edge-")]
    assert not [r for r in p.resources if r.name == "edge-egress"]


def test_an_external_task_definition_is_bridge_mode_without_fargate_settings():
    td = plan().named("edge-taskdef", TASKDEF).inputs
    assert td["requiresCompatibilities"] == ["EXTERNAL"]
    assert td["networkMode"] == "bridge"
    assert "runtimePlatform" not in td and "ephemeralStorage" not in td


def test_bridge_mode_publishes_the_container_port_on_the_server():
    (app,) = taskdef_containers(plan())
    assert app["portMappings"] == [
        {"name": "http", "containerPort": 8080, "protocol": "tcp", "hostPort": 8080}
    ]


def test_host_network_mode_is_sent_when_configured():
    cfg = mutate(CFG, "services.edge.networkMode", "host")
    assert plan_config(cfg).named("edge-taskdef", TASKDEF).inputs["networkMode"] == "host"


def test_external_services_do_not_wait_for_steady_state_unless_asked():
    assert plan().named("edge-service", SERVICE).inputs["waitForSteadyState"] is False
    cfg = mutate(CFG, "services.edge.deployment", {"waitForSteadyState": True})
    assert plan_config(cfg).named("edge-service", SERVICE).inputs["waitForSteadyState"] is True


def test_fargate_services_beside_external_ones_keep_their_shape():
    cfg = mutate(CFG, "services.web", {"image": EDGE["image"], "containerPort": 80})
    p = plan_config(cfg)
    web = p.named("web-service", SERVICE).inputs
    assert "launchType" not in web and web["capacityProviderStrategies"]
    assert web["networkConfiguration"]["securityGroups"]
    (app,) = json.loads(p.named("web-taskdef", TASKDEF).inputs["containerDefinitions"])
    assert "hostPort" not in app["portMappings"][0]
    assert p.named("web-taskdef", TASKDEF).inputs["networkMode"] == "awsvpc"


# -- rejected configs ----------------------------------------------------------------------

LB = {"public": {"type": "application"}}


@pytest.mark.parametrize(
    ("path", "value", "where", "words"),
    [
        ("services.edge.capacityProviders", [{"provider": "FARGATE", "weight": 1}],
         "services.edge.capacityProviders", "capacity providers are not supported"),
        ("services.edge.serviceConnect", {}, "services.edge.serviceConnect",
         "Service Connect"),
        ("services.edge.assignPublicIp", True, "services.edge.assignPublicIp",
         "no awsvpc"),
        ("services.edge.ephemeralStorageGib", 30, "services.edge.ephemeralStorageGib",
         "Fargate setting"),
        ("services.edge.efsVolumes", [{"name": "m", "fileSystemId": "fs-0123456789abcdef0",
                                       "containerPath": "/m"}],
         "services.edge.efsVolumes", "EFS"),
        ("services.edge.cpuArchitecture", "ARM64", "services.edge.cpuArchitecture",
         "architecture decides"),
        ("services.edge.launchType", "FARGATE", "services.edge.launchType",
         "'FARGATE' is not allowed; use one of 'EXTERNAL'"),
        ("services.edge.networkMode", "awsvpc", "services.edge.networkMode",
         "'awsvpc' is not allowed; use one of 'bridge' or 'host'"),
        ("services.edge.memory", DELETE, "services.edge.memory",
         "required for tasks on external instances"),
        ("services.edge.desiredCount", 3, "services.edge.desiredCount",
         "one task per server, but cluster.external registers at most 2 servers"),
        ("cluster.external.activationExpiresInDays", 31,
         "cluster.external.activationExpiresInDays", "31 days; an SSM activation expires"),
        ("cluster.external.registrationLimit", 1, "cluster.external.registrationLimit",
         "1 is below instances 2"),
        ("cluster.external.registrationLimit", 1001, "cluster.external.registrationLimit",
         "1001 is above the maximum 1000"),
        ("cluster.external.instances", 0, "cluster.external.instances",
         "0 is below the minimum 1"),
        ("cluster.external", DELETE, "services.edge.launchType",
         "EXTERNAL needs cluster.external"),
    ],
)  # fmt: skip
def test_combinations_aws_rejects_are_refused_with_the_key_and_value(path, value, where, words):
    cfg = mutate(CFG, path, value)
    err = config_error(cfg)
    assert err.path == where, err
    assert words in err.message, err.message


def test_a_load_balancer_is_refused_for_an_external_service():
    cfg = mutate(mutate(CFG, "loadBalancers", LB), "services.edge.loadBalancer",
                 {"name": "public"})  # fmt: skip
    err = config_error(cfg)
    assert err.path == "services.edge.loadBalancer"
    assert "Elastic Load Balancing is not supported" in err.message


def test_network_mode_without_external_launch_type_is_refused():
    cfg = mutate(CFG, "services.edge.launchType", DELETE)
    cfg = mutate(cfg, "services.edge.networkMode", "bridge")
    err = config_error(cfg)
    assert err.path == "services.edge.networkMode" and "only for launchType EXTERNAL" in err.message


def test_autoscaling_beyond_the_servers_is_refused_when_ports_are_published():
    cfg = mutate(CFG, "services.edge.autoscaling", {"minCount": 1, "maxCount": 4,
                                                    "cpuTarget": 60})  # fmt: skip
    err = config_error(cfg)
    assert err.path == "services.edge.autoscaling.maxCount" and "at most 2 servers" in err.message


# -- cost, deploy time, diagram, replacement -----------------------------------------------


def test_cost_bills_the_expected_servers_per_hour_and_no_fargate_for_external_tasks():
    report = estimate(plan())
    (servers,) = [line for line in report.lines if line.item.startswith("ECS Anywhere")]
    assert servers.item == "ECS Anywhere: 2 registered server(s)"
    assert servers.monthly_usd == pytest.approx(2 * 0.01025 * 730)
    assert "cluster.external.instances" in servers.basis
    (task,) = [line for line in report.lines if line.item.startswith("edge: 1 task")]
    assert task.monthly_usd == 0 and "external instances" in task.item


def test_deploy_time_treats_an_external_task_like_an_ec2_start():
    p = plan()
    (svc,) = deploy_estimate(p).services
    ec2 = p.config.assumptions.ec2_task_overhead_seconds
    pull = p.config.assumptions.image_size_mb / p.config.assumptions.image_pull_mb_per_second
    assert svc.terms["taskLaunch"] == pytest.approx(ec2)
    assert svc.terms["imagePull"] == pytest.approx(pull)


def test_diagram_shows_the_servers_outside_the_vpc():
    text = mermaid(build(plan()))
    assert "On premises (ECS Anywhere)" in text
    assert "up to 2 registered by SSM activation" in text
    assert "svc_edge -->|runs on| onprem_servers" in text


def test_a_new_limit_replaces_the_activation():
    before = plan()
    bigger = plan_config(mutate(CFG, "cluster.external.registrationLimit", 3))
    assert [r.name for r in replacements(before, bigger)] == ["cluster-anywhere"]


# -- policy --------------------------------------------------------------------------------


def findings(rule: str, stack, name: str, kind: str) -> list[str]:
    target = find(stack, name, kind)
    return [f.message for f in run_rule(BY_NAME[rule], stack, dict(BY_NAME[rule].config))
            if f.urn == target.urn]  # fmt: skip


def test_the_built_activation_and_role_pass_their_rules():
    stack = stack_of(plan())
    assert run_rule(BY_NAME["ecs-anywhere-role-scope"], stack, {}) == []
    assert run_rule(BY_NAME["ecs-anywhere-activation-bounded"], stack, {"maxRegistrationLimit":
                    100}) == []  # fmt: skip


def test_an_extra_policy_on_the_activation_role_is_flagged():
    stack = prop("cluster-anywhere-ecs", ":RolePolicyAttachment", "policyArn",
                 "arn:aws:iam::aws:policy/AmazonS3FullAccess")(stack_of(plan()))  # fmt: skip
    (extra,) = findings("ecs-anywhere-role-scope", stack, "cluster-anywhere-ecs",
                        ":RolePolicyAttachment")  # fmt: skip
    assert "AmazonS3FullAccess" in extra
    (missing,) = findings("ecs-anywhere-role-scope", stack, "cluster-anywhere", ":Role")
    assert "lacks" in missing and "AmazonEC2ContainerServiceforEC2Role" in missing


def test_an_activation_role_trusted_without_a_source_condition_is_flagged():
    loose = json.dumps(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": "ssm.amazonaws.com"},
                }
            ]
        }
    )
    stack = prop("cluster-anywhere", ":Role", "assumeRolePolicy", loose)(stack_of(plan()))
    (message,) = findings("ecs-anywhere-role-scope", stack, "cluster-anywhere", ":Role")
    assert "confused deputy" in message


def test_an_activation_without_limit_or_expiry_is_flagged():
    stack = prop("cluster-anywhere", ":Activation", "registrationLimit", DROP)(stack_of(plan()))
    stack = prop("cluster-anywhere", ":Activation", "expirationDate", DROP)(stack)
    messages = findings("ecs-anywhere-activation-bounded", stack, "cluster-anywhere",
                        ":Activation")  # fmt: skip
    assert len(messages) == 2 and "registrationLimit" in messages[0]


def test_bridge_mode_passes_and_host_mode_needs_a_declared_exemption():
    stack = stack_of(plan())
    rule = "ecs-td-no-host-namespaces"
    assert findings(rule, stack, "edge-taskdef", ":TaskDefinition") == []
    host = prop("edge-taskdef", ":TaskDefinition", "networkMode", "host")(stack)
    (message,) = findings(rule, host, "edge-taskdef", ":TaskDefinition")
    assert "'host'" in message and "exempt" in message
    awsvpc_fargate = prop("edge-taskdef", ":TaskDefinition", "requiresCompatibilities",
                          ["FARGATE"])(stack)  # fmt: skip
    assert findings(rule, awsvpc_fargate, "edge-taskdef", ":TaskDefinition")


def test_privileged_external_containers_stay_refused():
    stack = container("edge-taskdef", "app", "privileged", True)(stack_of(plan()))
    assert findings("ecs-td-no-privileged", stack, "edge-taskdef", ":TaskDefinition")


def test_external_services_are_not_asked_to_rebalance_across_azs():
    stack = stack_of(plan())
    assert findings("ecs-svc-az-rebalancing", stack, "edge-service", ":Service") == []


def test_removing_an_attachment_flags_the_role_in_every_environment():
    stack = without("cluster-anywhere-ssm", ":RolePolicyAttachment")(stack_of(plan()))
    for env in ("dev", "staging", "prod"):
        levels = {v.level for v in evaluate(stack, env).violations
                  if v.policy == "ecs-anywhere-role-scope"}  # fmt: skip
        assert levels == {"mandatory"}


# -- a whole stack: the dev fixture's on-prem box and edge agent ---------------------------


def test_a_whole_stack_registers_one_on_prem_box_and_runs_an_external_edge_agent():
    from .support import fixture_plan

    dev = fixture_plan("dev")
    assert only(dev, ACTIVATION).inputs["registrationLimit"] == 1
    agent = dev.named("edge-agent-service", SERVICE).inputs
    assert agent["launchType"] == "EXTERNAL" and "networkConfiguration" not in agent
    assert dev.named("edge-agent-taskdef", TASKDEF).inputs["networkMode"] == "bridge"
    assert dev.secret_outputs == ["anywhere"]
    assert evaluate(stack_of(dev), "dev").mandatory == []


def test_an_external_service_pulls_over_its_own_servers_network_not_the_vpc_s():
    # A VPC without NAT refuses Fargate tasks whose image needs the internet, but an EXTERNAL
    # service's tasks run on the team's servers, which pull over their own network.
    cfg = mutate(CFG, "network.natGateways", "none")
    assert plan_config(cfg).named("edge-service", SERVICE).inputs["launchType"] == "EXTERNAL"
    fargate = mutate(cfg, "services.web", {"image": EDGE["image"], "cpu": 256, "memory": 512})
    assert config_error(fargate).path == "services.web.image"
