"""Service operations: autoscaling, deployments, rollback, alarms, Service Connect, Exec."""

from __future__ import annotations

import json
import re

import pytest

from components.config import parse_stack_config
from components.service import DeploymentRolledBackError, verify_rollout
from tests.support import DELETE, config, config_error, mutate, plan_config

SERVICE = "aws:ecs/service:Service"
TG = "aws:lb/targetGroup:TargetGroup"
RULE = "aws:lb/listenerRule:ListenerRule"
TARGET = "aws:appautoscaling/target:Target"
POLICY = "aws:appautoscaling/policy:Policy"
SCHEDULED = "aws:appautoscaling/scheduledAction:ScheduledAction"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
TOPIC = "arn:aws:sns:ap-northeast-2:123456789012:ops-alerts"
HOOK = "arn:aws:lambda:ap-northeast-2:123456789012:function:smoke-test"
WEB = {
    "image": "public.ecr.aws/nginx/nginx:1.27",
    "cpu": 256,
    "memory": 512,
    "containerPort": 80,
    "desiredCount": 3,
    "loadBalancer": {"name": "public"},
}
API = {"image": "public.ecr.aws/shop/api:1.0", "containerPort": 8080}


def stack(web: dict | None = None, lb: dict | None = None, **services):
    return config(
        network={"cidrBlock": "10.20.0.0/16", "availabilityZones": 2, "natGateways": "single"},
        loadBalancers={"public": lb or {}},
        services={"web": web if web is not None else WEB, **services},
    )


def svc(plan, name="web"):
    return plan.named(f"{name}-service", SERVICE)


def message(cfg) -> str:
    return str(config_error(cfg))


# -- autoscaling -----------------------------------------------------------------------------


SCALING = {"minCount": 2, "maxCount": 10, "cpuTarget": 60}


def test_without_autoscaling_the_configured_count_applies_on_every_update():
    plan = plan_config(stack())
    service = svc(plan)
    assert service.inputs["desiredCount"] == 3
    assert service.options["ignoreChanges"] == []
    assert plan.of_type(TARGET) == []


def test_with_autoscaling_up_keeps_the_live_count_and_desired_is_only_the_initial_count():
    plan = plan_config(stack({**WEB, "autoscaling": SCALING}))
    service = svc(plan)
    assert service.options["ignoreChanges"] == ["desiredCount"]
    assert service.inputs["desiredCount"] == 3
    target = plan.named("web-scaling", TARGET)
    assert target.inputs["minCapacity"] == 2 and target.inputs["maxCapacity"] == 10
    assert target.inputs["scalableDimension"] == "ecs:service:DesiredCount"
    assert target.inputs["serviceNamespace"] == "ecs"
    assert service.urn in target.dependencies  # resourceId is service/<cluster>/<service>


def test_initial_count_is_kept_inside_the_scaling_range():
    low = {**WEB, "desiredCount": 1, "autoscaling": SCALING}
    high = {**WEB, "desiredCount": 50, "autoscaling": SCALING}
    assert svc(plan_config(stack(low))).inputs["desiredCount"] == 2
    assert svc(plan_config(stack(high))).inputs["desiredCount"] == 10


def test_changing_the_scaling_limits_changes_the_target_and_leaves_the_service_alone():
    before = plan_config(stack({**WEB, "autoscaling": SCALING}))
    after = plan_config(stack({**WEB, "autoscaling": {**SCALING, "minCount": 3, "maxCount": 20}}))
    assert after.named("web-scaling", TARGET).inputs["minCapacity"] == 3
    assert after.named("web-scaling", TARGET).inputs["maxCapacity"] == 20
    assert svc(before).inputs == svc(after).inputs


