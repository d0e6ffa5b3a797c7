"""Copilot `count` in every form it takes, per environment: what the importer emits, what it
reports, and that the result passes the config layer and plans offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from offline.importers.check import plan_stack, validate
from offline.importers.copilot import import_copilot
from offline.importers.copilot.parse import merge_count
from offline.importers.copilot.tables import WORKER_COOLDOWN_SECONDS
from offline.importers.findings import StackImport

REGION, ACCOUNT = "us-east-1", "123456789012"
TARGET = "aws:appautoscaling/target:Target"
POLICY = "aws:appautoscaling/policy:Policy"
SERVICE = "aws:ecs/service:Service"
WEB = """\
name: web
type: Load Balanced Web Service
image: {location: public.ecr.aws/nginx/nginx:1.27, port: 80}
http: {path: /}
"""
BACKEND = """\
name: api
type: Backend Service
image: {location: public.ecr.aws/shop/api:1.0, port: 8080}
"""
WORKER = """\
name: jobs
type: Worker Service
image: {location: public.ecr.aws/shop/jobs:1.0}
"""


def stacks(tmp_path: Path, manifest: str, count: Any, **envs: Any) -> dict[str, StackImport]:
    """Import one workload manifest with `count` (and per-environment `count` overrides)."""
    doc = yaml.safe_load(manifest)
    if count is not None:
        doc["count"] = count
    if envs:
        doc["environments"] = {env: {"count": c} for env, c in envs.items()}
    folder = tmp_path / "copilot" / doc["name"]
    folder.mkdir(parents=True)
    (folder / "manifest.yml").write_text(yaml.safe_dump(doc))
    return import_copilot(tmp_path / "copilot", region=REGION, account=ACCOUNT).stacks


def one(tmp_path: Path, manifest: str, count: Any) -> StackImport:
    (stack,) = stacks(tmp_path, manifest, count).values()
    return stack


def service(stack: StackImport, name: str = "web") -> dict[str, Any]:
    return stack.config["ecs-platform:services"][name]


def worker(stack: StackImport) -> dict[str, Any]:
    return stack.config["ecs-platform:workers"]["jobs"]


def about_count(stack: StackImport) -> list[tuple[str, str, str]]:
    return [(f.kind, f.where, f.message) for f in stack.findings if ".count" in f".{f.where}"]


def planned(stack: StackImport, env: str = "default"):
    validate(stack, env)
    return plan_stack(stack, env)


# -- services --------------------------------------------------------------------------------


def test_a_plain_count_is_the_desired_count_without_autoscaling(tmp_path: Path):
    stack = one(tmp_path, WEB, 3)
    assert service(stack)["desiredCount"] == 3
    assert "autoscaling" not in service(stack) and "capacityProviders" not in service(stack)
    assert about_count(stack) == []


def test_a_range_with_metrics_becomes_autoscaling_with_copilots_cooldowns(tmp_path: Path):
    count = {"range": "2-10", "cpu_percentage": 70, "memory_percentage": 80, "requests": 1000}
    stack = one(tmp_path, WEB, count)
    assert service(stack)["desiredCount"] == 2
    assert service(stack)["autoscaling"] == {
        "minCount": 2,
        "maxCount": 10,
        "cpuTarget": 70,
        "memoryTarget": 80,
        "requestsPerTarget": 1000,
        "scaleInCooldownSeconds": 120,
        "scaleOutCooldownSeconds": 60,
    }
    assert about_count(stack) == []
    plan = planned(stack)
    target = plan.named("web-scaling", TARGET).inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (2, 10)
    policies = {
        p.name: p.inputs["targetTrackingScalingPolicyConfiguration"] for p in plan.of_type(POLICY)
    }
    assert {n: p["targetValue"] for n, p in policies.items()} == {
        "web-cpu": 70,
        "web-memory": 80,
        "web-requests": 1000,
    }
    assert {(p["scaleInCooldown"], p["scaleOutCooldown"]) for p in policies.values()} == {(120, 60)}


def test_a_range_map_without_spot_from_is_the_same_range(tmp_path: Path):
    stack = one(tmp_path, WEB, {"range": {"min": 1, "max": 4}, "cpu_percentage": 50})
    scaling = service(stack)["autoscaling"]
    assert (scaling["minCount"], scaling["maxCount"], scaling["cpuTarget"]) == (1, 4, 50)
    assert "capacityProviders" not in service(stack)


def test_spot_from_keeps_the_first_tasks_on_demand_and_the_rest_on_spot(tmp_path: Path):
    count = {"range": {"min": 1, "max": 10, "spot_from": 3}, "cpu_percentage": 70}
    stack = one(tmp_path, WEB, count)
    assert service(stack)["capacityProviders"] == [
        {"provider": "FARGATE", "base": 2, "weight": 0},
        {"provider": "FARGATE_SPOT", "weight": 1},
    ]
    assert about_count(stack) == []
    ecs = planned(stack).named("web-service", SERVICE).inputs
    assert ecs["capacityProviderStrategies"] == [
        {"capacityProvider": "FARGATE", "base": 2, "weight": 0},
        {"capacityProvider": "FARGATE_SPOT", "base": 0, "weight": 1},
    ]


def test_spot_from_below_the_minimum_is_all_spot_as_copilot_deploys_it_and_says_so(
    tmp_path: Path,
):
    count = {"range": {"min": 4, "max": 10, "spot_from": 2}, "cpu_percentage": 70}
    stack = one(tmp_path, WEB, count)
    assert service(stack)["capacityProviders"] == [{"provider": "FARGATE_SPOT", "weight": 1}]
    ((kind, where, message),) = about_count(stack)
    assert (kind, where) == ("input", "count.range.spot_from")
    assert "below the range minimum 4" in message and "base: 1, weight: 0" in message


def test_count_spot_runs_that_many_tasks_on_fargate_spot(tmp_path: Path):
    stack = one(tmp_path, WEB, {"spot": 5})
    assert service(stack)["desiredCount"] == 5
    assert service(stack)["capacityProviders"] == [{"provider": "FARGATE_SPOT", "weight": 1}]
    assert "autoscaling" not in service(stack)
    ecs = planned(stack).named("web-service", SERVICE).inputs
    assert ecs["desiredCount"] == 5
    assert ecs["capacityProviderStrategies"] == [
        {"capacityProvider": "FARGATE_SPOT", "base": 0, "weight": 1}
    ]


def test_a_metrics_own_cooldown_overrides_count_cooldown_key_by_key(tmp_path: Path):
    count = {
        "range": "1-5",
        "cooldown": {"in": "30s", "out": "1m30s"},
        "cpu_percentage": {"value": 60, "cooldown": {"out": "2m30s"}},
    }
    scaling = service(one(tmp_path, WEB, count))["autoscaling"]
    assert (scaling["cpuTarget"], scaling["scaleInCooldownSeconds"]) == (60, 30)
    assert scaling["scaleOutCooldownSeconds"] == 150


def test_cooldowns_that_differ_per_metric_take_the_longest_in_and_shortest_out(tmp_path: Path):
    count = {
        "range": "1-5",
        "cpu_percentage": {"value": 60, "cooldown": {"in": "10m", "out": "2m"}},
        "memory_percentage": 75,
    }
    stack = one(tmp_path, WEB, count)
    scaling = service(stack)["autoscaling"]
    assert (scaling["scaleInCooldownSeconds"], scaling["scaleOutCooldownSeconds"]) == (600, 60)
    ((kind, where, message),) = about_count(stack)
    assert (kind, where) == ("changed", "count.cooldown")
    assert "cpu_percentage in 600 s/out 120 s, memory_percentage in 120 s/out 60 s" in message


def test_response_time_is_reported_and_the_other_metrics_still_scale(tmp_path: Path):
    stack = one(tmp_path, WEB, {"range": "2-6", "cpu_percentage": 70, "response_time": "2s"})
    assert service(stack)["autoscaling"]["cpuTarget"] == 70
    assert about_count(stack) == [
        (
            "unmapped",
            "count.response_time",
            "2s: target tracking on the ALB's average response time is not in autoscaling "
            "(cpuTarget, memoryTarget, requestsPerTarget); the other metrics apply",
        )
    ]


def test_a_range_scaled_on_response_time_only_runs_the_minimum(tmp_path: Path):
    stack = one(tmp_path, WEB, {"range": "2-6", "response_time": {"value": "500ms"}})
    assert service(stack)["desiredCount"] == 2
    assert "autoscaling" not in service(stack)
    assert [(k, w) for k, w, _ in about_count(stack)] == [
        ("unmapped", "count.response_time"),
        ("unmapped", "count.range"),
    ]
    assert "desiredCount is the minimum, 2" in about_count(stack)[1][2]
    planned(stack)


def test_request_scaling_needs_an_alb(tmp_path: Path):
    stack = one(tmp_path, BACKEND, {"range": "1-3", "requests": 500, "memory_percentage": 70})
    assert service(stack, "api")["autoscaling"]["memoryTarget"] == 70
    assert "requestsPerTarget" not in service(stack, "api")["autoscaling"]
    assert [(k, w) for k, w, _ in about_count(stack)] == [("unmapped", "count.requests")]
    planned(stack)


def test_a_target_outside_what_autoscaling_takes_is_clamped_and_reported(tmp_path: Path):
    stack = one(tmp_path, WEB, {"range": "1-3", "cpu_percentage": 99})
    assert service(stack)["autoscaling"]["cpuTarget"] == 95
    assert about_count(stack) == [
        ("changed", "count.cpu_percentage", "99 is outside 10-95 here; set to 95")
    ]


def test_metrics_without_a_range_are_reported_not_guessed(tmp_path: Path):
    stack = one(tmp_path, WEB, {"cpu_percentage": 70})
    assert "desiredCount" not in service(stack) and "autoscaling" not in service(stack)
    assert [(k, w) for k, w, _ in about_count(stack)] == [("unmapped", "count.cpu_percentage")]


@pytest.mark.parametrize("bad", ["5-2", "0-0", {"min": 1}, "1-6000"])
def test_a_range_autoscaling_cannot_take_is_reported_and_left_out(tmp_path: Path, bad):
    stack = one(tmp_path, WEB, {"range": bad, "cpu_percentage": 50})
    assert "autoscaling" not in service(stack) and "desiredCount" not in service(stack)
    assert [(k, w) for k, w, _ in about_count(stack)] == [("unmapped", "count.range")]


# -- workers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latency", "processing", "backlog"),
    [
        ("10m", "250ms", 2400),  # Copilot's documented example
        ("10s", "3s", 4),  # Copilot rounds up (math.Ceil)
        ("1.1s", "100ms", 11),  # durations divide exactly, as Go's time.Duration does
    ],
)
def test_queue_delay_is_copilots_backlog_per_task(
    tmp_path: Path, latency: str, processing: str, backlog: int
):
    delay = {"acceptable_latency": latency, "msg_processing_time": processing}
    stack = one(tmp_path, WORKER, {"range": "1-5", "queue_delay": delay})
    assert worker(stack)["scaling"] == {"minCount": 1, "maxCount": 5, "backlogPerTask": backlog}
    assert about_count(stack) == [
        (
            "changed",
            "count.queue_delay",
            "Copilot's backlog policy scales in after 120 s; the worker here waits 300 s "
            "(scale-out 60 s in both)",
        )
    ]


def test_worker_cooldowns_are_reported_because_the_workers_are_fixed(tmp_path: Path):
    delay = {"acceptable_latency": "1m", "msg_processing_time": "1s", "cooldown": {"in": "1m"}}
    stack = one(tmp_path, WORKER, {"range": "1-5", "queue_delay": delay})
    assert worker(stack)["scaling"]["backlogPerTask"] == 60
    assert [(k, w) for k, w, _ in about_count(stack)] == [
        ("unmapped", "count.queue_delay.cooldown")
    ]


def test_the_fixed_worker_cooldowns_the_importer_cites_are_the_workers():
    from components import worker as component

    assert WORKER_COOLDOWN_SECONDS == {
        "in": component.SCALE_IN_COOLDOWN_SECONDS,
        "out": component.SCALE_OUT_COOLDOWN_SECONDS,
    }


def test_a_worker_scaled_on_cpu_keeps_its_range_and_reports_the_metric(tmp_path: Path):
    stack = one(tmp_path, WORKER, {"range": "2-8", "cpu_percentage": 70})
    assert worker(stack)["scaling"] == {"minCount": 2, "maxCount": 8}
    assert [(k, w) for k, w, _ in about_count(stack)] == [
        ("unmapped", "count.cpu_percentage"),
        ("changed", "count.range"),
    ]
    assert "default target of 100 messages per task" in about_count(stack)[1][2]


@pytest.mark.parametrize(
    ("count", "scaling"),
    [(None, {"minCount": 1, "maxCount": 1}), (3, {"minCount": 3, "maxCount": 3})],
)
def test_a_fixed_worker_count_is_a_range_of_one_value(tmp_path: Path, count, scaling):
    stack = one(tmp_path, WORKER, count)
    assert worker(stack)["scaling"] == scaling
    assert about_count(stack) == []


def test_a_worker_count_of_zero_says_it_will_start_on_messages(tmp_path: Path):
    stack = one(tmp_path, WORKER, 0)
    assert worker(stack)["scaling"] == {"minCount": 0, "maxCount": 1}
    assert [(k, w) for k, w, _ in about_count(stack)] == [("changed", "count")]


def test_worker_spot_and_spot_from_become_its_capacity_providers(tmp_path: Path):
    delay = {"acceptable_latency": "5m", "msg_processing_time": "1s"}
    count = {"range": {"min": 1, "max": 6, "spot_from": 2}, "queue_delay": delay}
    stack = one(tmp_path, WORKER, count)
    assert worker(stack)["capacityProviders"] == [
        {"provider": "FARGATE", "base": 1, "weight": 0},
        {"provider": "FARGATE_SPOT", "weight": 1},
    ]
    ecs = planned(stack).named("jobs-service", SERVICE).inputs
    assert ecs["capacityProviderStrategies"][1]["capacityProvider"] == "FARGATE_SPOT"
    spot = one(tmp_path / "spot", WORKER, {"spot": 2})
    assert worker(spot)["scaling"] == {"minCount": 2, "maxCount": 2}
    assert worker(spot)["capacityProviders"] == [{"provider": "FARGATE_SPOT", "weight": 1}]


# -- environment overrides -------------------------------------------------------------------


def test_each_environment_gets_its_own_count(tmp_path: Path):
    base = {"range": "1-4", "cpu_percentage": 70}
    result = stacks(tmp_path, WEB, base, test=1, staging={"range": "2-8"}, prod={"spot": 3})
    assert service(result["test"])["desiredCount"] == 1
    assert "autoscaling" not in service(result["test"])
    staging = service(result["staging"])["autoscaling"]
    assert (staging["minCount"], staging["maxCount"], staging["cpuTarget"]) == (2, 8, 70)
    prod = service(result["prod"])
    assert prod["desiredCount"] == 3 and "autoscaling" not in prod
    assert prod["capacityProviders"] == [{"provider": "FARGATE_SPOT", "weight": 1}]
    for env, stack in result.items():
        assert about_count(stack) == [], env
        planned(stack, env)


def test_findings_about_an_overridden_count_name_the_environment_key(tmp_path: Path):
    result = stacks(
        tmp_path, WEB, {"range": "1-4", "cpu_percentage": 70}, prod={"response_time": "1s"}
    )
    assert about_count(result["prod"])[0][:2] == (
        "unmapped",
        "environments.prod.count.response_time",
    )


def test_an_autoscaling_override_drops_a_base_spot_count(tmp_path: Path):
    result = stacks(tmp_path, WEB, {"spot": 2}, prod={"range": "2-6", "memory_percentage": 60})
    prod = service(result["prod"])
    assert prod["autoscaling"]["memoryTarget"] == 60
    assert "capacityProviders" not in prod
    assert about_count(result["prod"]) == []


def test_count_overrides_follow_copilots_spot_and_autoscaling_exclusion():
    base = {"range": "1-4", "cooldown": {"in": "1m"}, "cpu_percentage": 70}
    assert merge_count(base, {"spot": 3}) == {"spot": 3}
    assert merge_count({"spot": 3}, {"range": "2-5"}) == {"range": "2-5"}
    assert merge_count(base, {"range": {"min": 2, "max": 5}}) == {
        "range": {"min": 2, "max": 5},
        "cooldown": {"in": "1m"},
        "cpu_percentage": 70,
    }
    assert merge_count(base, 4) == 4
    assert merge_count(2, {"range": "1-3"}) == {"range": "1-3"}
