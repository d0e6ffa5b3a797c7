"""A corpus of real-world config mistakes (tests/fixtures/mistakes.yaml), each applied to one of
the tests' stack fixtures (tests/fixtures/stacks): each is refused by `python -m offline plan`,
with exit 2 and one line naming the key, or exit 3 and a report that names the policy. Every
stack file in the repository plans with exit 0 at its own policy level."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from offline.__main__ import main
from tests.stack_files import locate
from tests.support import fixture_doc, fixture_path
from tests.test_stacks import STACKS

ROOT = Path(__file__).resolve().parent.parent
CORPUS: list[dict[str, Any]] = yaml.safe_load((ROOT / "tests/fixtures/mistakes.yaml").read_text())
DELETE = "__delete__"


def apply(stack: str, edits: dict[str, Any]) -> dict[str, Any]:
    doc = fixture_doc(stack)
    cfg = doc["config"]
    for path, value in edits.items():
        top, *rest = path.split(".")
        key = f"ecs-platform:{top}"
        if not rest:
            if value == DELETE:
                cfg.pop(key)
            else:
                cfg[key] = copy.deepcopy(value)
            continue
        node = cfg[key]
        for part in rest[:-1]:
            node = node.setdefault(part, {})
        if value == DELETE:
            del node[rest[-1]]
        else:
            node[rest[-1]] = copy.deepcopy(value)
    return doc


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_corpus_holds_at_least_25_distinct_mistakes():
    ids = [m["id"] for m in CORPUS]
    assert len(ids) == len(set(ids)) >= 25
    assert {m["exit"] for m in CORPUS} == {2, 3}


@pytest.mark.parametrize("mistake", CORPUS, ids=[m["id"] for m in CORPUS])
def test_each_mistake_is_refused_with_a_message_that_names_the_problem(mistake, tmp_path, capsys):
    path = tmp_path / f"Pulumi.{mistake['stack']}.yaml"
    path.write_text(yaml.safe_dump(apply(mistake["stack"], mistake["set"])))
    code, out, err = run(["plan", "--stack", mistake["stack"], "--config-file", str(path)], capsys)
    assert code == mistake["exit"], err or out[-2000:]
    assert "Traceback" not in out + err
    if code == 2:
        assert out == "" and err.count("\n") == 1
        for fragment in mistake["mentions"]:
            assert fragment in err, err
    else:
        policy, *fragments = mistake["mentions"]
        lines = [line for line in out.splitlines() if f"[mandatory] {policy}:" in line]
        assert lines, out[-3000:]
        assert all(any(f in line for line in lines) for f in fragments), lines
        assert err.startswith("refused: ") and err.count("\n") == 1


@pytest.mark.parametrize("stack_id", STACKS)
def test_every_stack_file_plans_with_exit_0_and_reports_its_policy_findings(stack_id, capsys):
    folder, stack = locate(stack_id)
    code, out, err = run(["plan", "--stack", stack, "--project-dir", str(folder), "--json"], capsys)
    assert code == 0, err
    policy = json.loads(out)["policy"]
    assert policy["environment"] in ("dev", "staging", "prod") and policy["levelFrom"]
    for v in policy["violations"]:
        assert set(v) >= {"policy", "urn", "level", "message"}
        assert v["level"] == "advisory"


def test_the_human_report_ends_with_the_policy_section(capsys):
    code, out, _err = run(
        ["plan", "--stack", "prod", "--config-file", str(fixture_path("prod"))], capsys
    )
    assert code == 0
    section = out[out.index("Policy (prod rules") :]
    assert "0 mandatory, 0 advisory violation(s)" in section.splitlines()[0]
    assert "[exempt] pul-no-fixed-names: mqtt-lb" in section