def test_target_tracking_policies_for_cpu_memory_and_alb_requests():
    scaling = {
        **SCALING,
        "memoryTarget": 70,
        "requestsPerTarget": 500,
        "scaleInCooldownSeconds": 600,
    }
    plan = plan_config(stack({**WEB, "autoscaling": scaling}))
    kinds = {}
    for role in ("cpu", "memory", "requests"):
        pol = plan.named(f"web-{role}", POLICY)
        assert pol.inputs["policyType"] == "TargetTrackingScaling"
        conf = pol.inputs["targetTrackingScalingPolicyConfiguration"]
        assert conf["scaleInCooldown"] == 600 and conf["scaleOutCooldown"] == 60
        kinds[role] = (
            conf["predefinedMetricSpecification"]["predefinedMetricType"],
            conf["targetValue"],
        )
    assert kinds == {
        "cpu": ("ECSServiceAverageCPUUtilization", 60),
        "memory": ("ECSServiceAverageMemoryUtilization", 70),
        "requests": ("ALBRequestCountPerTarget", 500),
    }
    requests = plan.named("web-requests", POLICY)
    assert plan.named("web-tg", TG).urn in requests.dependencies  # resourceLabel lb/tg
    assert (
        "resourceLabel"
        not in plan.named("web-cpu", POLICY).inputs["targetTrackingScalingPolicyConfiguration"][
            "predefinedMetricSpecification"
        ]
    )


def test_scheduled_scaling_sets_the_range_at_night():
    night = {
        "name": "night",
        "schedule": "cron(0 20 ? * MON-FRI *)",
        "timezone": "Europe/Berlin",
        "minCount": 0,
        "maxCount": 0,
    }
    plan = plan_config(
        stack({**WEB, "autoscaling": {**SCALING, "minCount": 1, "schedules": [night]}})
    )
    action = plan.named("web-night", SCHEDULED)
    assert action.inputs["schedule"] == "cron(0 20 ? * MON-FRI *)"
    assert action.inputs["timezone"] == "Europe/Berlin"
    assert action.inputs["scalableTargetAction"] == {"minCapacity": 0, "maxCapacity": 0}
    assert plan.named("web-scaling", TARGET).urn in action.dependencies


@pytest.mark.parametrize(
    ("scaling", "fragment"),
    [
        (
            {"minCount": 5, "maxCount": 2, "cpuTarget": 50},
            "autoscaling.minCount: 5 is above maxCount 2",
        ),
        ({"minCount": 1, "maxCount": 4, "cpuTarget": 5}, "autoscaling.cpuTarget"),
        ({"minCount": 1, "maxCount": 4, "memoryTarget": 99}, "autoscaling.memoryTarget"),
        ({"minCount": 1, "maxCount": 4}, "needs at least one of cpuTarget"),
        (
            {
                "minCount": 1,
                "maxCount": 4,
                "schedules": [
                    {"name": "n", "schedule": "cron(0 20 * * MON *)", "minCount": 0, "maxCount": 1}
                ],
            },
            "needs ? in day-of-month or day-of-week",
        ),
        (
            {
                "minCount": 1,
                "maxCount": 4,
                "schedules": [
                    {"name": "n", "schedule": "every night", "minCount": 0, "maxCount": 1}
                ],
            },
            "is not a schedule",
        ),
        (
            {
                "minCount": 1,
                "maxCount": 4,
                "schedules": [
                    {"name": "n", "schedule": "rate(5 minutes)", "minCount": 0, "maxCount": 9}
                ],
            },
            "9 is above autoscaling.maxCount 4",
        ),
        (
            {
                "minCount": 1,
                "maxCount": 4,
                "schedules": [
                    {"name": "n", "schedule": "rate(5 minutes)", "timezone": "Mars/Olympus",
                     "minCount": 0, "maxCount": 1}
                ],
            },
            "'Mars/Olympus' is not an IANA time zone name",
        ),
    ],
)  # fmt: skip
def test_bad_autoscaling_config_exits_with_one_line(scaling, fragment):
    text = message(stack({**WEB, "autoscaling": scaling}))
    assert re.search(r"Pulumi\.test\.yaml:\d+: services\.web\.autoscaling", text)
    assert fragment in text and "\n" not in text


def test_request_based_scaling_needs_an_alb():
    worker = {
        "image": "public.ecr.aws/shop/worker:1",
        "autoscaling": {"minCount": 1, "maxCount": 3, "requestsPerTarget": 100},
    }
    text = message(stack(worker=worker))
    assert "services.worker.autoscaling.requestsPerTarget" in text and "needs loadBalancer" in text
    nlb = {**WEB, "autoscaling": {"minCount": 1, "maxCount": 3, "requestsPerTarget": 100}}
    text = message(stack(nlb, lb={"type": "network"}))
    assert "behind an NLB use cpuTarget or memoryTarget" in text


