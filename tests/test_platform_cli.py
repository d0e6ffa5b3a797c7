"""`python -m offline plan|diagram` of a service stack: its platform is planned first (or read
from a saved plan), and `--with-platform` adds the environment's view. Fixtures: a project
directory of our own (a platform stack and one team), not the shipped examples."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent

PLATFORM = {
    "config": {
        "aws:region": "us-east-1",
        "ecs-platform:stackKind": "platform",
        "ecs-platform:network": {"natGateways": "single"},
        "ecs-platform:loadBalancers": {"edge": {"type": "application"}},
        "ecs-platform:teams": {
            "payments": {
                "loadBalancer": "edge",
                "priorities": {"from": 100, "to": 199},
                "paths": ["/pay/*"],
                "ports": [8080],
            }
        },
    }
}
TEAM = {
    "config": {
        "aws:region": "us-east-1",
        "ecs-platform:stackKind": "service",
        "ecs-platform:team": "payments",
        "ecs-platform:platform": {"stack": "shared"},
        "ecs-platform:services": {
            "checkout": {
                "image": "public.ecr.aws/nginx/nginx:1.27.3",
                "containerPort": 8080,
                "loadBalancer": {"name": "edge", "pathPatterns": ["/pay/*"]},
            }
        },
    }
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    shutil.copy(ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
    (root / "Pulumi.shared.yaml").write_text(yaml.safe_dump(PLATFORM))
    (root / "Pulumi.payments.yaml").write_text(yaml.safe_dump(TEAM))
    return root


def offline(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "offline", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def plan_json(*args: str) -> dict:
    done = offline("plan", "--json", *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_service_stack_plans_its_platform_first_and_says_so(project):
    done = offline("plan", "--stack", "payments", "--project-dir", str(project))
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    assert first.startswith("Platform stack shared: outputs planned from Pulumi.shared.yaml")
    assert "Stack payments (ecs-platform)" in done.stdout
    assert "Stack shared (ecs-platform)" not in done.stdout  # only with --with-platform


def test_a_saved_platform_plan_answers_the_reference_as_planning_it_does(project, tmp_path):
    saved = tmp_path / "shared.json"
    saved.write_text(json.dumps(plan_json("--stack", "shared", "--project-dir", str(project))))
    planned = plan_json("--stack", "payments", "--project-dir", str(project))
    read = plan_json(
        "--stack", "payments", "--project-dir", str(project), "--platform-plan", str(saved)
    )
    assert read["resources"] == planned["resources"]
    assert read["platform"] == {"stack": "shared", "outputs": f"read from {saved}"}
    assert planned["platform"] == {"stack": "shared", "outputs": "planned from Pulumi.shared.yaml"}


def test_a_saved_plan_of_another_stack_is_refused_naming_both(project, tmp_path):
    saved = tmp_path / "other.json"
    saved.write_text(json.dumps({"stack": "prod-platform", "outputs": {}}))
    done = offline(
        "plan", "--stack", "payments", "--project-dir", str(project), "--platform-plan", str(saved)
    )
    assert done.returncode == 1
    assert "'prod-platform'" in done.stderr and "'shared'" in done.stderr


def test_a_platform_of_another_project_needs_its_saved_plan(project, tmp_path):
    doc = json.loads(json.dumps(TEAM))
    doc["config"]["ecs-platform:platform"] = {"stack": "acme/network-project/shared"}
    path = tmp_path / "Pulumi.payments.yaml"
    path.write_text(yaml.safe_dump(doc))
    done = offline(
        "plan", "--stack", "payments", "--config-file", str(path), "--project-dir", str(project)
    )
    assert done.returncode == 1
    assert "acme/network-project/shared" in done.stderr and "--platform-plan" in done.stderr


def test_with_platform_adds_up_both_stacks(project):
    doc = plan_json("--stack", "payments", "--project-dir", str(project), "--with-platform")
    env, platform = doc["environment"], doc["platformPlan"]
    assert env["stacks"] == ["shared", "payments"]
    assert env["monthlyUsdByStack"] == {
        "shared": platform["cost"]["monthlyUsd"],
        "payments": doc["cost"]["monthlyUsd"],
    }
    assert env["monthlyUsd"] == pytest.approx(sum(env["monthlyUsdByStack"].values()), abs=0.011)
    fresh = env["freshMinutesByStack"]
    assert fresh == {
        "shared": platform["deployment"]["freshStackMinutes"],
        "payments": doc["deployment"]["freshStackMinutes"],
    }
    assert env["freshEnvironmentMinutes"] == pytest.approx(sum(fresh.values()), abs=0.011)


def test_with_platform_text_shows_both_reports_then_the_environment(project):
    done = offline("plan", "--stack", "payments", "--project-dir", str(project), "--with-platform")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.index("Stack shared (ecs-platform)") < out.index("Stack payments (ecs-platform)")
    assert out.index("Stack payments (ecs-platform)") < out.index("Environment shared + payments:")


def test_diagram_with_platform_is_one_mermaid_block_per_stack(project):
    done = offline(
        "diagram", "--stack", "payments", "--project-dir", str(project), "--with-platform"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("```mermaid\n") == 2
    assert done.stdout.index("### Stack shared") < done.stdout.index("### Stack payments")


def test_a_single_stack_plan_has_no_platform_keys(project):
    doc = plan_json("--stack", "shared", "--project-dir", str(project), "--with-platform")
    assert not {"platform", "environment", "platformPlan"} & set(doc)


def test_changed_lists_the_platform_before_its_service_stack(project):
    done = offline(
        "changed", "--stack", "payments", "--stack", "shared", "--project-dir", str(project)
    )
    assert done.returncode == 0, done.stderr
    entries = json.loads(done.stdout)
    assert [(e["stack"], e["kind"]) for e in entries] == [
        ("shared", "platform"),
        ("payments", "service"),
    ]


def test_a_service_stack_diagram_routes_from_its_platforms_listener(project):
    done = offline("diagram", "--stack", "payments", "--project-dir", str(project))
    assert done.returncode == 0, done.stderr
    assert 'platform_lb_edge("ALB edge<br/>listener of shared (not in this stack)")' in done.stdout
    assert "internet --> platform_lb_edge" in done.stdout
    assert "platform_lb_edge -->|/pay/*| svc_checkout" in done.stdout
