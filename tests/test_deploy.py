"""Deployment-time model: hand-computed cases on the tests' own stacks (docs/model-basis.md)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from offline.deploy import CREATE_SECONDS, OTHER_CREATE_SECONDS, DeployReport, estimate, render
from offline.engine import Plan
from tests.support import config, mutate, plan_config
from tests.test_cost import WEB
from tests.test_stacks import STACKS, stack_plan

# What ECS, ELB and the Terraform/Pulumi providers do when nothing is set.
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


NO_ALARMS = {"alarms": {"enabled": False}}


def stack(service: dict[str, Any], **assumptions: Any) -> dict[str, Any]:
    return config(
        loadBalancers={"public": {"type": "application"}},
        services={"web": {**NO_ALARMS, **service}},
        assumptions=assumptions,
    )


def report(cfg: dict[str, Any]) -> DeployReport:
    return estimate(plan_config(cfg))


def only_service(cfg: dict[str, Any]):
    (service,) = report(cfg).services
    return service


def seconds(cfg: dict[str, Any]) -> float:
    return only_service(cfg).seconds


# New task: scheduler 10 + Fargate launch 20 + pull 250 MB at 10 MB/s 25 + healthy after start;
# old task: deregistration delay + SIGTERM handling (stopTimeout, or the app's own exit).


def test_four_tasks_with_aws_defaults_take_about_seven_minutes_with_one_check_for_new_targets():
    # healthy after start = app ready 10 + one 30 s check = 40: new 95 s, old 300 + 30 s
    assert seconds(stack(AWS_DEFAULTS)) == pytest.approx(425)


def test_the_older_healthy_threshold_model_takes_nine_minutes():
    # app ready 10 + 5 checks x 30 s = 160: new 215 s
    assert seconds(stack(AWS_DEFAULTS, newTargetHealthChecks="healthyThreshold")) == (
        pytest.approx(545)
    )


def test_the_tuned_profile_with_an_app_that_exits_on_sigterm_takes_77_seconds():
    # new 10 + 20 + 25 + (10 + 5) = 70; old 5 + 2 = 7
    assert seconds(stack(TUNED, appShutdownSeconds=2)) == pytest.approx(77)


def test_a_small_image_stated_for_the_service_shortens_the_launch():
    cfg = stack(TUNED, appShutdownSeconds=2, workloads={"web": {"imageSizeMb": 50}})
    assert seconds(cfg) == pytest.approx(77 - 20)


def test_copilot_drain_of_60_seconds_takes_about_three_minutes():
    copilot = mutate(
        stack(AWS_DEFAULTS), "services.web.loadBalancer.deregistrationDelaySeconds", 60
    )
    assert seconds(copilot) == pytest.approx(95 + 60 + 30)


def test_max_150_percent_needs_two_waves_with_or_without_the_draining_slot():
    cfg = mutate(stack(AWS_DEFAULTS), "services.web.maxPercent", 150)
    assert seconds(cfg) == pytest.approx(2 * (95 + 330))
    optimistic = mutate(cfg, "assumptions.drainingTaskHoldsSlot", False)
    assert seconds(optimistic) == pytest.approx(2 * 95 + 330)
    assert only_service(cfg).waves == 2


def test_with_max_200_percent_the_time_does_not_depend_on_the_count():
    one = mutate(stack(TUNED), "services.web.desiredCount", 1)
    ten = mutate(stack(TUNED), "services.web.desiredCount", 10)
    assert seconds(one) == seconds(ten)


def test_the_default_drain_dominates_the_aws_defaults():
    assert only_service(stack(AWS_DEFAULTS)).dominant == "draining"


WORKER = {k: v for k, v in WEB.items() if k not in ("loadBalancer", "containerPort")}


def test_a_task_without_load_balancer_or_health_check_counts_healthy_after_40_seconds():
    service = only_service(config(services={"worker": WORKER}))
    assert service.new_task_seconds == pytest.approx(10 + 20 + 25 + 40)
    assert service.old_task_seconds == pytest.approx(30)  # no target group: stop only
    assert service.completed_seconds == service.seconds  # no deployment alarms, no bake


def test_a_container_health_check_replaces_the_40_second_wait():
    check = {"command": ["CMD", "/bin/true"], "intervalSeconds": 5, "timeoutSeconds": 2}
    cfg = config(services={"worker": {**WORKER, "healthCheck": check}})
    # Docker's first check runs one interval after start; the app answers at 10 s: 2 x 5 s
    assert only_service(cfg).new_task_seconds == pytest.approx(10 + 20 + 25 + 10)


def test_a_network_load_balancer_waits_for_target_registration_first():
    cfg = config(
        loadBalancers={"mqtt": {"type": "network"}},
        services={
            "broker": {**NO_ALARMS, **WEB, "containerPort": 8883, "loadBalancer": {"name": "mqtt"}}
        },  # fmt: skip
    )
    # registration 120 s (assumptions.nlbRegistrationSeconds) then one 5 s check
    assert only_service(cfg).new_task_seconds == pytest.approx(10 + 20 + 25 + 120 + 5)
    faster = mutate(cfg, "assumptions", {"nlbRegistrationSeconds": 60})
    assert only_service(faster).new_task_seconds == pytest.approx(10 + 20 + 25 + 60 + 5)


def test_deployment_alarms_add_their_window_as_a_bake_before_completed():
    cfg = mutate(stack(TUNED, appShutdownSeconds=2), "services.web.alarms", {"enabled": True})
    service = only_service(cfg)
    # the 5xx, p99 and unhealthy alarms evaluate 1 x 60 s (alarms.rollbackEvaluationMinutes)
    assert service.seconds == pytest.approx(77)
    assert service.completed_seconds == pytest.approx(77 + 60)
    assert service.terms["alarmBake"] == 60
    slow = mutate(cfg, "services.web.alarms.rollbackEvaluationMinutes", 3)
    assert only_service(slow).completed_seconds == pytest.approx(77 + 180)


def test_a_service_at_zero_tasks_reports_its_first_start_not_a_rolling_deploy():
    cfg = config(services={"worker": {**WORKER, "desiredCount": 0}})
    rep = report(cfg)
    (service,) = rep.services
    assert service.at_zero and service.seconds == 0 and service.waves == 0
    assert service.new_task_seconds == pytest.approx(10 + 20 + 25 + 40)
    text = "\n".join(render(rep))
    assert "no rolling deploy while at zero" in text and "0 wave(s)" not in text
    assert service.to_json()["firstTaskSeconds"] == pytest.approx(95)


EC2_CLUSTER = {
    "containerInsights": "disabled",
    "capacityProviders": [{"provider": "FARGATE", "weight": 1}],
    "ec2Capacity": {"instanceType": "m7g.large", "minSize": 1, "maxSize": 6},
}
RENDERER = {
    **WORKER,
    "cpu": 2048,
    "memory": 4096,
    "cpuArchitecture": "ARM64",
    "desiredCount": 2,
    "capacityProviders": [{"provider": "EC2", "base": 2, "weight": 1}],
}


def test_a_surge_that_does_not_fit_on_the_running_hosts_waits_for_a_new_one():
    # two 2 vCPU tasks fill two m7g.large at targetCapacity 100: the new pair needs hosts
    full = config(cluster={**EC2_CLUSTER, "ec2Capacity": {**EC2_CLUSTER["ec2Capacity"],
                                                          "targetCapacity": 100}},
                  services={"renderer": RENDERER})  # fmt: skip
    service = only_service(full)
    assert service.terms["capacityLaunch"] == 150  # assumptions.capacityLaunchSeconds
    # at targetCapacity 50 managed scaling keeps 4 hosts: the surge fits, no launch
    spare = mutate(full, "cluster.ec2Capacity.targetCapacity", 50)
    assert "capacityLaunch" not in only_service(spare).to_json()["terms"]


def with_deployment(plan: Plan, deployment: dict[str, Any]) -> Plan:
    """The plan with deploymentConfiguration on every ECS service, as the component sends it."""
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
    assert service.seconds == pytest.approx(70 + 7 + extra_seconds)


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