# -- deployments -----------------------------------------------------------------------------


def test_default_deployment_is_rolling_with_circuit_breaker_and_waits_for_steady_state():
    service = svc(plan_config(stack()))
    assert service.inputs["deploymentConfiguration"] == {"strategy": "ROLLING"}
    assert service.inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert service.inputs["waitForSteadyState"] is True
    assert service.inputs["sigintRollback"] is True
    timeouts = service.options["customTimeouts"]
    assert timeouts["create"] == timeouts["update"]
    assert timeouts["create"].endswith("m") and int(timeouts["create"][:-1]) >= 10


def test_custom_timeout_follows_the_modelled_deployment_and_can_be_set():
    slow = mutate(stack(), "services.web.loadBalancer.deregistrationDelaySeconds", 900)
    fast_t = int(svc(plan_config(stack())).options["customTimeouts"]["update"][:-1])
    slow_t = int(svc(plan_config(slow)).options["customTimeouts"]["update"][:-1])
    assert slow_t >= fast_t + 15  # 900 s drain, counted twice in the worst case (x1.5)
    fixed = mutate(stack(), "services.web.deployment", {"timeoutMinutes": 45})
    assert svc(plan_config(fixed)).options["customTimeouts"] == {"create": "45m", "update": "45m"}


def test_not_waiting_for_steady_state_drops_sigint_rollback():
    service = svc(
        plan_config(mutate(stack(), "services.web.deployment", {"waitForSteadyState": False}))
    )
    assert service.inputs["waitForSteadyState"] is False
    assert "sigintRollback" not in service.inputs


def test_a_rolled_back_deployment_fails_the_update_with_both_revisions():
    base = "arn:aws:ecs:ap-northeast-2:123456789012:task-definition/ecs-platform-prod-web"
    assert verify_rollout("web", f"{base}:8", f"{base}:8") == f"{base}:8"
    with pytest.raises(DeploymentRolledBackError) as info:
        verify_rollout("web", f"{base}:9", f"{base}:8")
    text = str(info.value)
    assert "services.web: ECS rolled the deployment back" in text
    assert "ecs-platform-prod-web:9" in text and "ecs-platform-prod-web:8" in text


BLUE_GREEN = {**WEB, "deployment": {"strategy": "BLUE_GREEN", "bakeTimeMinutes": 10}}


def test_blue_green_creates_a_green_target_group_and_a_weighted_rule_ecs_owns():
    plan = plan_config(stack(BLUE_GREEN))
    blue, green = plan.named("web-tg", TG), plan.named("web-tg-green", TG)
    assert {k: v for k, v in blue.inputs.items() if k != "namePrefix"} == {
        k: v for k, v in green.inputs.items() if k != "namePrefix"
    }
    rule = plan.named("web-rule", RULE)
    (action,) = rule.inputs["actions"]
    assert action["type"] == "forward" and "targetGroupArn" not in action
    weights = [g["weight"] for g in action["forward"]["targetGroups"]]
    assert weights == [100, 0]
    assert rule.options["ignoreChanges"] == ["actions", "defaultActions"]
    assert {blue.urn, green.urn} <= set(rule.dependencies)


def test_blue_green_test_rule_comes_first_and_admits_only_in_vpc_header_traffic():
    plan = plan_config(stack(BLUE_GREEN))
    rule, test = plan.named("web-rule", RULE), plan.named("web-test-rule", RULE)
    assert test.inputs["priority"] < rule.inputs["priority"]
    conditions = test.inputs["conditions"]
    assert rule.inputs["conditions"][0] in conditions
    assert {"httpHeader": {"httpHeaderName": "X-Ecs-Test-Traffic", "values": ["web"]}} in conditions
    assert {"sourceIp": {"values": ["10.20.0.0/16"]}} in conditions


