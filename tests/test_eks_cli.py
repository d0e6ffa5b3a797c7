"""`python -m offline compare-eks`: exit codes, the JSON object, manifests written as YAML, and
every shipped stack compares without error (an invariant, not their figures)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from offline.eks.compare import compare, to_json
from offline.platform_plans import plan_stack
from tests.stack_files import locate, stack_ids
from tests.support import (
    config,
    fixture_path,
    platform_config,
    service_config,
    web_service,
    write_project,
)

ROOT = Path(__file__).resolve().parent.parent
STACKS = stack_ids()  # every stack file that exists (tests/stack_files.py)
GOOD = config(
    network={"cidrBlock": "10.20.0.0/16", "availabilityZones": 2, "natGateways": "single"},
    services={"api": {"image": "public.ecr.aws/nginx/nginx:1.27", "desiredCount": 1}},
)


def offline(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "offline", "compare-eks", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def stack_file(tmp_path: Path, cfg: dict) -> Path:
    path = tmp_path / "Pulumi.cli.yaml"
    path.write_text(yaml.safe_dump({"config": cfg}))
    return path


def test_json_and_manifests_with_exit_0(tmp_path):
    out = tmp_path / "manifests"
    done = offline(
        "--stack", "cli", "--config-file", str(stack_file(tmp_path, GOOD)), "--json",
        "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert {"ecs", "eksFargate", "eksNodes", "kubernetesVersion"} <= set(result)
    assert "api" in result["eksNodes"]["rollingMinutes"]
    for variant in ("fargate", "nodes"):
        kinds = [d["kind"] for d in yaml.safe_load_all((out / variant / "api.yaml").read_text())]
        assert kinds[:2] == ["ServiceAccount", "Deployment"]


def test_bad_config_exits_2_with_one_line(tmp_path):
    bad = {**GOOD, "ecs-platform:network": {**GOOD["ecs-platform:network"], "natGateways": "x"}}
    done = offline("--stack", "cli", "--config-file", str(stack_file(tmp_path, bad)))
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert "network.natGateways" in line and "Traceback" not in done.stderr


@pytest.mark.parametrize("stack_id", STACKS)
def test_every_shipped_stack_compares(stack_id):
    folder, stack = locate(stack_id)
    result = to_json(compare(plan_stack(stack, project_dir=folder).plan))
    json.dumps(result)
    assert set(result["eksNodes"]["rollingMinutes"]) == set(result["eksFargate"]["rollingMinutes"])
    if result["eksFargate"]["rollingMinutes"]:  # a platform stack runs no workload to compare
        assert result["eksFargate"]["cost"]["monthlyUsd"] > 0 and result["eksNodes"]["manifests"]


def test_a_service_stacks_comparison_says_the_ecs_side_leaves_out_its_platform(tmp_path):
    write_project(tmp_path, {
        "platform-dev": platform_config(),
        "team-a": service_config(services={"web": web_service("/a/*")}),
    })  # fmt: skip
    done = offline("--stack", "team-a", "--project-dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "the ECS column is this team's stack only" in done.stdout
    single = offline("--stack", "dev", "--config-file", str(fixture_path("dev")))
    assert "the ECS column is this team's stack only" not in single.stdout
