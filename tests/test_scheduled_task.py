"""Scheduled tasks: schedule, scheduler role, retries, dead-letter queue, alarm, task definition."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from components.specs.workloads import check_schedule
from tests.support import config, config_error, mutate, plan_config

ROOT = Path(__file__).resolve().parent.parent

SCHEDULE = "aws:scheduler/schedule:Schedule"
TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"
POLICY = "aws:iam/rolePolicy:RolePolicy"
TOPIC = "arn:aws:sns:ap-northeast-2:123456789012:oncall"
REPORT = {
    "image": "public.ecr.aws/docker/library/busybox:1.37",
    "command": ["sh", "-c", "echo hi"],
    "schedule": "cron(0 3 * * ? *)",
}


def stack(report: dict | None = None, **top):
    return config(
        network={"cidrBlock": "10.20.0.0/16", "availabilityZones": 2, "natGateways": "single"},
        scheduledTasks={"report": report if report is not None else REPORT},
        **top,
    )


def schedule(plan):
    return plan.named("report-schedule", SCHEDULE).inputs


def statements(plan, name):
    return {s["Sid"]: s for s in json.loads(plan.named(name, POLICY).inputs["policy"])["Statement"]}


def test_schedule_runs_the_task_definition_in_the_cluster_with_default_retries():
    plan = plan_config(stack())
    s = schedule(plan)
    assert s["scheduleExpression"] == "cron(0 3 * * ? *)"
    assert "scheduleExpressionTimezone" not in s
    assert s["state"] == "ENABLED"
    assert s["flexibleTimeWindow"] == {"mode": "OFF"}
    assert s["groupName"] == "ecs-platform-test-report"
    target = s["target"]
    cluster = plan.named("cluster-ecs", "aws:ecs/cluster:Cluster")
    taskdef = plan.named("report-taskdef", TASKDEF)
    schedule_res = plan.named("report-schedule", SCHEDULE)
    assert {cluster.urn, taskdef.urn} <= set(schedule_res.dependencies)
    assert target["retryPolicy"] == {"maximumRetryAttempts": 3, "maximumEventAgeInSeconds": 3600}
    ecs = target["ecsParameters"]
    assert ecs["taskCount"] == 1 and ecs["enableEcsManagedTags"] is True
    assert ecs["capacityProviderStrategies"] == [
        {"capacityProvider": "FARGATE", "base": 1, "weight": 1}
    ]
    assert ecs["networkConfiguration"]["assignPublicIp"] is False
    assert len(ecs["networkConfiguration"]["securityGroups"]) == 1


def test_failed_invocations_go_to_an_encrypted_dead_letter_queue():
    plan = plan_config(stack())
    dlq = plan.named("report-dlq", "aws:sqs/queue:Queue")
    assert dlq.inputs == {"messageRetentionSeconds": 1209600, "sqsManagedSseEnabled": True}
    assert dlq.urn in plan.named("report-schedule", SCHEDULE).dependencies


def test_time_zone_window_retries_task_count_and_disabled_state_come_from_config():
    report = {
        **REPORT,
        "timeZone": "Asia/Seoul",
        "flexibleWindowMinutes": 15,
        "taskCount": 2,
        "enabled": False,
        "retry": {"maximumRetryAttempts": 0, "maximumEventAgeSeconds": 60},
    }
    s = schedule(plan_config(stack(report)))
    assert s["scheduleExpressionTimezone"] == "Asia/Seoul"
    assert s["flexibleTimeWindow"] == {"mode": "FLEXIBLE", "maximumWindowInMinutes": 15}
    assert s["state"] == "DISABLED"
    assert s["target"]["ecsParameters"]["taskCount"] == 2
    assert s["target"]["retryPolicy"] == {"maximumRetryAttempts": 0, "maximumEventAgeInSeconds": 60}


def test_scheduler_role_is_trusted_only_by_eventbridge_scheduler_for_its_group():
    role = plan_config(stack()).named("report-scheduler", "aws:iam/role:Role")
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        # Scheduler sends the schedule-group ARN (Scheduler user guide, confused deputy).
        "ArnEquals": {
            "aws:SourceArn": "arn:aws:scheduler:ap-northeast-2:123456789012:schedule-group/"
            "ecs-platform-test-report"
        },
    }
    group = plan_config(stack()).named("report-group", "aws:scheduler/scheduleGroup:ScheduleGroup")
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"].endswith(
        f":schedule-group/{group.inputs['name']}"
    )


def test_the_schedule_waits_for_its_role_policy_and_the_task_for_its_execution_grants():
    plan = plan_config(stack())
    schedule_res = plan.named("report-schedule", SCHEDULE)
    assert plan.named("report-scheduler", POLICY).urn in schedule_res.dependencies
    taskdef = plan.named("report-taskdef", TASKDEF)
    assert plan.named("report-execution", POLICY).urn in taskdef.dependencies


def test_scheduler_may_run_only_this_family_in_this_cluster_and_pass_only_its_two_roles():
    plan = plan_config(stack())
    doc = statements(plan, "report-scheduler")
    assert set(doc) == {
        "RunThisTaskInThisCluster",
        "PassThisTasksRoles",
        "DeadLetterFailedInvocations",
    }
    run = doc["RunThisTaskInThisCluster"]
    assert run["Action"] == "ecs:RunTask"
    family = plan.named("report-taskdef", TASKDEF).inputs["family"]
    assert run["Resource"] == f"arn:aws:ecs:ap-northeast-2:123456789012:task-definition/{family}:*"
    assert run["Condition"] == {
        "ArnEquals": {
            "ecs:cluster": "arn:aws:ecs:ap-northeast-2:123456789012:cluster/ecs-platform-test"
        }
    }
    passrole = doc["PassThisTasksRoles"]
    assert passrole["Action"] == "iam:PassRole"
    assert len(passrole["Resource"]) == 2
    assert all("*" not in arn for arn in passrole["Resource"])
    assert passrole["Condition"] == {
        "StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
    }
    taskdef = plan.named("report-taskdef", TASKDEF).inputs
    assert sorted(passrole["Resource"]) == sorted(
        [taskdef["executionRoleArn"], taskdef["taskRoleArn"]]
    )
    dlq = doc["DeadLetterFailedInvocations"]
    assert dlq["Action"] == "sqs:SendMessage" and dlq["Resource"].startswith("arn:aws:sqs:")


def test_the_task_definition_is_the_services_container_layout_with_its_own_logs():
    plan = plan_config(stack({**REPORT, "cpuArchitecture": "ARM64", "logRetentionDays": 7}))
    td = plan.named("report-taskdef", TASKDEF).inputs
    assert td["family"] == "ecs-platform-test-report"
    assert (td["cpu"], td["memory"]) == ("256", "512")
    assert td["requiresCompatibilities"] == ["FARGATE"] and td["networkMode"] == "awsvpc"
    assert td["runtimePlatform"]["cpuArchitecture"] == "ARM64"
    (app,) = json.loads(td["containerDefinitions"])
    assert app["name"] == "app" and app["command"] == ["sh", "-c", "echo hi"]
    assert "portMappings" not in app
    assert app["logConfiguration"]["options"]["awslogs-group"] == "/ecs/ecs-platform-test/report"
    logs = plan.named("report-logs", "aws:cloudwatch/logGroup:LogGroup").inputs
    assert logs == {"name": "/ecs/ecs-platform-test/report", "retentionInDays": 7}


def test_tasks_accept_no_inbound_traffic():
    plan = plan_config(stack())
    ingress = plan.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert not [r for r in ingress if r.name.startswith("report")]
    assert plan.named("report-egress", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")


def test_alarm_counts_invocations_that_failed_for_good_in_its_schedule_group():
    plan = plan_config(stack())
    alarm = plan.named("report-failed", "aws:cloudwatch/metricAlarm:MetricAlarm").inputs
    assert alarm["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["threshold"] == 1 and alarm["treatMissingData"] == "notBreaching"
    metrics = {q["id"]: q for q in alarm["metricQueries"]}
    assert metrics["failed"]["expression"] == "FILL(dlq, 0) + FILL(lost, 0)"
    assert metrics["dlq"]["metric"]["metricName"] == "InvocationsSentToDeadLetterCount"
    assert metrics["lost"]["metric"]["metricName"] == "InvocationsFailedToBeSentToDeadLetterCount"
    for query in ("dlq", "lost"):
        assert metrics[query]["metric"]["namespace"] == "AWS/Scheduler"
        assert metrics[query]["metric"]["dimensions"] == {
            "ScheduleGroup": "ecs-platform-test-report"
        }
    assert alarm["alarmActions"] == []


def test_alarm_notifies_the_configured_topic():
    alarm = plan_config(stack({**REPORT, "alarmTopicArn": TOPIC})).named(
        "report-failed", "aws:cloudwatch/metricAlarm:MetricAlarm"
    )
    assert alarm.inputs["alarmActions"] == [TOPIC]


def test_a_stack_without_scheduled_tasks_has_no_schedules_or_queues():
    plan = plan_config(config())
    assert plan.of_type(SCHEDULE) == [] and plan.of_type("aws:sqs/queue:Queue") == []


def test_the_task_is_exported_with_its_schedule_and_dead_letter_queue():
    out = plan_config(stack()).outputs["scheduledTasks"]["report"]
    assert out["logGroup"] == "/ecs/ecs-platform-test/report"
    assert set(out) == {"scheduleArn", "deadLetterQueueUrl", "logGroup"}


@pytest.mark.parametrize(
    "expression",
    [
        "rate(1 minute)",
        "rate(5 minutes)",
        "rate(1 day)",
        "rate(12 hours)",
        "cron(0 3 * * ? *)",
        "cron(0/15 8-17 ? * MON-FRI *)",
        "cron(0 10 L * ? 2026-2030)",
        "cron(30 6 ? * 6#3 *)",
        "cron(0 0 1,15 JAN,JUL ? *)",
    ],
)
def test_valid_schedule_expressions_pass(expression):
    assert check_schedule(expression) == expression


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("cron(0 3 * * *)", "has 5 fields; an EventBridge cron has 6"),
        ("cron(0 3 * * * *)", "exactly one of day-of-month and day-of-week must be ?"),
        ("cron(0 3 ? * ? *)", "exactly one of day-of-month and day-of-week must be ?"),
        ("cron(61 3 * * ? *)", "'61' is not a valid minutes field"),
        ("cron(0 24 * * ? *)", "'24' is not a valid hours field"),
        ("cron(0 3 * 13 ? *)", "'13' is not a valid month field"),
        ("rate(1 minutes)", "AWS wants rate(1 minute)"),
        ("rate(5 minute)", "AWS wants rate(5 minutes)"),
        ("rate(0 minutes)", "at least 1"),
        ("every 5 minutes", "is not a schedule expression; use rate("),
        ("rate(5 weeks)", "is not a schedule expression"),
    ],
)
def test_bad_schedule_expressions_are_rejected_with_the_rule(expression, fragment):
    error = config_error(stack({**REPORT, "schedule": expression}))
    assert error.path == "scheduledTasks.report.schedule"
    assert fragment in error.message


@pytest.mark.parametrize(
    ("path", "value", "where", "fragment"),
    [
        ("timeZone", "Mars/Olympus", "timeZone", "is not an IANA time zone"),
        ("retry.maximumRetryAttempts", 186, "retry.maximumRetryAttempts", "above the maximum 185"),
        (
            "retry.maximumEventAgeSeconds",
            30,
            "retry.maximumEventAgeSeconds",
            "below the minimum 60",
        ),
        ("taskCount", 11, "taskCount", "above the maximum 10"),
        ("cpu", 300, "cpu", "is not a Fargate CPU size"),
        ("alarmTopicArn", "arn:aws:sqs:ap-northeast-2:123456789012:q", "alarmTopicArn", "SNS"),
        ("dependsOn", [{"container": "proxy"}], "dependsOn.0.container", "not a container"),
        ("loadBalancer", {"name": "public"}, "loadBalancer", "unknown key"),
    ],
)
def test_bad_scheduled_task_settings_name_the_key(path, value, where, fragment):
    error = config_error(mutate(stack(), f"scheduledTasks.report.{path}", value))
    assert error.path.replace("[", ".").replace("]", "") == f"scheduledTasks.report.{where}"
    assert fragment in error.message


def test_a_time_zone_on_a_rate_schedule_is_rejected():
    error = config_error(stack({**REPORT, "schedule": "rate(1 hour)", "timeZone": "UTC"}))
    assert error.path == "scheduledTasks.report.timeZone"
    assert "only applies to cron" in error.message


def test_a_scheduled_task_may_not_reuse_a_service_name():
    cfg = mutate(
        stack(),
        "services",
        {"report": {"image": "public.ecr.aws/nginx/nginx:1.27", "cpu": 256, "memory": 512}},
    )
    error = config_error(cfg)
    assert error.path == "scheduledTasks.report"
    assert "already used in services" in error.message


def test_the_cli_rejects_a_bad_schedule_with_exit_2_and_one_line(tmp_path):
    path = tmp_path / "Pulumi.bad.yaml"
    path.write_text(yaml.safe_dump({"config": stack({**REPORT, "schedule": "cron(0 3 * * *)"})}))
    done = subprocess.run(
        [sys.executable, "-m", "offline", "plan", "--stack", "bad", "--config-file", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert "scheduledTasks.report.schedule: 'cron(0 3 * * *)' has 5 fields" in line


def test_scheduled_tasks_and_workers_take_the_services_container_keys():
    """writablePaths, sidecars, ephemeralStorageGib: spelled and sent as for services."""
    shared = {
        "readonlyRootFilesystem": True,
        "writablePaths": ["/tmp"],
        "ephemeralStorageGib": 30,
        "sidecars": {
            "log_router": {"image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:3"}
        },
    }
    plan = plan_config(
        stack({**REPORT, **shared}, workers={"jobs": {"image": "busybox:1.37", **shared}})
    )
    for name in ("report-taskdef", "jobs-taskdef"):
        taskdef = plan.named(name, TASKDEF).inputs
        app, router = json.loads(taskdef["containerDefinitions"])
        assert app["readonlyRootFilesystem"] is True
        assert app["mountPoints"] == [
            {"sourceVolume": "scratch-tmp", "containerPath": "/tmp", "readOnly": False}
        ]
        assert router["name"] == "log_router"
        assert taskdef["volumes"] == [{"name": "scratch-tmp"}]
        assert taskdef["ephemeralStorage"] == {"sizeInGib": 30}


def test_autoscaling_schedules_spell_time_zone_like_scheduled_tasks_and_keep_the_old_key():
    def action(window: dict) -> dict:
        svc = {"image": "busybox:1.37", "autoscaling": {"minCount": 1, "maxCount": 2,
               "schedules": [{"name": "night", "schedule": "cron(0 20 ? * * *)",
                              "minCount": 0, "maxCount": 0, **window}]}}  # fmt: skip
        plan = plan_config(stack(services={"web": svc}))
        return plan.named("web-night", "aws:appautoscaling/scheduledAction:ScheduledAction").inputs

    assert action({"timeZone": "Asia/Seoul"})["timezone"] == "Asia/Seoul"
    assert action({"timezone": "Asia/Seoul"})["timezone"] == "Asia/Seoul"
    both = {"timeZone": "Asia/Seoul", "timezone": "UTC"}
    windows = [{"name": "night", "schedule": "cron(0 20 ? * * *)", "minCount": 0, "maxCount": 0,
                **both}]  # fmt: skip
    web = {"image": "busybox:1.37", "autoscaling": {"minCount": 1, "maxCount": 2,
                                                    "schedules": windows}}  # fmt: skip
    assert "keep one (timeZone)" in str(config_error(stack(services={"web": web})))