def test_blue_green_service_gets_strategy_bake_time_and_advanced_load_balancer_config():
    plan = plan_config(stack(BLUE_GREEN))
    service = svc(plan)
    assert service.inputs["deploymentConfiguration"] == {
        "strategy": "BLUE_GREEN",
        "bakeTimeInMinutes": "10",
    }
    (lb,) = service.inputs["loadBalancers"]
    assert set(lb["advancedConfiguration"]) == {
        "alternateTargetGroupArn",
        "productionListenerRule",
        "testListenerRule",
        "roleArn",
    }
    for name, type_ in (
        ("web-tg-green", TG),
        ("web-rule", RULE),
        ("web-test-rule", RULE),
        ("web-deploy", "aws:iam/role:Role"),
    ):
        assert plan.named(name, type_).urn in service.dependencies
    role = plan.named("web-deploy", "aws:iam/role:Role")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "ecs.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    attachment = plan.named("web-deploy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachment.inputs["policyArn"].endswith(
        "/AmazonECSInfrastructureRolePolicyForLoadBalancers"
    )


def test_rolling_services_have_no_green_group_test_rule_or_deploy_role():
    plan = plan_config(stack())
    names = {r.name for r in plan.resources}
    assert not names & {"web-tg-green", "web-test-rule", "web-deploy"}
    assert "advancedConfiguration" not in svc(plan).inputs["loadBalancers"][0]


def test_canary_and_linear_configurations():
    canary = mutate(
        stack(),
        "services.web.deployment",
        {"strategy": "CANARY", "canaryPercent": 5.0, "canaryBakeTimeMinutes": 15},
    )
    conf = svc(plan_config(canary)).inputs["deploymentConfiguration"]
    assert conf["strategy"] == "CANARY"
    assert conf["canaryConfiguration"] == {"canaryPercent": 5.0, "canaryBakeTimeInMinutes": "15"}
    assert "linearConfiguration" not in conf
    linear = mutate(stack(), "services.web.deployment", {"strategy": "LINEAR"})
    conf = svc(plan_config(linear)).inputs["deploymentConfiguration"]
    assert conf["linearConfiguration"] == {"stepPercent": 25.0, "stepBakeTimeInMinutes": "2"}


def test_blue_green_on_an_nlb_governs_the_listener_default_action():
    plan = plan_config(stack({**BLUE_GREEN, "containerPort": 1883}, lb={"type": "network"}))
    listener = plan.named("web-listener", "aws:lb/listener:Listener")
    (action,) = listener.inputs["defaultActions"]
    assert [g["weight"] for g in action["forward"]["targetGroups"]] == [100, 0]
    assert listener.options["ignoreChanges"] == ["actions", "defaultActions"]
    (lb,) = svc(plan).inputs["loadBalancers"]
    assert "testListenerRule" not in lb["advancedConfiguration"]


def test_lambda_lifecycle_hooks_get_a_role_that_may_invoke_exactly_them():
    hooks = [
        {"stages": ["POST_TEST_TRAFFIC_SHIFT"], "lambdaArn": HOOK},
        {"stages": ["POST_SCALE_UP"], "timeoutMinutes": 30, "timeoutAction": "CONTINUE"},
    ]
    plan = plan_config(
        stack({**BLUE_GREEN, "deployment": {"strategy": "BLUE_GREEN", "lifecycleHooks": hooks}})
    )
    conf = svc(plan).inputs["deploymentConfiguration"]
    lambda_hook, pause = conf["lifecycleHooks"]
    assert lambda_hook["targetType"] == "AWS_LAMBDA" and lambda_hook["hookTargetArn"] == HOOK
    assert "roleArn" in lambda_hook
    assert pause["targetType"] == "PAUSE" and "roleArn" not in pause
    assert pause["timeoutConfiguration"] == {"action": "CONTINUE", "timeoutInMinutes": "30"}
    doc = json.loads(plan.named("web-hooks", ROLE_POLICY).inputs["policy"])
    assert doc["Statement"] == [
        {
            "Sid": "InvokeLifecycleHooks",
            "Effect": "Allow",
            "Action": "lambda:InvokeFunction",
            "Resource": [HOOK],
        }
    ]


