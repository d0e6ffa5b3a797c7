"""Everyday edits never replace what clients or data depend on; the guard refuses the rest.

Each edit is planned before and after on the tests' prod fixture (tests/fixtures/stacks): every
existing URN stays, and
the inputs of load balancers, target groups, listeners, the cluster, log groups and the VPC do
not change. Edits that would replace a load balancer, listener or target group in use are
refused by offline/guard.py unless the config marks them intended.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from offline.engine import Plan, plan
from offline.guard import main as guard_main
from offline.guard import refused, replacements
from tests.support import fixture_doc, fixture_plan

PROD = fixture_doc("prod")
STABLE = (
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:lb/listener:Listener",
    "aws:lb/targetGroup:TargetGroup",
    "aws:ecs/cluster:Cluster",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
)


def services(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["config"]["ecs-platform:services"]


def lbs(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["config"]["ecs-platform:loadBalancers"]


def before() -> Plan:
    return fixture_plan("prod")


def after(edit: Callable[[dict[str, Any]], None], tmp_path: Path) -> Plan:
    doc = copy.deepcopy(PROD)
    edit(doc)
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(yaml.safe_dump(doc))
    return plan("prod", path)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        node = doc["config"]
        keys = path.split(".")
        node = node[f"ecs-platform:{keys[0]}"]
        for k in keys[1:-1]:
            node = node.setdefault(k, {})
        node[keys[-1]] = value

    return edit


def _add_service(doc: dict[str, Any]) -> None:
    services(doc)["search"] = {
        "image": "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/shop/search:3.1.0",
        "cpu": 512,
        "memory": 1024,
        "cpuArchitecture": "ARM64",
        "containerPort": 8080,
        "desiredCount": 3,
        "readonlyRootFilesystem": True,
        "user": "10001",
        "healthCheck": {"command": ["CMD", "/app/healthcheck"]},
        "loadBalancer": {"name": "public", "pathPatterns": ["/search/*"]},
        "logRetentionDays": 365,
    }


EVERYDAY: dict[str, Callable[[dict[str, Any]], None]] = {
    "image tag": _set("services.web.image",
                      "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/shop/web:1.9.0"),
    "desired count": _set("services.api.desiredCount", 6),
    "cpu and memory": lambda d: (_set("services.web.cpu", 2048)(d),
                                 _set("services.web.memory", 4096)(d)),
    "environment variables": _set("services.api.environment",
                                  {"LOG_LEVEL": "debug", "FEATURE_X": "on"}),
    "add a service": _add_service,
    "deregistration delay": _set("services.web.loadBalancer.deregistrationDelaySeconds", 60),
    "health check path": _set("services.web.loadBalancer.healthCheck.path", "/ready"),
}  # fmt: skip
EVERYDAY["scaling limits"] = lambda d: (
    _set("services.web.autoscaling.minCount", 4)(d),
    _set("services.web.autoscaling.maxCount", 20)(d),
)


@pytest.mark.parametrize("edit", sorted(EVERYDAY))
def test_everyday_edits_keep_every_urn(edit, tmp_path):
    new = after(EVERYDAY[edit], tmp_path)
    missing = {r.urn for r in before().resources} - {r.urn for r in new.resources}
    assert missing == set()


@pytest.mark.parametrize("edit", sorted(EVERYDAY))
def test_everyday_edits_leave_load_balancers_cluster_logs_and_vpc_inputs_unchanged(edit, tmp_path):
    new = {r.urn: r for r in after(EVERYDAY[edit], tmp_path).resources}
    changed = [
        r.name
        for r in before().resources
        if r.type in STABLE and new[r.urn].inputs != r.inputs
        and not (r.type.endswith(":TargetGroup") and edit.startswith(("deregistration", "health")))
    ]  # fmt: skip
    assert changed == []


@pytest.mark.parametrize("edit", sorted(EVERYDAY))
def test_everyday_edits_pass_the_replacement_guard(edit, tmp_path):
    assert replacements(before(), after(EVERYDAY[edit], tmp_path)) == []


def test_target_group_settings_that_are_in_place_updates_change_only_that_target_group(tmp_path):
    new = {r.urn: r for r in after(EVERYDAY["health check path"], tmp_path).resources}
    changed = [r.name for r in before().resources if r.type in STABLE
               and new[r.urn].inputs != r.inputs]  # fmt: skip
    assert changed == ["web-tg"]


def test_a_new_container_port_would_replace_the_target_group_and_is_refused(tmp_path):
    found = refused(before(), after(_set("services.web.containerPort", 9090), tmp_path))
    assert sorted(f.urn.rsplit("::", 1)[-1] for f in found) == ["web-tg"]
    for f in found:
        assert f.properties == ("port",)
        assert "services.web.loadBalancer.replacementIntended" in f.describe()


def test_the_same_change_passes_when_the_config_says_it_is_intended(tmp_path):
    def edit(doc: dict[str, Any]) -> None:
        _set("services.web.containerPort", 9090)(doc)
        _set("services.web.loadBalancer.replacementIntended", True)(doc)

    found = replacements(before(), after(edit, tmp_path))
    assert [r.intended for r in found] == [True]
    assert refused(before(), after(edit, tmp_path)) == []


def test_making_a_public_load_balancer_internal_is_refused_unless_intended(tmp_path):
    found = refused(before(), after(_set("loadBalancers.public.internal", True), tmp_path))
    (lb,) = [r for r in found if r.urn.endswith("::public-lb")]
    assert "internal" in lb.properties

    def intended(doc: dict[str, Any]) -> None:
        _set("loadBalancers.public.internal", True)(doc)
        _set("loadBalancers.public.replacementIntended", True)(doc)

    assert refused(before(), after(intended, tmp_path)) == []


def test_switching_a_load_balancer_from_alb_to_nlb_is_refused(tmp_path):
    def edit(doc: dict[str, Any]) -> None:
        lbs(doc)["internal"] = {"type": "network", "internal": True, "deletionProtection": True}
        services(doc)["api"]["loadBalancer"] = {"name": "internal"}

    found = refused(before(), after(edit, tmp_path))
    assert {r.urn.rsplit("::", 1)[-1] for r in found} >= {"internal-lb", "api-tg"}


def test_the_guard_cli_exits_3_and_names_the_key_that_allows_it(tmp_path, capsys):
    doc = copy.deepcopy(PROD)
    _set("services.web.containerPort", 9090)(doc)
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(yaml.safe_dump(doc))
    assert guard_main(["--stack", "prod", "--config-file", str(path)]) == 3
    out = capsys.readouterr().out
    assert "REFUSED: web-tg" in out and "replacementIntended" in out


def test_prod_protects_its_stateful_resources_from_config():
    for r in before().resources:
        if r.type in ("aws:lb/loadBalancer:LoadBalancer", "aws:ec2/vpc:Vpc",
                      "aws:ecs/cluster:Cluster", "aws:kms/key:Key"):  # fmt: skip
            assert r.options["protect"] is True, r.name
        if r.type in ("aws:cloudwatch/logGroup:LogGroup", "aws:s3/bucket:Bucket"):
            assert r.options["protect"] is True and r.options["retainOnDelete"] is True, r.name
        if r.type == "aws:lb/loadBalancer:LoadBalancer":
            assert r.inputs["enableDeletionProtection"] is True


def test_without_the_protection_key_nothing_is_protected(tmp_path):
    new = after(lambda d: d["config"].pop("ecs-platform:protection"), tmp_path)
    assert not any(r.options["protect"] or r.options["retainOnDelete"] for r in new.resources)


def test_protection_never_reaches_resources_that_are_replaced_on_every_deploy():
    for r in before().resources:
        if r.type in ("aws:ecs/taskDefinition:TaskDefinition", "aws:ecs/service:Service",
                      "aws:lb/targetGroup:TargetGroup"):  # fmt: skip
            assert r.options["protect"] is False, r.name


def test_the_guard_refuses_a_replaced_load_balancers_listeners_as_the_diff_does(tmp_path):
    from offline.diff import diff

    new = after(_set("loadBalancers.public.internal", True), tmp_path)
    guarded = {r.urn for r in refused(before(), new)}
    listeners = {r.urn for r in new.of_type("aws:lb/listener:Listener") if "public-" in r.name}
    assert listeners and listeners <= guarded  # knock-on: their loadBalancerArn changes
    assert guarded == {r.urn for r in diff(before(), new).refused}
