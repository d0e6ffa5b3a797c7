"""Diagram, diff and replacement marking between two plans."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from offline import diagram
from offline.__main__ import main
from offline.diff import diff, render
from offline.engine import Captured, Plan
from offline.replacement import forcing, replacements
from tests.support import config, fixture_doc, fixture_path, mutate, plan_config

WEB = {
    "image": "public.ecr.aws/nginx/nginx:1.27",
    "cpu": 256,
    "memory": 512,
    "containerPort": 80,
    "desiredCount": 3,
    "loadBalancer": {"name": "public", "pathPatterns": ["/app/*"]},
}
BASE = config(
    network={"cidrBlock": "10.20.0.0/16", "availabilityZones": 2, "natGateways": "single",
             "vpcEndpoints": ["s3", "logs"]},
    loadBalancers={"public": {"type": "application"}},
    services={"web": WEB},
)  # fmt: skip


def plan(cfg: dict[str, Any], stack: str = "test") -> Plan:
    return plan_config(cfg, stack)


def replaced(after_cfg: dict[str, Any]) -> dict[str, Any]:
    return {r.name: r for r in replacements(plan(BASE), plan(after_cfg))}


def test_a_new_container_port_replaces_the_target_group_and_is_refused():
    found = replaced(mutate(BASE, "services.web.containerPort", 8080))
    tg = found["web-tg"]
    assert tg.properties == ("port",) and tg.stateful and tg.refused


def test_replacement_intended_lets_the_target_group_replacement_through():
    cfg = mutate(BASE, "services.web.containerPort", 8080)
    cfg = mutate(cfg, "services.web.loadBalancer.replacementIntended", True)
    tg = replaced(cfg)["web-tg"]
    assert tg.intended and not tg.refused


def test_making_a_load_balancer_internal_replaces_it_and_its_listener():
    found = replaced(mutate(BASE, "loadBalancers.public.internal", True))
    assert found["public-lb"].properties == ("internal",) and found["public-lb"].refused
    assert "public-http" in found  # its ARN changes, so the listener is recreated


def test_a_new_task_size_replaces_the_task_definition_without_losing_state():
    cfg = mutate(mutate(BASE, "services.web.cpu", 512), "services.web.memory", 1024)
    found = replaced(cfg)
    assert set(found) == {"web-taskdef"}
    assert not found["web-taskdef"].stateful and not found["web-taskdef"].refused


def test_a_desired_count_change_is_an_in_place_change_with_its_cost_delta():
    after = mutate(BASE, "services.web.desiredCount", 5)
    result = diff(plan(BASE), plan(after))
    assert result.replaced == [] and result.added == [] and result.removed == []
    assert [(r.name, props) for r, props in result.changed] == [("web-service", ["desiredCount"])]
    task = (0.25 * 0.04656 + 0.5 * 0.00511) * 730
    delta = result.cost_after.monthly_usd - result.cost_before.monthly_usd
    assert delta == pytest.approx(2 * task)


def test_the_same_config_in_another_stack_replaces_what_is_named_after_the_stack():
    found = {r.name: r for r in replacements(plan(BASE, "test"), plan(BASE, "other"))}
    assert found["web-logs"].properties == ("name",) and found["web-logs"].stateful
    assert found["cluster-ecs"].properties == ("name",)


ON_DEMAND = {"capacityProvider": "FARGATE", "weight": 1}
SPOT = {"capacityProvider": "FARGATE_SPOT", "weight": 1}


def captured(type_: str, inputs: dict[str, Any], **options: Any) -> Captured:
    return Captured("urn:pulumi:s::p::t::n", type_, "n", None, inputs, True, [], options)


def test_ignore_changes_keeps_a_forcing_property_from_replacing():
    tg = "aws:lb/targetGroup:TargetGroup"
    before, after = captured(tg, {"port": 80}), captured(tg, {"port": 81})
    assert forcing(before, after) == ("port",)
    assert forcing(before, captured(tg, {"port": 81}, ignoreChanges=["port"])) == ()


def test_replace_on_changes_adds_a_forcing_property():
    sg = "aws:ec2/securityGroup:SecurityGroup"
    before = captured(sg, {"tags": {"a": "1"}, "revokeRulesOnDelete": False})
    after = captured(
        sg,
        {"tags": {"a": "1"}, "revokeRulesOnDelete": True},
        replaceOnChanges=["revokeRulesOnDelete"],
    )
    assert forcing(before, after) == ("revokeRulesOnDelete",)


@pytest.mark.parametrize(
    ("old", "new", "force", "replaces"),
    [
        ([ON_DEMAND], [SPOT], True, False),
        ([ON_DEMAND], [SPOT], False, True),
        ([], [ON_DEMAND], True, True),
    ],
)  # fmt: skip
def test_a_capacity_strategy_change_replaces_the_service_unless_forced_in_place(
    old, new, force, replaces
):
    svc = "aws:ecs/service:Service"
    before = captured(svc, {"capacityProviderStrategies": old, "forceNewDeployment": force})
    after = captured(svc, {"capacityProviderStrategies": new, "forceNewDeployment": force})
    assert ("capacityProviderStrategies" in forcing(before, after)) is replaces


def test_the_rendered_diff_marks_refused_replacements_loudly():
    text = render(diff(plan(BASE), plan(mutate(BASE, "services.web.containerPort", 8080))))
    assert "**REFUSED** `TargetGroup web-tg` because of port" in text
    assert "| web |" in text and "| **total** |" in text


def write_stack(tmp_path: Path, name: str, cfg: dict[str, Any]) -> str:
    path = tmp_path / name / "Pulumi.test.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump({"config": cfg}))
    return str(path)


def test_diff_exits_3_on_a_refused_replacement_and_0_otherwise(tmp_path, capsys):
    base = write_stack(tmp_path, "base", BASE)
    port = write_stack(tmp_path, "port", mutate(BASE, "services.web.containerPort", 8080))
    count = write_stack(tmp_path, "count", mutate(BASE, "services.web.desiredCount", 4))
    assert main(["diff", base, port]) == 3
    assert main(["diff", base, count, "--json"]) == 0
    out = capsys.readouterr().out
    doc = json.loads(out[out.index("{\n") :])
    assert doc["changed"][0]["properties"] == ["desiredCount"] and doc["replacements"] == []


def snapshot(tmp_path: Path, name: str, edit: dict[str, Any] | None = None) -> str:
    """The staging fixture (with one service's keys changed) saved under any file name."""
    doc = fixture_doc("staging")
    doc["config"]["ecs-platform:services"]["web"].update(edit or {})
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc))
    return str(path)