@pytest.mark.parametrize(
    ("cfg", "fragment"),
    [
        (
            stack(worker={"image": "x/y:1", "deployment": {"strategy": "BLUE_GREEN"}}),
            "services.worker.deployment.strategy: BLUE_GREEN shifts load balancer traffic",
        ),
        (
            stack({**WEB, "deployment": {"strategy": "CANARY"}}, lb={"type": "network"}),
            "CANARY shifts traffic by listener rule weights, which needs an ALB",
        ),
        (
            stack({**WEB, "deployment": {"lifecycleHooks": [{"stages": ["POST_SCALE_UP"]}]}}),
            "lifecycle hooks need strategy BLUE_GREEN, CANARY or LINEAR",
        ),
        (
            stack(
                {
                    **WEB,
                    "deployment": {
                        "strategy": "BLUE_GREEN",
                        "lifecycleHooks": [{"stages": ["TEST_TRAFFIC_SHIFT"]}],
                    },
                }
            ),
            "a PAUSE hook (no lambdaArn) cannot use",
        ),
        (
            stack({**WEB, "deployment": {"strategy": "ROLLING", "bakeTimeMinutes": 2000}}),
            "services.web.deployment.bakeTimeMinutes",
        ),
        (
            stack({**WEB, "deployment": {"strategy": "BLUE-GREEN"}}),
            "services.web.deployment.strategy",
        ),
        (
            stack(
                {
                    **WEB,
                    "deployment": {
                        "strategy": "LINEAR",
                        "linearStepPercent": 3.0,
                        "linearStepBakeTimeMinutes": 60,
                    },
                }
            ),
            "more than 33 h",
        ),
        (
            stack(
                {
                    **WEB,
                    "loadBalancer": {
                        "name": "public",
                        "pathPatterns": ["/a", "/b"],
                        "hostHeaders": ["x.example.com", "y.example.com"],
                    },
                    "deployment": {"strategy": "BLUE_GREEN"},
                }
            ),
            "keep pathPatterns plus hostHeaders at 3",
        ),
    ],
)
def test_bad_deployment_config_exits_with_one_line(cfg, fragment):
    text = message(cfg)
    assert fragment in text and "\n" not in text


# -- alarms and dashboard --------------------------------------------------------------------


def alarms(plan, service="web"):
    return {r.name: r for r in plan.of_type(ALARM) if r.name.startswith(f"{service}-")}


def test_a_load_balanced_service_gets_golden_signal_alarms_that_roll_back_deployments():
    plan = plan_config(mutate(stack(), "observability", {"alarmTopicArn": TOPIC}))
    found = alarms(plan)
    assert set(found) == {
        "web-5xx",
        "web-p99",
        "web-unhealthy",
        "web-cpu",
        "web-memory",
        "web-running",
    }
    assert found["web-5xx"].inputs["name"] == "ecs-platform-test-web-5xx"
    assert svc(plan).inputs["alarms"] == {
        "alarmNames": [
            "ecs-platform-test-web-5xx",
            "ecs-platform-test-web-p99",
            "ecs-platform-test-web-unhealthy",
        ],
        "enable": True,
        "rollback": True,
    }
    for alarm in found.values():
        assert alarm.inputs["alarmActions"] == [TOPIC] and alarm.inputs["okActions"] == [TOPIC]
    for name in ("web-5xx", "web-p99", "web-unhealthy"):
        assert found[name].urn in svc(plan).dependencies  # exist before ECS watches them


def test_alarm_thresholds_come_from_config():
    cfg = mutate(
        stack(),
        "services.web.alarms",
        {"errorRatePercent": 2.5, "p99LatencyMs": 800, "cpuPercent": 75},
    )
    found = alarms(plan_config(cfg))
    assert found["web-5xx"].inputs["threshold"] == 2.5
    assert found["web-p99"].inputs["threshold"] == 0.8
    assert found["web-cpu"].inputs["threshold"] == 75
    assert found["web-cpu"].inputs["namespace"] == "AWS/ECS"
    rate = found["web-5xx"].inputs["metricQueries"][-1]
    assert rate["returnData"] is True and "HTTPCode" not in rate["expression"]


