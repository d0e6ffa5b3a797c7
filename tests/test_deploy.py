"""Deployment-time model: hand-computed rolling updates and a fresh stack's critical path."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from offline.deploy import CREATE_SECONDS, OTHER_CREATE_SECONDS, DeployReport, estimate
from offline.engine import Plan
from tests.support import config, mutate, plan_config
from tests.test_cost import WEB
from tests.test_stacks import STACKS, stack_plan

# What ECS, ELB and the Terraform/Pulumi providers do when nothing is set (reference 1.1).
AWS_DEFAULTS = {
    **WEB,
    "stopTimeoutSeconds": 30,
    "loadBalancer": {
        "name": "public",
        "deregistrationDelaySeconds": 300,
        "healthCheck": {"intervalSeconds": 30, "timeoutSeconds": 6, "healthyThreshold": 5},
    },
}
TUNED = {
    **WEB,
    "loadBalancer": {
        "name": "public",
        "deregistrationDelaySeconds": 5,
        "healthCheck": {"intervalSeconds": 5, "timeoutSeconds": 4, "healthyThreshold": 2},
    },
}


def stack(service: dict[str, Any], **assumptions: Any) -> dict[str, Any]:
    return config(
        loadBalancers={"public": {"type": "application"}},
        services={"web": service},
        assumptions=assumptions,
    )


def report(cfg: dict[str, Any]) -> DeployReport:
    return estimate(plan_config(cfg))


def seconds(cfg: dict[str, Any]) -> float:
    (service,) = report(cfg).services
    return service.seconds


def test_four_tasks_with_aws_defaults_take_about_nine_minutes():
    assert seconds(stack(AWS_DEFAULTS)) == pytest.approx(545)  # 215 s new + 330 s old


def test_the_one_check_model_for_new_targets_takes_seven_minutes():
    assert seconds(stack(AWS_DEFAULTS, newTargetHealthChecks="one")) == pytest.approx(425)


def test_the_tuned_profile_with_an_app_that_exits_on_sigterm_takes_82_seconds():
    assert seconds(stack(TUNED, appShutdownSeconds=2)) == pytest.approx(82)


def test_a_small_image_shortens_the_launch_to_62_seconds():
    assert seconds(stack(TUNED, appShutdownSeconds=2, imageSizeMb=50)) == pytest.approx(62)


def test_copilot_drain_of_60_seconds_takes_about_five_minutes():
    copilot = mutate(
        stack(AWS_DEFAULTS), "services.web.loadBalancer.deregistrationDelaySeconds", 60
    )
    assert seconds(copilot) == pytest.approx(305)


def test_max_150_percent_needs_two_waves_with_or_without_the_draining_slot():
    cfg = mutate(stack(AWS_DEFAULTS), "services.web.maxPercent", 150)
    assert seconds(cfg) == pytest.approx(1090)  # 2 x (215 + 330)
    optimistic = mutate(cfg, "assumptions.drainingTaskHoldsSlot", False)
    assert seconds(optimistic) == pytest.approx(760)  # 2 x 215 + 330
    (service,) = report(cfg).services
    assert service.waves == 2


def test_with_max_200_percent_the_time_does_not_depend_on_the_count():
    one = mutate(stack(TUNED), "services.web.desiredCount", 1)
    ten = mutate(stack(TUNED), "services.web.desiredCount", 10)
    assert seconds(one) == seconds(ten)


def test_the_default_drain_dominates_the_aws_defaults():
    (service,) = report(stack(AWS_DEFAULTS)).services
    assert service.dominant.startswith("target group deregistrationDelay 300")


def test_a_service_without_load_balancer_counts_healthy_after_40_seconds():
    worker = {k: v for k, v in WEB.items() if k not in ("loadBalancer", "containerPort")}
    cfg = config(services={"worker": worker})
    (service,) = report(cfg).services
    assert service.new_task_seconds == pytest.approx(10 + 45 + 10 + 40)
    assert service.old_task_seconds == pytest.approx(30)  # no target group: stop only


def with_deployment(plan: Plan, deployment: dict[str, Any]) -> Plan:
    """The plan with deploymentConfiguration on every ECS service, as a strategy would send it."""
    resources = [
        dataclasses.replace(r, inputs={**r.inputs, "deploymentConfiguration": deployment})
        if r.type == "aws:ecs/service:Service"
        else r
        for r in plan.resources
    ]
    return dataclasses.replace(plan, resources=resources)


@pytest.mark.parametrize(
    ("deployment", "extra_seconds"),
    [
        ({"strategy": "BLUE_GREEN", "bakeTimeInMinutes": "5"}, 5 * 60),
        ({"strategy": "CANARY", "bakeTimeInMinutes": "5"}, 10 * 60 + 5 * 60),
        (
            {"strategy": "CANARY", "bakeTimeInMinutes": "0",
             "canaryConfiguration": {"canaryPercent": 10, "canaryBakeTimeInMinutes": "3"}},
            3 * 60,
        ),
        ({"strategy": "LINEAR", "bakeTimeInMinutes": "2"}, 9 * 6 * 60 + 2 * 60),
        (
            {"strategy": "LINEAR", "bakeTimeInMinutes": "0",
             "linearConfiguration": {"stepPercent": 25, "stepBakeTimeInMinutes": "1"}},
            3 * 60,
        ),
    ],
)  # fmt: skip
def test_blue_green_canary_and_linear_add_their_bake_and_shift_times(deployment, extra_seconds):
    base = plan_config(stack(TUNED, appShutdownSeconds=2))
    (service,) = estimate(with_deployment(base, deployment)).services
    assert service.strategy == deployment["strategy"]
    assert service.seconds == pytest.approx(75 + 7 + extra_seconds)


def test_a_fresh_http_stack_waits_for_vpc_security_group_alb_listener_rule_and_service():
    cfg = mutate(stack(TUNED), "network.natGateways", "none")
    cfg = mutate(cfg, "services.web.assignPublicIp", True)
    rep = report(cfg)
    path = [r.type.rsplit(":", 1)[-1] for r, _ in rep.critical_path]
    # The stack dashboard names every service, so it is created last.
    assert path == [
        "Vpc",
        "SecurityGroup",
        "LoadBalancer",
        "Listener",
        "ListenerRule",
        "Service",
        "Dashboard",
    ]
    dashboard = CREATE_SECONDS.get("aws:cloudwatch/dashboard:Dashboard", OTHER_CREATE_SECONDS)
    assert rep.fresh_stack_seconds == pytest.approx(12 + 6 + 116 + 2 + 2 + 119 + dashboard)


def warnings(cfg: dict[str, Any]) -> list[str]:
    return report(cfg).warnings


def test_a_grace_period_shorter_than_the_app_start_is_flagged():
    cfg = mutate(stack(TUNED, appReadySeconds=45), "services.web.healthCheckGracePeriodSeconds", 30)
    assert any("healthCheckGracePeriodSeconds 30" in w for w in warnings(cfg))
    assert not any("GracePeriod" in w for w in warnings(stack(TUNED)))


def test_a_drain_shorter_than_the_longest_request_is_flagged():
    cfg = stack(TUNED, longestRequestSeconds=20)
    assert any("shorter than the longest request" in w for w in warnings(cfg))


def test_a_drain_far_longer_than_the_longest_request_is_flagged():
    cfg = mutate(
        stack(TUNED, longestRequestSeconds=2),
        "services.web.loadBalancer.deregistrationDelaySeconds",
        60,
    )
    assert any("longer than needed" in w for w in warnings(cfg))


def test_the_aws_default_drain_is_flagged_as_longer_than_needed():
    assert any("longer than needed" in w for w in warnings(stack(AWS_DEFAULTS)))


def test_a_stop_timeout_shorter_than_the_apps_drain_is_flagged():
    cfg = mutate(stack(TUNED, appShutdownSeconds=20), "services.web.stopTimeoutSeconds", 10)
    assert any("stopTimeout 10 s is shorter" in w for w in warnings(cfg))


def test_custom_timeouts_shorter_than_the_worst_case_deployment_are_flagged():
    plan = plan_config(stack(AWS_DEFAULTS))
    resources = [
        dataclasses.replace(r, options={**r.options, "customTimeouts": {"update": "5m"}})
        if r.type == "aws:ecs/service:Service"
        else r
        for r in plan.resources
    ]
    rep = estimate(dataclasses.replace(plan, resources=resources))
    assert any("customTimeouts.update 5m" in w for w in rep.warnings)


@pytest.mark.parametrize("name", STACKS)
def test_every_stack_file_reports_rollouts_and_a_fresh_stack_time(name):
    rep = estimate(stack_plan(name))
    # A worker that scales to zero has nothing to roll (no wave); every other service does.
    assert all(s.seconds > 0 for s in rep.services if s.waves > 0)
    assert rep.fresh_stack_seconds > 0 and rep.critical_path
