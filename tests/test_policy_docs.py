"""docs/policy.md's rule table is generated from the policy pack's rule registry and the
environments' pack configs; `python -m offline schema --check` (run by `make lint`) fails when
the committed table is stale."""

from __future__ import annotations

import pytest

from offline import policy_docs
from offline.__main__ import main
from offline.policy import ENVIRONMENTS, pack_config, settings
from offline.policy_docs import BEGIN, END, LEVEL_MARKS, POLICY_DOC_PATH, policy_doc, rule_row
from policy.rules import RULES
from policy.rules.lb import RULES as LB_RULES

WAF = next(r for r in LB_RULES if r.name == "lb-waf")


def levels(rule, configs=None) -> str:
    """The rule's levels as its row shows them, read from the pack configs."""
    configs = configs or {env: pack_config(env) for env in ENVIRONMENTS}
    return " / ".join(LEVEL_MARKS[settings(rule, configs[env])[0]] for env in ENVIRONMENTS)


def test_the_committed_rule_table_is_the_one_the_registry_renders():
    text = POLICY_DOC_PATH.read_text()
    assert policy_doc(text) == text, "run: python -m offline schema"


def test_every_rule_has_one_row_with_its_levels_description_and_source():
    table = POLICY_DOC_PATH.read_text().partition(BEGIN)[2].partition(END)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) == len(RULES)
    row = next(r for r in rows if r.startswith(f"| `{WAF.name}` |"))
    assert f"| {WAF.ref} | {WAF.summary} | {', '.join(WAF.anchors)} | stack |" in row
    assert row.endswith(f"| {levels(WAF)} |  | `policy/rules/lb.py` |")


def test_a_level_changed_in_a_pack_config_changes_the_row():
    configs = {env: pack_config(env) for env in ENVIRONMENTS}
    configs["dev"] = {**configs["dev"], WAF.name: "mandatory"}
    configs["prod"] = {**configs["prod"], WAF.name: "disabled"}
    assert levels(WAF, configs).startswith("M / ") and levels(WAF, configs).endswith(" / off")
    assert f"| {levels(WAF, configs)} |" in rule_row(WAF, configs)


def test_only_the_text_between_the_markers_is_rewritten():
    stale = f"# Prose kept\n\nBefore.\n\n{BEGIN}\n| old | table |\n{END}\n\nAfter.\n"
    fresh = policy_doc(stale)
    assert fresh.startswith(f"# Prose kept\n\nBefore.\n\n{BEGIN}\n\n{len(RULES)} rules.\n")
    assert fresh.endswith(f"\n\n{END}\n\nAfter.\n")
    assert "| old | table |" not in fresh


def test_a_document_without_the_markers_is_refused():
    with pytest.raises(ValueError, match="lacks the rule table markers"):
        policy_doc("# Policy pack\n\n| Policy | Ref |\n")


def test_the_schema_check_fails_on_a_stale_rule_table(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "policy.md"
    text = POLICY_DOC_PATH.read_text()
    stale.write_text(text.replace(f"| {WAF.summary} |", "| a summary edited by hand |", 1))
    monkeypatch.setattr(policy_docs, "POLICY_DOC_PATH", stale)
    assert main(["schema", "--check"]) == 1
    assert f"{stale} is out of date" in capsys.readouterr().err
    stale.write_text(policy_doc(stale.read_text()))
    assert main(["schema", "--check"]) == 0