def test_deployment_alarms_evaluate_one_minute_so_the_bake_is_short_and_others_three():
    found = alarms(plan_config(stack()))
    for name in ("web-5xx", "web-p99", "web-unhealthy"):
        assert found[name].inputs["evaluationPeriods"] == 1, name
        assert found[name].inputs["datapointsToAlarm"] == 1, name
    for name in ("web-cpu", "web-memory"):
        assert found[name].inputs["evaluationPeriods"] == 3, name
    slower = mutate(stack(), "services.web.alarms", {"rollbackEvaluationMinutes": 3})
    assert alarms(plan_config(slower))["web-5xx"].inputs["evaluationPeriods"] == 3


def test_the_update_timeout_covers_the_alarm_bake():
    def minutes(cfg):
        return int(svc(plan_config(cfg)).options["customTimeouts"]["update"][:-1])

    base = mutate(stack(), "services.web.deployment", {"waitForSteadyState": True})
    long_bake = mutate(base, "services.web.alarms", {"rollbackEvaluationMinutes": 20})
    # the worst case includes the healthy deployment and its 20 min bake (x 1.5 margin)
    assert minutes(long_bake) >= minutes(base) + 19 * 1.5


def test_blue_green_alarms_watch_both_target_groups():
    found = alarms(plan_config(stack(BLUE_GREEN)))
    queries = found["web-5xx"].inputs["metricQueries"]
    assert [q["id"] for q in queries] == ["e0", "e1", "r0", "r1", "rate"]


def test_running_below_desired_needs_container_insights():
    plain = alarms(plan_config(mutate(stack(), "cluster", {"containerInsights": "disabled"})))
    assert "web-running" not in plain
    running = alarms(plan_config(stack()))["web-running"]
    assert running.inputs["metricQueries"][-1]["expression"] == "d - r"


def test_alarms_can_be_turned_off_and_services_without_traffic_get_no_rollback_alarms():
    off = plan_config(mutate(stack(), "services.web.alarms", {"enabled": False}))
    assert alarms(off) == {} and "alarms" not in svc(off).inputs
    worker = plan_config(stack(worker={"image": "public.ecr.aws/shop/worker:1"}))
    assert set(alarms(worker, "worker")) == {"worker-cpu", "worker-memory", "worker-running"}
    assert "alarms" not in svc(worker, "worker").inputs


def test_one_dashboard_per_stack_with_every_service():
    plan = plan_config(stack(worker={"image": "public.ecr.aws/shop/worker:1"}))
    (board,) = plan.of_type(DASHBOARD)
    assert board.inputs["dashboardName"] == "ecs-platform-test"
    assert board.parent is None
    body = json.loads(board.inputs["dashboardBody"])
    titles = [w["properties"]["title"] for w in body["widgets"]]
    assert "web: p99 response time (s)" in titles and "worker: CPU and memory %" in titles
    assert not any(t.startswith("worker: requests") for t in titles)
    off = plan_config(mutate(stack(), "observability", {"dashboard": False}))
    assert off.of_type(DASHBOARD) == []


# -- Service Connect -------------------------------------------------------------------------


def connected():
    web = {**WEB, "serviceConnect": {"expose": False, "calls": ["api"]}}
    api = {**API, "serviceConnect": {"dnsName": "api", "port": 80}}
    return stack(web, api=api, admin={"image": "x/admin:1"})


def test_callee_registers_its_port_and_caller_is_a_client_only():
    plan = plan_config(connected())
    api = svc(plan, "api").inputs["serviceConnectConfiguration"]
    assert api["enabled"] is True
    (entry,) = api["services"]
    assert entry["portName"] == "http" and entry["discoveryName"] == "api"
    assert entry["clientAlias"] == [{"port": 80, "dnsName": "api"}]
    assert api["logConfiguration"]["options"]["awslogs-stream-prefix"] == "connect"
    web = svc(plan).inputs["serviceConnectConfiguration"]
    assert web["enabled"] is True and "services" not in web
    assert plan.named("cluster-namespace").urn in svc(plan).dependencies
    assert "serviceConnectConfiguration" not in svc(plan, "admin").inputs


