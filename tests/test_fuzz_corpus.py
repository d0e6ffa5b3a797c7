"""Fuzzing the whole CLI: every mutated stack file plans (exit 0, or 3 with the report) or is
refused with exit 2 and one line naming the key; never a traceback. Mutations include wrong
types, boundary numbers, missing/unknown/misspelt keys and broken cross-references
(tests/fuzzing.py). `python benchmarks/fuzz.py` runs a larger batch and prints the figures."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .fuzzing import SECRET_ENTRIES, SEEDS, classify, mutated

FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(case=mutated())
def test_mutated_stack_files_plan_or_exit_2_with_one_line(case):
    outcome, detail = classify(*case)
    assert outcome in ("accepted", "refused"), detail


@pytest.mark.parametrize(("name", "value"), SECRET_ENTRIES)
def test_secret_like_plain_environment_is_refused_and_references_are_not(name, value):
    doc = copy.deepcopy(SEEDS["staging"])
    doc["config"]["ecs-platform:services"]["web"]["environment"][name] = value
    outcome, detail = classify("staging", doc)
    if name in ("PASSWORD_URL", "SECRET_ARN"):
        assert outcome == "accepted", detail
    else:
        assert outcome == "refused" and f"services.web.environment.{name}" in detail, detail


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(lb=st.sampled_from(["nope", "Public", "", "mqtt"]), port=st.sampled_from([80, 8883]))
def test_broken_load_balancer_references_are_refused_with_the_key(lb, port):
    doc = copy.deepcopy(SEEDS["prod"])
    web = doc["config"]["ecs-platform:services"]["web"]
    web["loadBalancer"] = {"name": lb, "healthCheck": {"path": "/healthz"}}
    web["containerPort"] = port
    outcome, detail = classify("prod", doc)
    assert outcome == "refused", detail
    assert "services.web.loadBalancer" in detail