def test_diff_applies_the_after_side_s_policy_exits_3_and_shows_the_finding(tmp_path, capsys):
    base = snapshot(tmp_path, "base-snapshot.yaml")
    public = snapshot(tmp_path, "head.yaml", {"assignPublicIp": True})
    assert main(["diff", base, public, "--stack", "staging"]) == 3
    out, err = capsys.readouterr()
    assert "**REFUSED** by policy after the change (staging levels" in out
    assert "`ecs-svc-no-public-ip` `web-service`" in out
    assert "refused by policy: ecs-svc-no-public-ip:" in err


def test_diff_with_stack_pairs_snapshots_of_any_file_name_under_that_stack(tmp_path, capsys):
    base = snapshot(tmp_path, "base-snapshot.yaml")
    more = snapshot(tmp_path, "head.yaml", {"desiredCount": 3})
    assert main(["diff", base, more, "--stack", "staging", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["policy"]["environment"] == "staging"
    assert [v for v in doc["policy"]["violations"] if v["level"] == "mandatory"] == []
    assert doc["replacements"] == [] and doc["added"] == [] and doc["removed"] == []


# -- diagram ---------------------------------------------------------------------------------


def test_the_diagram_routes_the_internet_through_the_listener_rule_to_the_service():
    text = diagram.mermaid(diagram.build(plan(BASE)))
    assert "internet --> lb_public" in text
    assert "lb_public --> listener_public_http" in text
    assert "listener_public_http -->|/app/*| svc_web" in text


def test_the_diagram_spreads_tasks_over_the_service_azs():
    text = diagram.mermaid(diagram.build(plan(BASE)))
    assert "3 tasks (a: 2, b: 1)" in text


def test_the_diagram_shows_nat_egress_and_endpoints():
    text = diagram.mermaid(diagram.build(plan(BASE)))
    assert (
        'nat_gateways{{"NAT gateway (a)"}}' in text and "nat_gateways -->|egress| internet" in text
    )
    assert "svc_web -.-> endpoints" in text and "logs, s3" in text


def test_service_connect_clients_get_an_edge_to_each_server():
    cfg = mutate(
        BASE,
        "services.api",
        {**WEB, "loadBalancer": {"name": "public", "pathPatterns": ["/api/*"]}},
    )
    base = plan(cfg)
    connect = {
        "web-service": {"enabled": True},
        "api-service": {"enabled": True, "services": [{"portName": "http"}]},
    }
    resources = [
        dataclasses.replace(r, inputs={**r.inputs, "serviceConnectConfiguration": connect[r.name]})
        if r.name in connect
        else r
        for r in base.resources
    ]
    text = diagram.mermaid(diagram.build(dataclasses.replace(base, resources=resources)))
    assert "svc_web -.->|Service Connect| svc_api" in text
    assert "svc_api -.->|Service Connect| svc_web" not in text


def test_without_graphviz_the_diagram_writes_mermaid_and_dot(tmp_path, monkeypatch):
    monkeypatch.setattr(diagram.shutil, "which", lambda _: None)
    written = diagram.write(plan(BASE), tmp_path)
    assert [p.name for p in written] == ["test.mmd", "test.dot"]
    assert "subgraph cluster_0" in (tmp_path / "test.dot").read_text()


def test_a_cost_line_whose_basis_changed_reads_before_and_after():
    text = render(diff(plan(BASE), plan(mutate(BASE, "services.web.desiredCount", 5))))
    (row,) = [line for line in text.splitlines() if line.startswith("| web: ") and "→" in line]
    item, before, after = [cell.strip() for cell in row.strip("|").split("|")]
    old, new = item.split(" → ")
    assert "3 tasks x" in old and "5 tasks x" in new
    assert float(after) > float(before)


def test_the_diagram_shows_every_workload_with_its_trigger_and_counts_tasks_in_words():
    jobs = {"image": "public.ecr.aws/docker/library/busybox:1.37"}
    report = {**jobs, "schedule": "cron(0 3 * * ? *)", "timeZone": "Asia/Seoul", "taskCount": 2}
    cfg = mutate(mutate(BASE, "services.web.desiredCount", 1), "workers", {"jobs": jobs})
    cfg = mutate(cfg, "scheduledTasks", {"report": report})
    text = diagram.mermaid(diagram.build(plan(cfg)))
    assert "web<br/>1 task (a: 1, b: 0)" in text and "1 tasks" not in text
    assert 'queue_jobs[("SQS queue jobs-queue")]' in text
    assert "queue_jobs -->|messages| svc_jobs" in text
    assert 'task_report["report<br/>scheduled task: 2 tasks per run' in text
    assert 'scheduler -->|"cron(0 3 * * ? *) Asia/Seoul"| task_report' in text
    assert "task_report -.-> nat_gateways" in text  # private subnets, out through the NAT


def test_a_worker_on_an_existing_queue_shows_that_queue():
    existing = {"existingQueueArn": "arn:aws:sqs:ap-northeast-2:123456789012:orders"}
    cfg = mutate(BASE, "workers", {"jobs": {"image": "busybox:1.37", "queue": existing}})
    assert "queue_jobs -->|messages| svc_jobs" in diagram.mermaid(diagram.build(plan(cfg)))
    assert "SQS queue orders" in diagram.mermaid(diagram.build(plan(cfg)))


ROOT = Path(__file__).resolve().parent.parent


def test_the_readme_shows_the_diagram_of_the_example_dev_stack_as_shipped():
    # The tests' frozen copy of the example: a team that edits its own Pulumi.dev.yaml redraws
    # the block with `diagram --readme`; its tests do not turn red over a picture.
    from offline.engine import plan as plan_stack

    shipped = plan_stack("dev", fixture_path("dev"))
    current = diagram.readme_block("dev", diagram.mermaid(diagram.build(shipped)))
    assert current in (ROOT / "README.md").read_text(), (
        "README.md's diagram is stale: python -m offline diagram --stack dev --readme README.md"
    )


def test_updating_the_readme_replaces_only_the_stacks_block():
    old = "intro\n\n" + diagram.readme_block("dev", "flowchart LR\n  a\n") + "\n\nrest\n"
    new = diagram.update_readme(old, "dev", "flowchart LR\n  b\n")
    assert new == "intro\n\n" + diagram.readme_block("dev", "flowchart LR\n  b\n") + "\n\nrest\n"
