"""Every policy rule passes on our own component output and fails when one property changes.

The golden stack is the prod plan; each case names the resource the rule must flag, an edit
that breaks exactly one property, and (for rules prod passes only by documented exception) an
edit that makes the golden resource pass first.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResourceOptions,
    ResourceValidationArgs,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from components.specs.load_balancer import TLS_POLICIES
from offline.policy import ENVIRONMENTS, evaluate, pack_config, settings
from policy.pack import policies
from policy.rules import BY_NAME, RULES
from policy.rules.base import Resource, Stack, run_rule, wrap
from policy.rules.lb import ELB17_POLICIES

from .policy_fixtures import (
    DELETE,
    ECR_LIFECYCLE,
    ECR_REPOSITORY,
    Edit,
    add,
    chain,
    container,
    drop_dependency,
    find,
    golden,
    option,
    prop,
    stack_of,
    without,
)
from .support import config, plan_config

TD, SVC, LB, SG = ":TaskDefinition", ":Service", ":LoadBalancer", ":SecurityGroup"
SUBNET, TG, LISTENER, ROLE, POLICY = ":Subnet", ":TargetGroup", ":Listener", ":Role", ":RolePolicy"
INGRESS = ":SecurityGroupIngressRule"


def no_change(stack: Stack) -> Stack:
    return stack


# rule -> (resource name, type suffix, breaking edit, edit that makes the golden pass)
CASES: dict[str, tuple[str, str, Edit, Edit]] = {
    "ecs-td-no-privileged": (
        "web-taskdef", TD, container("web-taskdef", "app", "privileged", True), no_change),
    "ecs-td-no-added-capabilities": (
        "web-taskdef", TD,
        container("web-taskdef", "app", "linuxParameters.capabilities", {"add": ["SYS_ADMIN"]}),
        no_change),
    "ecs-td-readonly-root": (
        "web-taskdef", TD, container("web-taskdef", "otel", "readonlyRootFilesystem", False),
        no_change),
    "ecs-td-non-root-user": (
        "api-taskdef", TD, container("api-taskdef", "app", "user", "0:0"), no_change),
    "ecs-td-no-host-namespaces": ("api-taskdef", TD, prop("api-taskdef", TD, "pidMode", "host"),
                                  no_change),
    "ecs-td-no-credential-env": (
        "web-taskdef", TD,
        container("web-taskdef", "app", "environment.0",
                  {"name": "AWS_SECRET_ACCESS_KEY", "value": "wJalrXUtnFEMI/K7MDENG"}),
        no_change),
    "ecs-td-no-secret-env": (
        "api-taskdef", TD,
        container("api-taskdef", "app", "environment.0", {"name": "DB_PASSWORD", "value": "x1"}),
        no_change),
    "ecs-td-logging": (
        "web-taskdef", TD,
        container("web-taskdef", "otel", "logConfiguration", {"logDriver": "json-file"}),
        no_change),
    "ecs-td-log-non-blocking": (
        "web-taskdef", TD,
        container("web-taskdef", "app", "logConfiguration.options.mode", "blocking"), no_change),
    "ecs-td-separate-roles": (
        "web-taskdef", TD,
        lambda s: prop("web-taskdef", TD, "taskRoleArn",
                       find(s, "web-taskdef", TD).props["executionRoleArn"])(s),
        no_change),
    "ecs-td-container-health-check": (
        "broker-taskdef", TD, container("broker-taskdef", "app", "healthCheck", DELETE),
        no_change),
    "ecs-td-stop-timeout": (
        "web-taskdef", TD, container("web-taskdef", "app", "stopTimeout", DELETE), no_change),
    "ecs-td-image-pinned": (
        "web-taskdef", TD,
        container("web-taskdef", "app", "image",
                  "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/shop/web:latest"),
        no_change),
    "ecs-td-image-registry": (
        "api-taskdef", TD, container("api-taskdef", "app", "image", "docker.io/shop/api:2.14.0"),
        no_change),
    "ecs-svc-no-public-ip": (
        "web-service", SVC,
        prop("web-service", SVC, "networkConfiguration.assignPublicIp", True), no_change),
    "ecs-svc-security-groups": (
        "web-service", SVC, prop("web-service", SVC, "networkConfiguration.securityGroups", []),
        no_change),
    "ecs-svc-circuit-breaker": (
        "web-service", SVC, prop("web-service", SVC, "deploymentCircuitBreaker.rollback", False),
        no_change),
    "ecs-svc-deployment-percent": (
        "web-service", SVC, prop("web-service", SVC, "deploymentMinimumHealthyPercent", 50),
        no_change),
    "ecs-svc-grace-period": (
        "web-service", SVC, prop("web-service", SVC, "healthCheckGracePeriodSeconds", DELETE),
        no_change),
    "ecs-svc-multi-az": (
        "web-service", SVC,
        prop("network-private-b", SUBNET, "availabilityZone", "ap-northeast-2a"), no_change),
    "ecs-svc-min-tasks": ("broker-service", SVC, prop("broker-service", SVC, "desiredCount", 1),
                          no_change),
    "ecs-svc-az-rebalancing": (
        "web-service", SVC, prop("web-service", SVC, "availabilityZoneRebalancing", "DISABLED"),
        no_change),
    "ecs-svc-platform-version": (
        "web-service", SVC, prop("web-service", SVC, "platformVersion", "1.3.0"), no_change),
    "ecs-svc-spot-base": (
        "cluster-capacity", ":ClusterCapacityProviders",
        prop("cluster-capacity", ":ClusterCapacityProviders",
             "defaultCapacityProviderStrategies.0.base", 0),
        no_change),
    "ecs-svc-exec-disabled": (
        "web-service", SVC, prop("web-service", SVC, "enableExecuteCommand", True), no_change),
    "ecs-cluster-exec-logging": (
        "cluster-ecs", ":Cluster",
        prop("cluster-ecs", ":Cluster", "configuration.executeCommandConfiguration.logging",
             "NONE"),
        no_change),
    "ecs-cluster-container-insights": (
        "cluster-ecs", ":Cluster", prop("cluster-ecs", ":Cluster", "settings.0.value", "disabled"),
        no_change),
    "ecs-capacity-provider-managed": (
        "cluster-ec2", ":CapacityProvider",
        prop("cluster-ec2", ":CapacityProvider",
             "autoScalingGroupProvider.managedTerminationProtection", "DISABLED"),
        no_change),
    "ec2-launch-template-hardened": (
        "cluster-ec2", ":LaunchTemplate",
        prop("cluster-ec2", ":LaunchTemplate", "metadataOptions.httpTokens", "optional"),
        no_change),
    "lb-deletion-protection": (
        "public-lb", LB, prop("public-lb", LB, "enableDeletionProtection", False), no_change),
    "lb-access-logs": ("public-lb", LB, prop("public-lb", LB, "accessLogs", DELETE), no_change),
    "lb-alb-header-hygiene": (
        "public-lb", LB, prop("public-lb", LB, "desyncMitigationMode", "monitor"), no_change),
    "lb-multi-az": (
        "public-lb", LB, prop("network-public-c", SUBNET, "availabilityZone", "ap-northeast-2a"),
        no_change),
    "lb-listener-encrypted": (
        "public-http", LISTENER,
        prop("public-http", LISTENER, "defaultActions.0",
             {"type": "fixed-response", "fixedResponse": {"statusCode": "404"}}),
        no_change),
    "lb-tls-policy": (
        "public-https", LISTENER,
        prop("public-https", LISTENER, "sslPolicy", "ELBSecurityPolicy-TLS13-1-2-2021-06"),
        no_change),
    "lb-waf": ("public-lb", LB, without("public-waf", ":WebAclAssociation"), no_change),
    "lb-security-groups": ("mqtt-lb", LB, prop("mqtt-lb", LB, "securityGroups", []), no_change),
    "lb-target-group-health": (
        "web-tg", TG, prop("web-tg", TG, "targetType", "instance"), no_change),
    "lb-target-group-encrypted": (
        "web-tg", TG, prop("web-tg", TG, "protocol", "HTTP"),
        chain(prop("web-tg", TG, "protocol", "HTTPS"),
              prop("web-tg", TG, "healthCheck.protocol", "HTTPS"))),
    "net-no-world-admin-ports": (
        "public-lb-https", INGRESS,
        chain(prop("public-lb-https", INGRESS, "fromPort", 22),
              prop("public-lb-https", INGRESS, "toPort", 22)),
        no_change),
    "net-world-ingress-lb-only": (
        "public-lb-https", INGRESS,
        chain(prop("public-lb-https", INGRESS, "fromPort", 8443),
              prop("public-lb-https", INGRESS, "toPort", 8443)),
        no_change),
    "net-task-ingress-from-sg": (
        "web-from-lb", INGRESS,
        chain(prop("web-from-lb", INGRESS, "referencedSecurityGroupId", DELETE),
              prop("web-from-lb", INGRESS, "cidrIpv4", "10.0.0.0/8"),
              drop_dependency("web-from-lb", INGRESS, "public-lb", SG)),
        no_change),
    "net-no-mixed-sg-rules": (
        "web-tasks", SG,
        prop("web-tasks", SG, "ingress",
             [{"protocol": "tcp", "fromPort": 80, "toPort": 80, "cidrBlocks": ["10.0.0.0/8"]}]),
        no_change),
    "net-descriptions": ("web-tasks", SG, prop("web-tasks", SG, "description", DELETE), no_change),
    "net-default-sg-closed": (
        "network-default", ":DefaultSecurityGroup",
        prop("network-default", ":DefaultSecurityGroup", "ingress",
             [{"protocol": "-1", "fromPort": 0, "toPort": 0, "self": True}]),
        no_change),
    "net-subnet-no-public-ip": (
        "network-public-a", SUBNET,
        prop("network-public-a", SUBNET, "mapPublicIpOnLaunch", True), no_change),
    "iam-no-wildcard-actions": (
        "api-task", POLICY,
        prop("api-task", POLICY, "policy",
             json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:*",
                                        "Resource": "arn:aws:s3:::shop-prod-uploads/*"}]})),
        no_change),
    "iam-no-admin-policies": (
        "cluster-instance-ssm", ":RolePolicyAttachment",
        prop("cluster-instance-ssm", ":RolePolicyAttachment", "policyArn",
             "arn:aws:iam::aws:policy/AdministratorAccess"),
        no_change),
    "iam-no-privesc": (
        "api-task", ROLE,
        prop("api-task", POLICY, "policy",
             json.dumps({"Statement": [{"Effect": "Allow",
                                        "Action": ["iam:PassRole", "ecs:RunTask"],
                                        "Resource": "*"}]})),
        no_change),
    "iam-task-role-trust": (
        "web-task", ROLE, prop("web-task", ROLE, "assumeRolePolicy", json.dumps({"Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
             "Action": "sts:AssumeRole"}]})),
        no_change),
    "iam-execution-role-scope": (
        "api-execution", POLICY,
        lambda s: prop("api-execution", POLICY, "policy", _grant_extra_secret(s))(s),
        no_change),
    "iam-no-policy-conflicts": (
        "api-task", ROLE,
        prop("api-task", ROLE, "managedPolicyArns", ["arn:aws:iam::aws:policy/ReadOnlyAccess"]),
        no_change),
    "log-group-retention": (
        "web-logs", ":LogGroup", prop("web-logs", ":LogGroup", "retentionInDays", 30), no_change),
    "ecr-repository-hardened": (
        "shop-web", ":Repository", prop("shop-web", ":Repository", "imageTagMutability", "MUTABLE"),
        chain(add(ECR_REPOSITORY), add(ECR_LIFECYCLE))),
    "ecr-lifecycle-policy": (
        "shop-web", ":Repository", without("shop-web", ":LifecyclePolicy"),
        chain(add(ECR_REPOSITORY), add(ECR_LIFECYCLE))),
    "pul-protect-stateful": (
        "web-logs", ":LogGroup", option("web-logs", ":LogGroup", "protect", False), no_change),
    "pul-target-group-name-prefix": (
        "web-tg", TG, prop("web-tg", TG, "name", "prod-web"), no_change),
    "pul-no-fixed-names": (
        "web-service", SVC, prop("web-service", SVC, "name", "web"), no_change),
}  # fmt: skip


def _grant_extra_secret(stack: Stack) -> str:
    doc = json.loads(find(stack, "api-execution", POLICY).props["policy"])
    for statement in doc["Statement"]:
        if statement.get("Sid") == "ReadReferencedSecrets":
            statement["Resource"] = [
                *statement["Resource"],
                "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:prod/other/admin-a1B2c3",
            ]
    return json.dumps(doc)


PROD = pack_config("prod")


def prod_settings(rule_name: str) -> dict[str, Any]:
    _level, cfg = settings(BY_NAME[rule_name], PROD)
    return cfg


def findings_on(rule_name: str, stack: Stack, name: str, kind: str) -> list[str]:
    target = find(stack, name, kind)
    return [f.message for f in run_rule(BY_NAME[rule_name], stack, prod_settings(rule_name))
            if f.urn == target.urn]  # fmt: skip


def test_every_rule_has_a_passing_and_a_failing_case():
    # Prod has no EFS volume and no ECS Anywhere activation: tests below and test_anywhere.py.
    elsewhere = {"ecs-td-efs-transit-encryption", "ecs-anywhere-role-scope",
                 "ecs-anywhere-activation-bounded"}  # fmt: skip
    assert set(CASES) | elsewhere == set(BY_NAME)


@pytest.mark.parametrize("rule_name", sorted(CASES))
def test_rule_passes_on_our_component_output(rule_name):
    name, kind, _break, pass_edit = CASES[rule_name]
    stack = pass_edit(golden())
    assert findings_on(rule_name, stack, name, kind) == []


@pytest.mark.parametrize("rule_name", sorted(CASES))
def test_rule_fails_when_one_property_changes(rule_name):
    name, kind, break_edit, pass_edit = CASES[rule_name]
    stack = break_edit(pass_edit(golden()))
    assert findings_on(rule_name, stack, name, kind), f"{rule_name} did not flag {name}"


EFS = {
    "image": "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/shop/files:1.0.0",
    "cpu": 256,
    "memory": 512,
    "efsVolumes": [{"name": "media", "fileSystemId": "fs-0123456789abcdef0",
                    "containerPath": "/media"}],
}  # fmt: skip


def test_efs_volumes_pass_as_built_and_fail_without_transit_encryption():
    stack = stack_of(plan_config(config(services={"files": EFS})))
    assert findings_on("ecs-td-efs-transit-encryption", stack, "files-taskdef", TD) == []
    broken = prop("files-taskdef", TD, "volumes.0.efsVolumeConfiguration.transitEncryption",
                  "DISABLED")(stack)  # fmt: skip
    (message,) = findings_on("ecs-td-efs-transit-encryption", broken, "files-taskdef", TD)
    assert "media" in message and "ECS.18" in message


# -- whole stacks under each environment's config -------------------------------------------


def test_prod_passes_every_rule_with_its_documented_exceptions():
    report = evaluate(golden(), "prod")
    assert report.violations == []
    assert report.rules == len(RULES)
    assert {e.policy for e in report.exempted} == {
        "lb-target-group-encrypted",
        "pul-no-fixed-names",
    }
    assert all(e.reason for e in report.exempted)


def test_public_ips_on_tasks_are_mandatory_everywhere_and_waived_only_by_a_nat_less_stack():
    stack = prop("web-service", SVC, "networkConfiguration.assignPublicIp", True)(golden())
    for env in ("staging", "prod"):
        (v,) = [v for v in evaluate(stack, env).violations if v.policy == "ecs-svc-no-public-ip"]
        assert v.level == "mandatory" and v.urn == find(stack, "web-service", SVC).urn
        assert "public IPs" in v.message
    # dev documents once that it runs without NAT; the prod plan has NAT gateways, so the
    # waiver does not apply to it
    (v,) = [v for v in evaluate(stack, "dev").violations if v.policy == "ecs-svc-no-public-ip"]
    assert v.level == "mandatory"
    nat_less = Stack([r for r in stack.resources if not r.type.endswith(":NatGateway")])
    dev = evaluate(nat_less, "dev")
    assert not [v for v in dev.violations if v.policy == "ecs-svc-no-public-ip"]
    (exempt,) = [e for e in dev.exempted if e.policy == "ecs-svc-no-public-ip"]
    assert exempt.urn == find(stack, "web-service", SVC).urn and "without NAT" in exempt.reason
    # the same NAT-less stack is refused under staging's and prod's rules
    for env in ("staging", "prod"):
        assert [v for v in evaluate(nat_less, env).violations
                if v.policy == "ecs-svc-no-public-ip"]  # fmt: skip


def test_plain_http_listener_is_advisory_in_dev_and_refused_in_staging_and_prod():
    stack = CASES["lb-listener-encrypted"][2](golden())
    levels = {
        env: [v.level for v in evaluate(stack, env).violations
              if v.policy == "lb-listener-encrypted"]
        for env in ENVIRONMENTS
    }  # fmt: skip
    assert levels == {"dev": ["advisory"], "staging": ["mandatory"], "prod": ["mandatory"]}


def test_dev_relaxes_min_healthy_percent_to_50_but_prod_does_not():
    stack = prop("web-service", SVC, "deploymentMinimumHealthyPercent", 50)(golden())
    dev = [v for v in evaluate(stack, "dev").violations if v.policy.startswith("ecs-svc-dep")]
    prod = [v for v in evaluate(stack, "prod").violations if v.policy.startswith("ecs-svc-dep")]
    assert dev == [] and [v.level for v in prod] == ["mandatory"]


def test_read_only_root_is_advisory_in_dev_and_mandatory_in_staging_and_prod():
    stack = CASES["ecs-td-readonly-root"][2](golden())
    rule = "ecs-td-readonly-root"
    levels = {
        env: {v.level for v in evaluate(stack, env).violations if v.policy == rule}
        for env in ENVIRONMENTS
    }
    assert levels == {"dev": {"advisory"}, "staging": {"mandatory"}, "prod": {"mandatory"}}


def test_spot_without_on_demand_base_is_mandatory_in_prod_only_when_below_three():
    two = prop("cluster-capacity", ":ClusterCapacityProviders",
               "defaultCapacityProviderStrategies.0.base", 2)(golden())  # fmt: skip
    assert [v.level for v in evaluate(two, "prod").violations] == ["mandatory"]
    assert [v for v in evaluate(two, "staging").violations if v.policy == "ecs-svc-spot-base"] == []


def test_exemptions_match_resource_names_and_carry_their_reason():
    stack = golden()
    (e,) = [e for e in evaluate(stack, "prod").exempted if e.policy == "pul-no-fixed-names"
            and e.urn == find(stack, "mqtt-lb", LB).urn]  # fmt: skip
    assert "delete-before-replace" in e.reason
    # both load balancers now ship access logs: the NLB's bucket grants vended-log delivery
    assert not [e for e in evaluate(stack, "prod").exempted if e.policy == "lb-access-logs"]


# -- unknown values (preview) ---------------------------------------------------------------


def test_unknown_container_definitions_raise_unknown_value_error_like_the_pack():
    stack = golden()
    r = find(stack, "web-taskdef", TD)
    unknown = Resource(r.type, r.name, r.urn, wrap({**r.props,
                       "containerDefinitions": UNKNOWN_STRING_VALUE}))  # fmt: skip
    with pytest.raises(UnknownValueError):
        run_rule(BY_NAME["ecs-td-no-privileged"], Stack([unknown]), {})


def test_unknown_values_become_advisory_not_checkable_findings_offline():
    stack = golden()
    r = find(stack, "web-taskdef", TD)
    view = Stack([
        Resource(r.type, r.name, r.urn, wrap({**r.props,
                 "containerDefinitions": UNKNOWN_STRING_VALUE}))
    ])  # fmt: skip
    report = evaluate(view, "prod")
    assert report.mandatory == []
    flagged = {v.policy for v in report.violations}
    assert "ecs-td-no-privileged" in flagged
    assert all("can't be checked during preview" in v.message for v in report.violations)


def test_known_values_inside_a_proxy_are_checked_normally():
    stack = CASES["ecs-td-no-privileged"][2](golden())
    r = find(stack, "web-taskdef", TD)
    proxied = Stack([Resource(r.type, r.name, r.urn, wrap(dict(r.props)))])
    assert run_rule(BY_NAME["ecs-td-no-privileged"], proxied, {})


# -- the CrossGuard pack runs the same functions ------------------------------------------


def _args(r: Resource, cfg: dict[str, Any] | None = None) -> ResourceValidationArgs:
    opts = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])
    return ResourceValidationArgs(r.type, wrap(dict(r.props)), r.urn, r.name, opts, None, cfg)


def test_the_pack_has_one_policy_per_rule_with_anchors_in_its_description():
    built = {p.name: p for p in policies()}
    assert set(built) == set(BY_NAME)
    for rule in RULES:
        assert rule.ref in built[rule.name].description
        assert all(a in built[rule.name].description for a in rule.anchors)


def test_a_pack_policy_reports_the_same_violation_as_the_offline_run():
    stack = CASES["ecs-svc-platform-version"][2](golden())
    r = find(stack, "web-service", SVC)
    (policy,) = [p for p in policies() if p.name == "ecs-svc-platform-version"]
    seen: list[tuple[str, str | None]] = []
    policy.validate(_args(r), lambda m, u=None: seen.append((m, u)))  # type: ignore[attr-defined]
    assert seen and seen[0][1] == r.urn and "ECS.10" in seen[0][0]


def test_a_pack_policy_propagates_unknown_values_to_the_analyzer():
    r = find(golden(), "web-taskdef", TD)
    unknown = Resource(r.type, r.name, r.urn, {**r.props, "containerDefinitions":
                       UNKNOWN_STRING_VALUE})  # fmt: skip
    (policy,) = [p for p in policies() if p.name == "ecs-td-no-privileged"]
    with pytest.raises(UnknownValueError):
        policy.validate(_args(unknown), lambda m, u=None: None)  # type: ignore[attr-defined]


def test_pack_policy_honours_exemptions_from_its_config():
    stack = prop("web-tg", TG, "protocol", "HTTP")(golden())
    r = find(stack, "web-tg", TG)
    (policy,) = [p for p in policies() if p.name == "lb-target-group-encrypted"]
    seen: list[str] = []
    policy.validate(_args(r, {"exemptions": {"web-*": "why"}}), lambda m, u=None: seen.append(m))  # type: ignore[attr-defined]
    assert seen == []


# -- configs and allow-lists -----------------------------------------------------------------


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_environment_config_sets_every_rule_at_its_documented_level(env):
    doc = pack_config(env)
    assert set(doc) - {"all"} == set(BY_NAME)
    for rule in RULES:
        level, _cfg = settings(rule, doc)
        assert level == rule.level(env), rule.name


def test_tls_rules_public_ip_and_admin_port_rules_are_mandatory_everywhere():
    for name in ("lb-tls-policy", "ecs-svc-no-public-ip",
                 "net-no-world-admin-ports", "net-world-ingress-lb-only"):  # fmt: skip
        assert BY_NAME[name].levels == ("mandatory",) * 3


def test_elb17_allow_list_is_the_control_parameter_and_matches_the_component_choices():
    assert len(ELB17_POLICIES) == 8
    assert set(ELB17_POLICIES) == set(TLS_POLICIES)
    assert "ELBSecurityPolicy-TLS13-1-2-2021-06" not in ELB17_POLICIES


def test_rule_names_and_descriptions_are_unique_and_cite_anchors():
    assert len({r.name for r in RULES}) == len(RULES) >= 30
    for r in RULES:
        assert r.anchors and r.ref in r.description


def test_docs_list_every_rule_and_every_documented_exception():
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs/policy.md").read_text()
    assert all(f"| `{r.name}` | {r.ref} |" in text for r in RULES)
    for env in ENVIRONMENTS:
        for name, entry in pack_config(env).items():
            if isinstance(entry, dict):
                assert all(f"`{p}`" in text for p in entry.get("exemptions", {})), name


def test_a_policy_that_only_passes_a_role_is_not_counted_as_that_role_s_policy():
    # The scheduler's inline policy takes the execution role's ARN (iam:PassRole); it is the
    # scheduler role's policy, so the execution role is not said to carry ecs:RunTask.
    from offline.policy import stack_view
    from tests.support import fixture_plan

    dev = stack_view(fixture_plan("dev"))
    report = evaluate(dev, "prod")
    scoped = [v for v in report.violations if v.policy == "iam-execution-role-scope"]
    assert scoped == []
    execution = find(dev, "nightly-report-execution", "Role")
    scheduler_policy = find(dev, "nightly-report-scheduler", "RolePolicy")
    assert scheduler_policy in dev.dependents(execution)
    inline = "aws:iam/rolePolicy:RolePolicy"
    assert scheduler_policy not in dev.attached_to(execution, inline)
    assert [p.name for p in dev.attached_to(execution, inline)] == ["nightly-report-execution"]


def test_rule_settings_have_one_default_the_rule_s_own_config():
    import policy.rules.base as base

    assert not hasattr(base, "config_value")  # no second default at the point of use
    stack = prop("broker-service", SVC, "desiredCount", 1)(golden())
    rule = BY_NAME["ecs-svc-min-tasks"]
    (f,) = [f for f in run_rule(rule, stack, {}) if f.urn == find(stack, "broker-service", SVC).urn]
    assert f"at least {rule.config['minTasks']} tasks" in f.message


def _with_secret_grants(*resources: str, stack: Stack | None = None) -> Stack:
    stack = stack or golden()
    doc = json.loads(find(stack, "api-execution", POLICY).props["policy"])
    for statement in doc["Statement"]:
        if statement.get("Sid") == "ReadReferencedSecrets":
            statement["Resource"] = list(resources)
    return prop("api-execution", POLICY, "policy", json.dumps(doc))(stack)


def test_execution_role_secret_grants_are_matched_as_iam_resource_patterns():
    # IAM matches * and ? in a Resource; a secret's ARN ends in a dash and six random
    # characters, so "<name>-??????" is how a policy names one secret before it exists.
    secret = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:prod/shop"
    rule = BY_NAME["iam-execution-role-scope"]
    for covering in (f"{secret}/db-??????", f"{secret}/d?-Z9y8X7", f"{secret}/db-*"):
        assert run_rule(rule, _with_secret_grants(covering), {}) == [], covering
    (finding,) = run_rule(rule, _with_secret_grants(f"{secret}/cache-??????"), {})
    assert f"may read {secret}/cache-??????" in finding.message


def test_a_secret_referenced_without_its_random_suffix_is_covered_by_a_suffix_pattern():
    secret = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:prod/shop/db"
    partial = container("api-taskdef", "app", "secrets.0.valueFrom", f"{secret}:password::")
    stack = _with_secret_grants(f"{secret}-??????", stack=partial(golden()))
    assert run_rule(BY_NAME["iam-execution-role-scope"], stack, {}) == []