def test_callee_admits_exactly_its_declared_callers_on_the_app_port():
    plan = plan_config(connected())
    rule = plan.named("api-from-web", INGRESS)
    assert rule.inputs["fromPort"] == rule.inputs["toPort"] == 8080
    assert plan.named("web-tasks").urn in rule.dependencies
    assert plan.named("api-tasks").urn in rule.dependencies
    from_callers = [r.name for r in plan.of_type(INGRESS) if r.name.startswith("api-from-")]
    assert from_callers == ["api-from-web"]


@pytest.mark.parametrize(
    ("mutation", "fragment"),
    [
        (
            ("services.web.serviceConnect.calls", ["apii"]),
            "services.web.serviceConnect.calls[0]: 'apii' is not in services (did you mean api?)",
        ),
        (
            ("services.api.serviceConnect", DELETE),
            "services.api does not expose a port through Service Connect",
        ),
        (
            ("services.api.serviceConnect.portName", "grpc"),
            "'grpc' is not a named port of the task definition; use one of http",
        ),
        (("services.web.serviceConnect.calls", ["web"]), "a service cannot call itself"),
        (
            ("services.admin.serviceConnect", {}),
            "services.admin.serviceConnect.expose: needs containerPort",
        ),
        (("services.api.serviceConnect.dnsName", "web"), None),
    ],
)
def test_bad_service_connect_config_exits_with_one_line(mutation, fragment):
    cfg = connected()
    if mutation[0] == "services.api.serviceConnect.dnsName":
        cfg = mutate(cfg, "services.web.serviceConnect", {"calls": ["api"]})
        fragment = "web is also the Service Connect name of services."
    cfg = mutate(cfg, *mutation)
    text = message(cfg)
    assert fragment in text and "\n" not in text


# -- ECS Exec --------------------------------------------------------------------------------


def test_exec_is_off_by_default_and_adds_nothing():
    plan = plan_config(stack())
    assert svc(plan).inputs["enableExecuteCommand"] is False
    assert [r.name for r in plan.of_type(ROLE_POLICY) if r.name == "web-exec"] == []


def test_exec_grants_only_the_session_channels_its_log_group_and_key():
    plan = plan_config(mutate(stack(), "services.web.executeCommand", True))
    assert svc(plan).inputs["enableExecuteCommand"] is True
    exec_policy = plan.named("web-exec", ROLE_POLICY)
    assert plan.named("web-task", "aws:iam/role:Role").urn in exec_policy.dependencies
    statements = {s["Sid"]: s for s in json.loads(exec_policy.inputs["policy"])["Statement"]}
    assert statements["ExecSessionChannels"]["Action"] == [
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
    ]
    logs = statements["WriteExecSessionLogs"]["Resource"]
    assert logs[0].endswith(":log-group:/ecs/ecs-platform-test/exec")
    assert statements["EncryptExecSessions"]["Resource"].startswith("arn:aws:kms:")
    assert set(statements) == {
        "ExecSessionChannels",
        "FindExecLogGroup",
        "WriteExecSessionLogs",
        "EncryptExecSessions",
    }


# -- project-level services merged under the stack's ----------------------------------------


PROJECT = {
    "services": {
        "web": {
            "image": "public.ecr.aws/nginx/nginx:1.27",
            "containerPort": 80,
            "loadBalancer": {"name": "public", "healthCheck": {"path": "/healthz"}},
            "autoscaling": {
                "minCount": 2,
                "maxCount": 6,
                "cpuTarget": 60,
                "schedules": [
                    {
                        "name": "night",
                        "schedule": "cron(0 20 * * ? *)",
                        "minCount": 1,
                        "maxCount": 1,
                    }
                ],
            },
            "environment": {"LOG_LEVEL": "info", "FEATURE_X": "on"},
        }
    }
}


def merged(stack_services):
    cfg = config(loadBalancers={"public": {}}, services=stack_services)
    return parse_stack_config(cfg, stack="t", source="Pulumi.t.yaml", project_defaults=PROJECT)


