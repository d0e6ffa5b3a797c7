"""Invariants of every stack file in the repository, whatever the team puts in them.

Parametrised over the `Pulumi.*.yaml` that exist, at the root and in every project directory
under examples/ (tests/stack_files.py): add, edit, copy or delete them and these still hold; a
service stack is planned on its platform stack's planned outputs. Each stack plans, passes its
own policy level, keeps URNs unique and inside components, follows the plan JSON contract, and
takes everyday edits (image tags, task counts, task size, scaling limits) plus one more service
(one more team's grant on a platform stack) without replacing anything stateful or losing a URN.
What the components build from a given config is tested on the tests' own fixtures
(tests/fixtures/stacks, tests/support.py), never on the shipped examples' content.
"""

from __future__ import annotations

import copy
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.config import StackConfig
from components.specs.fargate import FARGATE_SIZES
from offline import awsrules
from offline.engine import Plan, plan
from offline.platform_plans import plan_stack
from offline.policy import check
from offline.replacement import replacements, stackless
from offline.report import plan_json, render
from tests.stack_files import locate, stack_file, stack_ids

STACKS = stack_ids()
ADDED = "added-check"  # the service the edit adds (a name no example uses)
_plans: dict[str, Plan] = {}


def stack_plan(stack_id: str) -> Plan:
    if stack_id not in _plans:
        folder, name = locate(stack_id)
        _plans[stack_id] = plan_stack(name, project_dir=folder).plan
    return _plans[stack_id]


@pytest.mark.parametrize("stack_id", STACKS)
def test_plan_json_follows_the_contract(stack_id):
    stack = locate(stack_id)[1]
    doc = json.loads(json.dumps(plan_json(stack_plan(stack_id))))
    assert {"stack", "project", "resources", "outputs", "cost", "deployment", "policy"} <= set(doc)
    assert doc["stack"] == stack and doc["project"] == "ecs-platform"
    for resource in doc["resources"]:
        assert {"urn", "type", "name", "parent", "inputs"} <= set(resource)
        assert resource["urn"].startswith(f"urn:pulumi:{stack}::ecs-platform::")
    assert {"monthlyUsd", "lines"} <= set(doc["cost"])
    assert {"rollingMinutes", "freshStackMinutes"} <= set(doc["deployment"])
    assert "violations" in doc["policy"]


@pytest.mark.parametrize("stack", STACKS)
def test_every_resource_is_inside_a_component_and_urns_are_unique(stack):
    result = stack_plan(stack)
    urns = [r.urn for r in result.resources]
    assert len(urns) == len(set(urns))
    top = {r.name for r in result.resources if r.parent is None}
    assert top <= {"network", "cluster", "dashboard"} | configured_names(result.config)
    known = set(urns)
    assert all(r.parent in known for r in result.resources if r.parent is not None)


def configured_names(config: StackConfig) -> set[str]:
    return (set(config.load_balancers) | set(config.services) | set(config.scheduled_tasks)
            | set(config.workers))  # fmt: skip


@pytest.mark.parametrize("stack_id", STACKS)
def test_no_logical_name_contains_the_stack_name(stack_id):
    result, stack = stack_plan(stack_id), locate(stack_id)[1]
    owners = sorted(configured_names(result.config), key=len, reverse=True)
    for r in result.resources:
        # the config's own names (a service called like the stack) are the team's choice
        role = next((r.name[len(o) :] for o in owners if r.name.startswith(f"{o}-")), r.name)
        assert stack not in role.split("-"), r.name


@pytest.mark.parametrize("stack_id", STACKS)
def test_the_human_report_lists_the_tree_and_counts(stack_id):
    stack = locate(stack_id)[1]
    text = render(stack_plan(stack_id))
    assert text.startswith(f"Stack {stack} (ecs-platform)") and "Resources by type:" in text


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_passes_its_own_policy_level(stack):
    report = check(stack_plan(stack))
    assert report.environment == stack_plan(stack).config.policy_environment[0]
    assert [(v.policy, v.urn, v.message) for v in report.mandatory] == []


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_breaks_no_apply_time_aws_rule(stack):
    assert [v.line() for v in awsrules.check(stack_plan(stack)).violations] == []


