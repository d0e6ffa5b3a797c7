"""The commands users run: exit codes, one-line errors, no tracebacks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import yaml

from tests.support import fixture_doc, fixture_path

ROOT = Path(__file__).resolve().parent.parent


def offline(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "offline", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def bad_stack_file(tmp_path: Path) -> Path:
    doc = fixture_doc("dev")
    doc["config"]["ecs-platform:network"]["natGateways"] = "two"
    path = tmp_path / "Pulumi.bad.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def test_plan_json_prints_one_json_object_and_exits_0():
    done = offline("plan", "--stack", "staging", "--config-file", str(fixture_path("staging")),
                   "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["stack"] == "staging"


def test_invalid_config_exits_2_with_one_line_naming_file_key_and_allowed_values(tmp_path):
    done = offline("plan", "--stack", "bad", "--config-file", str(bad_stack_file(tmp_path)))
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert re.search(
        r"Pulumi\.bad\.yaml:\d+: network\.natGateways: 'two' is not allowed; use one of "
        r"'none', 'single', 'perAz' or 'instance'$",
        line,
    )


def test_unknown_stack_exits_2():
    done = offline("plan", "--stack", "nope")
    assert done.returncode == 2 and "no such stack file" in done.stderr
    assert "Traceback" not in done.stderr


def test_invalid_config_under_pulumi_up_exits_2_before_registering_anything(tmp_path):
    """Runs __main__.py the way the Python language host does, with config in PULUMI_CONFIG."""
    doc = yaml.safe_load(bad_stack_file(tmp_path).read_text())["config"]
    env = dict(os.environ, PULUMI_CONFIG=json.dumps(
        {k: v if isinstance(v, str) else json.dumps(v) for k, v in doc.items()}))  # fmt: skip
    script = textwrap.dedent(
        f"""
        import runpy, sys
        sys.path.insert(0, {str(ROOT)!r})
        import pulumi
        from offline.engine import CapturingMonitor
        from offline.mocks import OfflineMocks
        mocks = OfflineMocks("ap-northeast-2")
        monitor = CapturingMonitor(mocks)
        pulumi.runtime.set_mocks(mocks, project="ecs-platform", stack="bad", monitor=monitor)
        try:
            runpy.run_path({str(ROOT / "__main__.py")!r}, run_name="__main__")
        finally:
            print(len(monitor.captured), file=sys.stdout)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 2
    assert done.stdout.strip() == "0"
    assert done.stderr.strip() == (
        "Pulumi.bad.yaml: network.natGateways: 'two' is not allowed; use one of "
        "'none', 'single', 'perAz' or 'instance'"
    )


def test_schema_check_passes_for_the_committed_schema():
    assert offline("schema", "--check").returncode == 0


def test_the_first_make_plan_says_it_is_installing_and_shows_pips_progress(tmp_path):
    """`make -n` prints the recipe a fresh machine runs (no stamp file yet)."""
    done = subprocess.run(
        ["make", "-n", "plan", f"STAMP={tmp_path / 'stamp'}"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    recipe = done.stdout.splitlines()
    install = next(line for line in recipe if "pip install" in line)
    assert "--quiet" not in install and " -q" not in install
    assert recipe.index(install) > next(
        i for i, line in enumerate(recipe) if line.startswith("echo") and "installing" in line
    )