def test_stack_values_override_project_services_map_by_map():
    web = merged(
        {
            "web": {
                "image": "public.ecr.aws/nginx/nginx:1.28",
                "loadBalancer": {"healthCheck": {"intervalSeconds": 10}},
            }
        }
    ).services["web"]
    assert web.image.endswith(":1.28") and web.container_port == 80
    assert web.load_balancer is not None and web.load_balancer.name == "public"
    assert web.load_balancer.health_check.path == "/healthz"
    assert web.load_balancer.health_check.interval_seconds == 10


def test_lists_from_the_stack_replace_project_lists():
    web = merged({"web": {"autoscaling": {"schedules": []}}}).services["web"]
    assert web.autoscaling is not None and web.autoscaling.schedules == []
    assert web.autoscaling.max_count == 6


def test_an_explicit_null_removes_a_project_value():
    web = merged({"web": {"autoscaling": None, "environment": {"FEATURE_X": None}}}).services["web"]
    assert web.autoscaling is None
    assert web.environment == {"LOG_LEVEL": "info"}


def test_a_stack_may_add_services_next_to_project_ones():
    services = merged({"api": API}).services
    assert set(services) == {"web", "api"}


# -- what AWS does with these at apply time ------------------------------------------------


def test_rollback_alarms_name_exactly_the_alarms_created_for_the_service_on_an_nlb():
    # An NLB has no 5xx or latency metric: only the unhealthy-targets alarm exists, and ECS
    # does not check the names it is given (ECS guide, CloudWatch alarms for deployments).
    plan = plan_config(stack({**WEB, "containerPort": 1883}, lb={"type": "network"}))
    created = {a.inputs["name"] for a in plan.of_type(ALARM)}
    names = svc(plan).inputs["alarms"]["alarmNames"]
    assert names == ["ecs-platform-test-web-unhealthy"]
    assert set(names) <= created


def test_exposed_service_connect_ports_name_their_application_protocol():
    # Without appProtocol the Service Connect proxy treats the port as TCP (PortMapping).
    web = {**WEB, "serviceConnect": {"expose": False, "calls": ["api"]}}
    api = {**API, "serviceConnect": {"dnsName": "api", "port": 80}}
    plan = plan_config(stack(web, api=api))
    api_ports = json.loads(
        plan.named("api-taskdef", "aws:ecs/taskDefinition:TaskDefinition").inputs[
            "containerDefinitions"
        ]
    )[0]["portMappings"]
    assert api_ports == [
        {"name": "http", "containerPort": 8080, "protocol": "tcp", "appProtocol": "http"}
    ]
    exposed = svc(plan, "api").inputs["serviceConnectConfiguration"]["services"][0]
    assert exposed["portName"] == "http"
    web_ports = json.loads(
        plan.named("web-taskdef", "aws:ecs/taskDefinition:TaskDefinition").inputs[
            "containerDefinitions"
        ]
    )[0]["portMappings"]
    assert "appProtocol" not in web_ports[0]  # web only calls: nothing of it is exposed


def test_a_tcp_service_connect_port_can_opt_out_of_the_http_protocol():
    api = {**API, "serviceConnect": {"appProtocol": "tcp"}}
    plan = plan_config(stack(WEB, api=api))
    (port,) = json.loads(
        plan.named("api-taskdef", "aws:ecs/taskDefinition:TaskDefinition").inputs[
            "containerDefinitions"
        ]
    )[0]["portMappings"]
    assert "appProtocol" not in port


def test_force_new_deployment_is_sent_only_when_the_config_asks_for_it():
    assert "forceNewDeployment" not in svc(plan_config(stack())).inputs
    forced = {**WEB, "deployment": {"forceNewDeployment": True}}
    assert svc(plan_config(stack(forced))).inputs["forceNewDeployment"] is True


def test_blue_green_service_waits_for_the_grants_of_the_roles_it_hands_to_ecs():
    hooks = {"lifecycleHooks": [{"stages": ["POST_TEST_TRAFFIC_SHIFT"], "lambdaArn": HOOK}]}
    web = {**BLUE_GREEN, "deployment": {**BLUE_GREEN["deployment"], **hooks}}
    plan = plan_config(stack(web))
    deps = set(svc(plan).dependencies)
    assert plan.named("web-deploy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment").urn in deps
    assert plan.named("web-hooks", ROLE_POLICY).urn in deps