@pytest.mark.parametrize("stack", STACKS)
def test_every_service_waits_for_steady_state_unless_it_runs_on_the_team_s_servers(stack):
    for service in stack_plan(stack).of_type("aws:ecs/service:Service"):
        # EXTERNAL services run on servers registered with the code this same `up` outputs:
        # waiting would stall a fresh stack until the timeout (docs/anywhere.md).
        external = service.inputs.get("launchType") == "EXTERNAL"
        assert service.inputs["waitForSteadyState"] is not external
        assert service.options["customTimeouts"]["update"].endswith("m")


# -- everyday edits ----------------------------------------------------------------------------

_edited: dict[str, Plan] = {}


def retag(image: str) -> str:
    """The same image at another tag (a digest-pinned image is left alone)."""
    if "@" in image:
        return image
    repo, sep, tag = image.rpartition(":")
    return f"{repo}:{tag}-next" if sep and "/" not in tag else f"{image}:next"


def everyday_edits(doc: dict[str, Any], config: StackConfig) -> dict[str, Any]:
    """New image tags, one more task, a bigger Fargate task, a higher scaling limit, and one
    more service shaped like an existing one (so it meets the stack's own rules); on a platform
    stack, one more team's grant."""
    out = copy.deepcopy(doc)
    cfg = out["config"]
    if config.stack_kind == "platform":
        added_grant(cfg, config)
        return out
    services = cfg.get("ecs-platform:services") or {}
    for name, svc in services.items():
        if "image" in svc:
            svc["image"] = retag(svc["image"])
        spec = config.services[name]
        if spec.launch_type == "EXTERNAL":
            continue  # one task per registered server: counts are bounded by the servers
        if "autoscaling" in svc:
            svc["autoscaling"]["maxCount"] = spec.autoscaling.max_count + 1  # type: ignore[union-attr]
        else:
            svc["desiredCount"] = spec.desired_count + 1
        size = (svc.get("cpu"), svc.get("memory"))
        bigger = (size[0] * 2, size[1] * 2) if None not in size else None
        if (
            config.compatibility(spec) == "FARGATE"
            and bigger
            and bigger[1] in FARGATE_SIZES.get(bigger[0], ())
        ):
            svc["cpu"], svc["memory"] = bigger
    for section in ("ecs-platform:workers", "ecs-platform:scheduledTasks"):
        for task in (cfg.get(section) or {}).values():
            if "image" in task:
                task["image"] = retag(task["image"])
    services[ADDED] = added_service(services, config)
    cfg["ecs-platform:services"] = services
    return out


def added_service(services: dict[str, Any], config: StackConfig) -> dict[str, Any]:
    """A copy of a service behind an ALB (else any service) under a path of its own."""
    lbs = config.platform_load_balancers or config.load_balancers  # a service stack: the platform's
    on_alb = [n for n, s in config.services.items() if s.load_balancer is not None
              and lbs[s.load_balancer.name].type == "application"]  # fmt: skip
    plain = [n for n, s in config.services.items() if s.launch_type != "EXTERNAL"]
    if not on_alb and not plain:
        public_ip = config.network.creates_vpc and config.network.nat_gateways == "none"
        return {"image": "public.ecr.aws/nginx/nginx:1.27.3", "assignPublicIp": public_ip}
    source = copy.deepcopy(services[(on_alb or plain)[0]])
    source.pop("serviceConnect", None)  # names and callers are unique per cluster
    source.pop("build", None)
    source.setdefault("image", "public.ecr.aws/nginx/nginx:1.27.3")
    if on_alb:
        # A service may take the default load balancer without naming it in the file.
        ref = source.setdefault(
            "loadBalancer", {"name": config.services[on_alb[0]].load_balancer.name}
        )  # type: ignore[union-attr]
        ref.pop("priority", None)
        ref["pathPatterns"] = [f"/{ADDED}/*"]
        if config.stack_kind == "service":  # under a path the team's grant already covers
            paths = config.services[on_alb[0]].load_balancer.path_patterns  # type: ignore[union-attr]
            ref["pathPatterns"] = [f"{paths[0].rstrip('*').rstrip('/')}/{ADDED}/*"]
    else:
        source.pop("loadBalancer", None)
    return source


