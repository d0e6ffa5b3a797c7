"""The prod gate under attack: equivalent spellings of forbidden things are refused.

Three layers, fastest last:
- the real path (stack file -> offline plan -> policy): one drawn attack carries every kind at
  once, so each plan answers for all of them (exit 3, each kind's rule naming its resource);
  the allowed neighbours plan with exit 0; config-level kinds exit 2 naming the key.
- the rules on our own prod plan, edited as the components would render each spelling;
- the shared concepts (root, secrets, address space, images) on their own.
ADVERSARIAL_PLANS sets how many drawn attack plans run (default 2; CI keeps it small).
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.concepts import images, networks, secrets, users
from offline.__main__ import main
from offline.policy import evaluate
from policy.rules import BY_NAME
from policy.rules.base import run_rule

from . import adversarial as adv
from .policy_fixtures import find, golden, prop
from .support import config, config_error

PLANS = int(os.environ.get("ADVERSARIAL_PLANS", "2"))
REAL = settings(max_examples=PLANS, deadline=None, suppress_health_check=list(HealthCheck),
                derandomize=True)  # fmt: skip
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_plans: dict[str, tuple[int, dict[str, Any] | str]] = {}


def run_plan(doc: dict[str, Any], stack: str = "prod") -> tuple[int, dict[str, Any] | str]:
    """(exit code, plan JSON or stderr) of `python -m offline plan --json`, in-process."""
    key = stack + adv.as_json(doc)
    if key not in _plans:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"Pulumi.{stack}.yaml"
            path.write_text(yaml.safe_dump(doc))
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(["plan", "--stack", stack, "--config-file", str(path), "--json"])
        _plans[key] = (code, json.loads(out.getvalue()) if code in (0, 3) else err.getvalue())
    return _plans[key]


def _named(urn: str | None, resource: str) -> bool:
    name = (urn or "").rsplit("::", 1)[-1]
    return name == resource or name.startswith(resource + "-")


# -- the real path ---------------------------------------------------------------------------


@REAL
@given(adv.attack())
def test_every_kind_is_refused_in_prod_with_exit_3_naming_the_rule_and_the_resource(drawn):
    doc, expect = drawn
    code, result = run_plan(doc)
    assert code == 3, result
    assert isinstance(result, dict)
    mandatory = [v for v in result["policy"]["violations"] if v["level"] == "mandatory"]
    for e in expect:
        hits = [v for v in mandatory if v["policy"] == e.policy and _named(v["urn"], e.resource)]
        assert hits, f"{e.kind}: no mandatory {e.policy} on {e.resource}"


def test_the_allowed_neighbours_of_every_kind_plan_clean_in_prod():
    code, result = run_plan(adv.neighbours())
    assert code == 0, result
    assert isinstance(result, dict)
    assert [v for v in result["policy"]["violations"] if v["level"] == "mandatory"] == []


def test_an_image_from_another_accounts_ecr_gets_no_pull_rights():
    doc = copy.deepcopy(adv.PROD)
    other = "210987654321.dkr.ecr.us-east-1.amazonaws.com/shop/web:1.8.3"
    doc["config"]["ecs-platform:services"]["web"]["image"] = other
    code, result = run_plan(doc)
    assert code == 3 and isinstance(result, dict)
    (policy,) = [r for r in result["resources"] if r["name"] == "web-execution"
                 and r["type"] == "aws:iam/rolePolicy:RolePolicy"]  # fmt: skip
    assert "210987654321" not in policy["inputs"]["policy"]
    (v,) = [v for v in result["policy"]["violations"] if v["policy"] == "ecs-td-image-registry"]
    assert "another account's ECR" in v["message"] and v["level"] == "mandatory"
    # trusted once in the stack config: the pull is granted and the policy accepts it
    doc["config"]["ecs-platform:images"] = {
        "trustedRegistries": ["210987654321.dkr.ecr.us-east-1.amazonaws.com"]
    }
    code, result = run_plan(doc)
    assert code == 0, result
    assert isinstance(result, dict)
    (policy,) = [r for r in result["resources"] if r["name"] == "web-execution"
                 and r["type"] == "aws:iam/rolePolicy:RolePolicy"]  # fmt: skip
    assert "arn:aws:ecr:us-east-1:210987654321:repository/shop/web" in policy["inputs"]["policy"]


def test_ecs_exec_in_staging_is_not_refused_by_our_own_rules():
    doc = yaml.safe_load((adv.ROOT / "Pulumi.staging.yaml").read_text())
    doc["config"]["ecs-platform:services"]["web"]["executeCommand"] = True
    code, result = run_plan(doc, "staging")
    assert code == 0, result
    assert isinstance(result, dict)
    violations = result["policy"]["violations"]
    assert [v for v in violations if v["policy"] == "iam-execution-role-scope"] == []


def test_a_new_workload_in_the_nat_less_dev_stack_passes_without_editing_the_policy():
    doc = yaml.safe_load((adv.ROOT / "Pulumi.dev.yaml").read_text())
    cfg = doc["config"]
    image = "public.ecr.aws/docker/library/busybox:1.37"
    loop = ["sh", "-c", "while true; do sleep 60; done"]
    workload = {"image": image, "command": loop, "assignPublicIp": True}
    cfg["ecs-platform:services"]["search"] = dict(workload)
    cfg["ecs-platform:workers"]["mailer"] = dict(workload)
    cfg["ecs-platform:scheduledTasks"]["purge"] = {
        "image": image,
        "command": ["true"],
        "schedule": "rate(1 day)",
        "assignPublicIp": True,
    }
    code, result = run_plan(doc, "dev")
    assert code == 0, result
    assert isinstance(result, dict)
    waived = {e["urn"].rsplit("::", 1)[-1] for e in result["policy"]["exempted"]
              if e["policy"] == "ecs-svc-no-public-ip"}  # fmt: skip
    assert {"search-service", "mailer-service", "purge-schedule"} <= waived


# -- config-level kinds: exit 2 naming the key ---------------------------------------------

BASE_SERVICE = {"image": f"{adv.ECR}/shop/web:1.0.0", "cpu": 256, "memory": 512}


@FAST
@given(st.sampled_from(adv.SECRET_NAMES), st.text("abcXYZ0123456789!", min_size=1, max_size=10))
def test_a_secret_named_variable_is_a_config_error_in_the_app_or_a_sidecar(name, value):
    where = "environment"
    for svc, key in (({**BASE_SERVICE, where: {name: value}}, f"services.web.{where}.{name}"),
                     ({**BASE_SERVICE, "sidecars": {"proxy": {"image": "envoy:1.31",
                                                              where: {name: value}}}},
                      f"services.web.sidecars.proxy.{where}.{name}")):  # fmt: skip
        err = config_error(config(services={"web": svc}))
        assert err.path == key and "secret" in err.message


@FAST
@given(adv.secret_value())
def test_a_secret_value_under_an_innocent_name_is_a_config_error(value):
    err = config_error(config(services={"web": {**BASE_SERVICE, "environment": {"X": value}}}))
    assert err.path == "services.web.environment.X"


@FAST
@given(adv.secret_in_command())
def test_a_secret_in_a_command_line_is_a_config_error(command):
    err = config_error(config(services={"web": {**BASE_SERVICE, "command": command}}))
    assert err.path == "services.web.command" and "secret" in err.message


@FAST
@given(st.sampled_from(adv.SECRET_NAMES), adv.secret_value())
def test_a_secret_in_build_args_is_a_config_error(name, value):
    build = {"context": "./app", "args": {name: "hunter2", "GIT_SHA": "3f78685", "X": value}}
    svc = {k: v for k, v in BASE_SERVICE.items() if k != "image"} | {"build": build}
    err = config_error(config(services={"web": svc}))
    assert err.path.startswith("services.web.build.args.")


@FAST
@given(st.sampled_from(["*", "?*", "**", "orders-*", "*-dlq"]))
def test_a_worker_queue_or_hook_function_wildcard_is_a_config_error(tail):
    queue = f"arn:aws:sqs:{adv.REGION}:{adv.ACCOUNT}:{tail}"
    err = config_error(
        config(workers={"mailer": {**BASE_SERVICE, "queue": {"existingQueueArn": queue}}})
    )
    assert err.path == "workers.mailer.queue.existingQueueArn" and "wildcard" in err.message
    hook = f"arn:aws:lambda:{adv.REGION}:{adv.ACCOUNT}:function:{tail}"
    svc = {**BASE_SERVICE, "containerPort": 80, "loadBalancer": {"name": "public"},
           "deployment": {"strategy": "BLUE_GREEN", "lifecycleHooks": [
               {"lambdaArn": hook, "stages": ["POST_TEST_TRAFFIC_SHIFT"]}]}}  # fmt: skip
    lbs = {"public": {"type": "application"}}
    err = config_error(config(services={"web": svc}, loadBalancers=lbs))
    assert err.path.endswith("lambdaArn") and "wildcard" in err.message


def test_an_integer_uid_is_accepted_and_sent_as_its_digits():
    from .support import only, plan_config

    plan_ = plan_config(config(services={"web": {**BASE_SERVICE, "user": 1000}}))
    (app,) = json.loads(only(plan_, "aws:ecs/taskDefinition:TaskDefinition").inputs[
        "containerDefinitions"])  # fmt: skip
    assert app["user"] == "1000"


# -- the rules on our own prod plan ----------------------------------------------------------

TD, POLICY = ":TaskDefinition", ":RolePolicy"


def _flags(rule: str, stack, name: str, kind: str) -> bool:
    urn = find(stack, name, kind).urn
    return any(f.urn == urn for f in run_rule(BY_NAME[rule], stack, {}))


def _grant(actions: list[str], resources: list[str]):
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": actions, "Resource": resources}]}  # fmt: skip
    return prop("api-task", POLICY, "policy", json.dumps(doc))(golden())


@FAST
@given(st.sampled_from(["iam", "s3", "secretsmanager", "kms", "ecs", "sqs"]).flatmap(
    lambda s: st.tuples(adv.whole_service_action(s), st.just("*"))))  # fmt: skip
def test_an_action_pattern_covering_a_whole_service_is_refused(drawn):
    action, resource = drawn
    assert _flags("iam-no-wildcard-actions", _grant([action], [resource]), "api-task", POLICY)


@FAST
@given(st.sampled_from([("secretsmanager:GetSecretValue", "secretsmanager", "secret"),
                        ("sqs:ReceiveMessage", "sqs", "queue"),
                        ("lambda:InvokeFunction", "lambda", "function"),
                        ("iam:PassRole", "iam", "role"),
                        ("s3:GetObject", "s3", "bucket")]).flatmap(
    lambda a: st.tuples(st.just(a[0]), adv.broad_arn(a[1], a[2]))))  # fmt: skip
def test_a_resource_wildcard_in_any_spelling_is_refused(drawn):
    action, resource = drawn
    assert _flags("iam-no-wildcard-actions", _grant([action], [resource]), "api-task", POLICY)


@FAST
@given(st.sampled_from(["shop-orders", "shop-orders-dlq", "prod/shop/db-Z9y8X7"]))
def test_a_grant_on_named_resources_passes(name):
    resources = [
        f"arn:aws:sqs:{adv.REGION}:{adv.ACCOUNT}:{name}",
        f"arn:aws:secretsmanager:{adv.REGION}:{adv.ACCOUNT}:secret:{name}-??????",
    ]
    stack = _grant(["sqs:ReceiveMessage", "secretsmanager:GetSecretValue"], resources)
    assert not _flags("iam-no-wildcard-actions", stack, "api-task", POLICY)


@FAST
@given(adv.partial("iam:PassRole"), adv.partial("ecs:RunTask"), adv.broad_arn("iam", "role"))
def test_privilege_escalation_through_partial_wildcards_is_refused(passes, runs, roles):
    stack = _grant([passes, runs], [roles])
    assert _flags("iam-no-privesc", stack, "api-task", ":Role")


def test_passing_exactly_named_roles_is_not_an_escalation():
    role = f"arn:aws:iam::{adv.ACCOUNT}:role/api-task-1a2b3c4"
    assert not _flags("iam-no-privesc", _grant(["iam:PassRole", "ecs:RunTask"], [role]),
                      "api-task", ":Role")  # fmt: skip


@FAST
@given(st.sampled_from(adv.BROAD_MANAGED))
def test_every_aws_managed_policy_granting_whole_services_is_refused(arn):
    stack = prop("api-task", ":Role", "managedPolicyArns", [arn])(golden())
    assert [f for f in run_rule(BY_NAME["iam-no-admin-policies"], stack, {})
            if f.urn == find(stack, "api-task", ":Role").urn]  # fmt: skip


def test_the_issue_s_managed_policies_are_among_those_refused():
    names = {a.rsplit("/", 1)[-1] for a in adv.BROAD_MANAGED}
    assert {"AdministratorAccess-Amplify", "AmazonS3FullAccess", "AdministratorAccess",
            "IAMFullAccess", "PowerUserAccess"} <= names  # fmt: skip


def _ingress(cidrs: list[str], port: int):
    stack = golden()
    rule = find(stack, "public-lb-https", ":SecurityGroupIngressRule")
    from dataclasses import replace

    from policy.rules.base import Stack

    rules = [replace(rule, urn=f"{rule.urn}-{i}", name=f"{rule.name}-{i}",
                     props={**rule.props, "fromPort": port, "toPort": port,
                            "cidrIpv4": c if ":" not in c else None,
                            "cidrIpv6": c if ":" in c else None})
             for i, c in enumerate(cidrs)]  # fmt: skip
    return Stack([r for r in stack.resources if r is not rule] + rules)


@FAST
@given(st.one_of(adv.internet_pieces(4), adv.internet_pieces(6)),
       st.sampled_from([22, 3389, 3306, 5432, 445]))  # fmt: skip
def test_the_internet_in_pieces_to_an_admin_port_is_refused(cidrs, port):
    report = evaluate(_ingress(cidrs, port), "prod")
    assert [v for v in report.mandatory if v.policy == "net-no-world-admin-ports"]


NOT_INTERNET = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "198.51.100.0/24",
                "203.0.113.0/24", "100.64.0.0/10", "2001:db8::/32", "fd00::/8"]  # fmt: skip


@FAST
@given(st.lists(st.sampled_from(NOT_INTERNET), min_size=1, max_size=6))
def test_private_and_office_ranges_to_an_admin_port_are_not_the_internet(cidrs):
    report = evaluate(_ingress(cidrs, 22), "prod")
    assert not [v for v in report.violations if v.policy == "net-no-world-admin-ports"]


@FAST
@given(adv.root_user(), st.sampled_from(["app", "otel"]))
def test_root_in_any_spelling_in_any_container_is_refused(user, container):
    from .policy_fixtures import container as edit

    stack = edit("web-taskdef", container, "user", str(user))(golden())
    assert _flags("ecs-td-non-root-user", stack, "web-taskdef", TD)


@FAST
@given(st.integers(1, 2**32 - 2), st.integers(0, 3))
def test_any_other_uid_zero_padded_or_not_passes(uid, pad):
    from .policy_fixtures import container as edit

    stack = edit("web-taskdef", "app", "user", "0" * pad + str(uid))(golden())
    assert not _flags("ecs-td-non-root-user", stack, "web-taskdef", TD)


@FAST
@given(st.one_of(st.tuples(st.sampled_from(adv.SECRET_NAMES), st.just("hunter2")),
                 st.tuples(st.just("SETTING"), adv.secret_value())),
       st.sampled_from(["app", "otel"]))  # fmt: skip
def test_a_secret_in_any_container_environment_is_refused_by_the_rule_too(pair, container):
    from .policy_fixtures import container as edit

    name, value = pair
    env = [{"name": name, "value": value}]
    stack = edit("web-taskdef", container, "environment", env)(golden())
    assert _flags("ecs-td-no-secret-env", stack, "web-taskdef", TD)


@FAST
@given(adv.secret_in_command(), st.sampled_from(["command", "entryPoint"]))
def test_a_secret_in_a_command_line_is_refused_by_the_rule_too(command, key):
    from .policy_fixtures import container as edit

    stack = edit("web-taskdef", "otel", key, command)(golden())
    assert _flags("ecs-td-no-secret-env", stack, "web-taskdef", TD)


@FAST
@given(adv.untrusted_image())
def test_an_untrusted_image_is_refused(image):
    from .policy_fixtures import container as edit

    stack = edit("web-taskdef", "app", "image", image)(golden())
    assert _flags("ecs-td-image-registry", stack, "web-taskdef", TD)


@FAST
@given(adv.moving_tag())
def test_a_moving_image_reference_is_refused(image):
    from .policy_fixtures import container as edit

    stack = edit("api-taskdef", "app", "image", image)(golden())
    assert _flags("ecs-td-image-pinned", stack, "api-taskdef", TD)


# -- the concepts on their own ---------------------------------------------------------------


@settings(max_examples=200)
@given(adv.internet_pieces(4), adv.internet_pieces(6))
def test_any_partition_of_the_address_space_is_the_whole_internet(v4, v6):
    assert networks.public_share(v4) == 1.0 and networks.public_share(v6) == 1.0


@settings(max_examples=200)
@given(adv.root_user())
def test_every_spelling_of_root_parses_as_root(user):
    assert users.is_root(user)


@pytest.mark.parametrize("name", adv.SECRET_NAMES)
def test_secret_names_hold_a_secret(name):
    assert secrets.secret_name(name)


@pytest.mark.parametrize("name", adv.SECRET_NEIGHBOURS)
def test_names_that_describe_a_secret_do_not_hold_one(name):
    assert not secrets.secret_name(name)


@settings(max_examples=100)
@given(adv.secret_value())
def test_secret_values_are_found_plain_encoded_or_embedded(value):
    assert secrets.secret_value(value)


@pytest.mark.parametrize("value", ["info", "http://api:80", "Asia/Seoul", "8080", "true",
                                   "3f786850e387550fdab836ed7e6dc881de23001b",
                                   "550e8400-e29b-41d4-a716-446655440000",
                                   "shop-prod.cluster-c9d8e7f6a5b4.ap-northeast-2.rds.amazonaws.com",
                                   "/ecs/ecs-platform-prod/web", "en_US.UTF-8"])  # fmt: skip
def test_ordinary_values_are_not_secrets(value):
    assert secrets.secret_value(value) is None


@settings(max_examples=100)
@given(adv.moving_tag())
def test_moving_tags_move(image):
    assert images.mutable(image)


@pytest.mark.parametrize("name", adv.SECRET_NAMES + adv.SECRET_NEIGHBOURS)
def test_config_policy_and_importer_agree_on_every_name(name):
    from offline.importers.common import secret_reason as importer

    from .policy_fixtures import container as edit

    refused = True
    try:
        config_error(config(services={"web": {**BASE_SERVICE, "environment": {name: "x1y2"}}}))
    except pytest.fail.Exception:
        refused = False
    env = [{"name": name, "value": "x1y2"}]
    flagged = _flags("ecs-td-no-secret-env", edit("web-taskdef", "app", "environment", env)(
        golden()), "web-taskdef", TD)  # fmt: skip
    assert refused == flagged == (importer(name, "x1y2") is not None) == (name in adv.SECRET_NAMES)


def test_a_managed_policy_the_dataset_does_not_know_is_refused_as_unknown():
    arn = "arn:aws:iam::aws:policy/NotAPolicyAwsPublished"
    stack = prop("api-task", ":Role", "managedPolicyArns", [arn])(golden())
    (f,) = run_rule(BY_NAME["iam-no-admin-policies"], stack, {})
    assert "cannot be judged" in f.message and f.urn == find(stack, "api-task", ":Role").urn


@pytest.mark.parametrize("value", ["$ecret123", "${DB}", "$(cat /run/x)"])
def test_a_dollar_value_is_literal_in_the_environment_but_a_reference_on_a_command_line(value):
    # ECS passes environment values as they are; only a shell expands $VAR on a command line.
    assert secrets.secret_reason("DB_PASSWORD", value)
    assert secrets.secret_in_command(["sh", "-c", f'DB_PASSWORD="{value}" /app/run']) is None
