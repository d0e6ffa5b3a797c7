"""`python -m offline plan --timings`: where the time went, on stderr, without touching the plan."""

from __future__ import annotations

import importlib._bootstrap as bootstrap
import json
import sys

from offline import timings
from offline.__main__ import main

KEYS = [*timings.PHASES, "other", "total"]


def _figures(stderr: str) -> dict[str, float]:
    (line,) = [x for x in stderr.splitlines() if x.startswith("timings: ")]
    words = line.removeprefix("timings: ").split()
    return {k: float(v) for k, v in zip(words[::2], words[1::2], strict=True)}


def test_timings_go_to_stderr_and_leave_the_plan_json_as_it_is(capsys):
    assert main(["plan", "--stack", "staging", "--json"]) == 0
    plain = capsys.readouterr()
    assert main(["plan", "--stack", "staging", "--json", "--timings"]) == 0
    timed = capsys.readouterr()
    assert timed.out == plain.out
    assert "timings:" not in plain.err
    figures = _figures(timed.err)
    assert list(figures) == KEYS
    assert all(v >= 0 for k, v in figures.items() if k != "other")
    assert abs(sum(v for k, v in figures.items() if k != "total") - figures["total"]) < 0.01
    assert json.loads(timed.out)["stack"] == "staging"


def test_the_import_hook_is_installed_only_while_timing():
    untouched = bootstrap._find_and_load  # pyright: ignore[reportAttributeAccessIssue]
    assert timings.phase("config") is timings.phase("policy")  # one shared no-op when off
    timings.start()
    assert bootstrap._find_and_load is not untouched  # pyright: ignore[reportAttributeAccessIssue]
    timings.report(sys.stderr)
    assert bootstrap._find_and_load is untouched  # pyright: ignore[reportAttributeAccessIssue]


def test_a_module_loaded_inside_a_phase_counts_as_imports_not_as_the_phase(
    tmp_path, monkeypatch, capsys
):
    (tmp_path / "slow_to_import.py").write_text("import time\ntime.sleep(0.2)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    timings.start()
    with timings.phase("config"):
        import slow_to_import  # noqa: F401
    timings.report(sys.stderr)
    figures = _figures(capsys.readouterr().err)
    assert figures["imports"] >= 0.2
    assert figures["config"] < figures["imports"]
    sys.modules.pop("slow_to_import", None)