def added_grant(cfg: dict[str, Any], config: StackConfig) -> None:
    """A platform's everyday edit: one more team, on its first ALB, above the named ranges."""
    albs = [n for n, lb in config.load_balancers.items() if lb.type == "application"]
    top = max((g.priorities.to for t, g in config.teams.items() if t != "*"), default=0)
    if albs and top + 10 <= 50_000:
        teams = cfg.setdefault("ecs-platform:teams", {})
        teams[ADDED] = {"loadBalancer": albs[0], "priorities": {"from": top + 1, "to": top + 10},
                        "paths": [f"/{ADDED}/*"]}  # fmt: skip


def edited_plan(stack_id: str) -> Plan:
    if stack_id not in _edited:
        folder, stack = locate(stack_id)
        doc = yaml.safe_load(stack_file(stack_id).read_text())
        edited = everyday_edits(doc, stack_plan(stack_id).config)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"Pulumi.{stack}.yaml"
            path.write_text(yaml.safe_dump(edited))
            _edited[stack_id] = plan_stack(stack, path, project_dir=folder).plan
    return _edited[stack_id]


@pytest.mark.parametrize("stack", STACKS)
def test_everyday_edits_and_one_more_service_keep_every_existing_urn(stack):
    before = {stackless(r.urn) for r in stack_plan(stack).resources}
    after = edited_plan(stack)
    assert before - {stackless(r.urn) for r in after.resources} == set()
    if stack_plan(stack).config.stack_kind != "platform":
        after.named(f"{ADDED}-service", "aws:ecs/service:Service")


@pytest.mark.parametrize("stack", STACKS)
def test_everyday_edits_and_one_more_service_replace_nothing_stateful(stack):
    found = replacements(stack_plan(stack), edited_plan(stack))
    assert [(r.name, r.properties, r.loses) for r in found if r.stateful] == []
    # what is replaced at all is a new task definition revision
    assert {re.sub(r"^.*/", "", r.type) for r in found} <= {"taskDefinition:TaskDefinition"}


def test_the_everyday_edit_check_holds_for_a_first_stack_on_the_default_load_balancer(tmp_path):
    # The smallest stack a newcomer writes: its service names no load balancer (the default
    # `public` ALB); the invariants above must hold for such a file too.
    doc = {"config": {"aws:region": "eu-west-1", "ecs-platform:services": {
        "web": {"image": "public.ecr.aws/nginx/nginx:1.27.3", "containerPort": 80}}}}  # fmt: skip
    first = tmp_path / "Pulumi.first.yaml"
    first.write_text(yaml.safe_dump(doc))
    before = plan("first", first)
    edited = tmp_path / "edited" / "Pulumi.first.yaml"
    edited.parent.mkdir()
    edited.write_text(yaml.safe_dump(everyday_edits(doc, before.config)))
    after = plan("first", edited)
    assert {stackless(r.urn) for r in before.resources} <= {
        stackless(r.urn) for r in after.resources
    }
    rule = after.named(f"{ADDED}-rule", "aws:lb/listenerRule:ListenerRule")
    assert rule.inputs["conditions"] == [{"pathPattern": {"values": [f"/{ADDED}/*"]}}]
    assert [r.name for r in replacements(before, after) if r.stateful] == []
