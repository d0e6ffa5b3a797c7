"""Property: any mutation of a valid stack config either parses or fails with one ConfigError.

Mutations: replace a value (any JSON type), delete a key, add an unknown key, misspell a key.
A traceback of any other kind is a bug in the config layer.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.config import ConfigError, parse_stack_config
from offline.engine import plan
from offline.stackfiles import apply_project_config, read_config_mapping
from tests.fuzzing import mutate_once
from tests.support import fixture_path

SEEDS = {  # the tests' stack fixtures
    stack: apply_project_config(read_config_mapping(fixture_path(stack)), stack, "x")
    for stack in ("dev", "staging", "prod")
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12)
    | st.sampled_from(["FARGATE", "public", "10.0.0.0/16", "arn:aws:s3:::x", "perAz", "256"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    cfg = copy.deepcopy(SEEDS[draw(st.sampled_from(sorted(SEEDS)))])
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["replace", "delete", "unknown", "typo"]))
        mutate_once(draw, cfg, action, json_values)
    return cfg


def check(cfg: dict[str, Any]) -> str:
    try:
        parse_stack_config(cfg, stack="fuzz", source="Pulumi.fuzz.yaml")
    except ConfigError as exc:
        assert "\n" not in str(exc)
        assert str(exc).startswith("Pulumi.fuzz.yaml: ")
        return "refused"
    return "accepted"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cfg=mutated())
def test_mutated_configs_parse_or_fail_with_one_config_error(cfg):
    check(cfg)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cfg=mutated())
def test_mutated_configs_that_parse_also_plan(cfg, tmp_path_factory):
    if check(cfg) == "refused":
        return
    path = tmp_path_factory.mktemp("fuzz") / "Pulumi.fuzz.yaml"
    path.write_text(yaml.safe_dump({"config": cfg}))
    try:
        plan("fuzz", path)
    except ConfigError as exc:  # e.g. more AZs than the region has: found only by a lookup
        assert "\n" not in str(exc)
