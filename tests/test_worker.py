"""Queue workers: queue and its DLQ, an exact queue grant, backlog scaling, scaling from zero."""

from __future__ import annotations

import json

import pytest

from tests.support import config, config_error, mutate, plan_config

QUEUE = "aws:sqs/queue:Queue"
POLICY = "aws:appautoscaling/policy:Policy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
SERVICE = "aws:ecs/service:Service"
EXISTING = "arn:aws:sqs:ap-northeast-2:123456789012:orders"
JOBS = {"image": "public.ecr.aws/docker/library/busybox:1.37", "command": ["consume"]}


def stack(jobs: dict | None = None, **top):
    return config(
        network={"cidrBlock": "10.20.0.0/16", "availabilityZones": 2, "natGateways": "single"},
        workers={"jobs": jobs if jobs is not None else JOBS},
        **top,
    )


def from_zero(scaling: dict | None = None):
    return stack({**JOBS, "scaling": scaling or {"minCount": 0, "maxCount": 3}})


def test_queue_is_encrypted_and_redrives_to_its_dead_letter_queue():
    plan = plan_config(stack())
    queue = plan.named("jobs-queue", QUEUE)
    dlq = plan.named("jobs-dlq", QUEUE)
    assert queue.inputs["sqsManagedSseEnabled"] is True and dlq.inputs["sqsManagedSseEnabled"]
    assert queue.inputs["visibilityTimeoutSeconds"] == 300
    assert queue.inputs["messageRetentionSeconds"] == 345600
    assert dlq.inputs["messageRetentionSeconds"] == 1209600
    redrive = json.loads(queue.inputs["redrivePolicy"])
    assert redrive["maxReceiveCount"] == 5
    assert redrive["deadLetterTargetArn"].startswith("arn:aws:sqs:ap-northeast-2:123456789012:")
    assert dlq.urn in queue.dependencies


def test_queue_settings_come_from_config():
    jobs = {
        **JOBS,
        "queue": {
            "visibilityTimeoutSeconds": 900,
            "messageRetentionSeconds": 86400,
            "maxReceiveCount": 2,
        },
    }
    queue = plan_config(stack(jobs)).named("jobs-queue", QUEUE)
    assert queue.inputs["visibilityTimeoutSeconds"] == 900
    assert queue.inputs["messageRetentionSeconds"] == 86400
    assert json.loads(queue.inputs["redrivePolicy"])["maxReceiveCount"] == 2


def test_task_role_may_consume_exactly_its_queue_and_nothing_else():
    plan = plan_config(stack())
    policy = plan.named("jobs-queue", "aws:iam/rolePolicy:RolePolicy")
    (statement,) = json.loads(policy.inputs["policy"])["Statement"]
    assert statement["Action"] == [
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ReceiveMessage",
    ]
    queue = plan.named("jobs-queue", QUEUE)
    assert statement["Resource"].endswith(
        ":" + queue.inputs.get("name", statement["Resource"].split(":")[-1])
    )
    assert queue.urn in policy.dependencies
    task_role = plan.named("jobs-task", "aws:iam/role:Role")
    assert task_role.urn in policy.dependencies
    assert (
        plan.named("jobs-taskdef", "aws:ecs/taskDefinition:TaskDefinition")
        .inputs["taskRoleArn"]
        .endswith("/" + policy.inputs["role"])
    )


def test_an_existing_queue_is_consumed_without_creating_queues():
    plan = plan_config(stack({**JOBS, "queue": {"existingQueueArn": EXISTING}}))
    assert [r for r in plan.of_type(QUEUE) if r.name.startswith("jobs")] == []
    policy = plan.named("jobs-queue", "aws:iam/rolePolicy:RolePolicy")
    (statement,) = json.loads(policy.inputs["policy"])["Statement"]
    assert statement["Resource"] == EXISTING
    backlog = plan.named("jobs-backlog", POLICY).inputs
    metrics = backlog["targetTrackingScalingPolicyConfiguration"]["customizedMetricSpecification"]
    visible = metrics["metrics"][0]["metricStat"]["metric"]
    assert visible["dimensions"] == [{"name": "QueueName", "value": "orders"}]


def test_the_worker_is_a_service_without_load_balancer_or_inbound_traffic():
    plan = plan_config(stack())
    service = plan.named("jobs-service", SERVICE)
    assert service.inputs["loadBalancers"] == []
    assert "healthCheckGracePeriodSeconds" not in service.inputs
    assert service.inputs["networkConfiguration"]["assignPublicIp"] is False
    ingress = plan.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert not [r for r in ingress if r.name.startswith("jobs")]
    (app,) = json.loads(
        plan.named("jobs-taskdef", "aws:ecs/taskDefinition:TaskDefinition").inputs[
            "containerDefinitions"
        ]
    )
    assert app["command"] == ["consume"] and "portMappings" not in app


def test_autoscaling_owns_the_desired_count_so_up_keeps_the_live_count():
    plan = plan_config(stack())
    service = plan.named("jobs-service", SERVICE)
    assert service.options["ignoreChanges"] == ["desiredCount"]
    assert service.inputs["desiredCount"] == 1
    target = plan.named("jobs-scaling", "aws:appautoscaling/target:Target").inputs
    assert target["serviceNamespace"] == "ecs"
    assert target["scalableDimension"] == "ecs:service:DesiredCount"
    assert (target["minCapacity"], target["maxCapacity"]) == (1, 4)
    assert target[
        "resourceId"
    ] == f"service/ecs-platform-test/{service.inputs.get('name') or 'jobs-service'}" or target[
        "resourceId"
    ].startswith("service/ecs-platform-test/jobs-service")


def test_services_without_workers_keep_their_desired_count_managed():
    cfg = mutate(
        stack(),
        "services",
        {"web": {"image": "public.ecr.aws/nginx/nginx:1.27", "cpu": 256, "memory": 512}},
    )
    assert plan_config(cfg).named("web-service", SERVICE).options["ignoreChanges"] == []


def test_backlog_per_task_is_target_tracking_on_visible_messages_over_running_tasks():
    plan = plan_config(
        stack({**JOBS, "scaling": {"minCount": 1, "maxCount": 8, "backlogPerTask": 20}})
    )
    policy = plan.named("jobs-backlog", POLICY).inputs
    assert policy["policyType"] == "TargetTrackingScaling"
    config_ = policy["targetTrackingScalingPolicyConfiguration"]
    assert config_["targetValue"] == 20
    assert (config_["scaleOutCooldown"], config_["scaleInCooldown"]) == (60, 300)
    metrics = {m["id"]: m for m in config_["customizedMetricSpecification"]["metrics"]}
    assert metrics["backlog"]["expression"] == "visible / running"
    assert metrics["backlog"]["returnData"] is True
    visible = metrics["visible"]["metricStat"]
    assert visible["metric"]["namespace"] == "AWS/SQS"
    assert visible["metric"]["metricName"] == "ApproximateNumberOfMessagesVisible"
    running = metrics["running"]["metricStat"]
    assert running["metric"]["namespace"] == "ECS/ContainerInsights"
    assert running["metric"]["metricName"] == "RunningTaskCount"
    assert running["stat"] == "Average"
    assert [d["name"] for d in running["metric"]["dimensions"]] == ["ClusterName", "ServiceName"]
    assert running["metric"]["dimensions"][0]["value"] == "ecs-platform-test"
    assert not metrics["visible"]["returnData"] and not metrics["running"]["returnData"]


def test_a_worker_with_a_floor_has_no_scale_from_zero_policy():
    plan = plan_config(stack())
    assert [r.name for r in plan.of_type(POLICY)] == ["jobs-backlog"]
    assert not [r for r in plan.of_type(ALARM) if r.name == "jobs-from-zero"]
    # the service's own golden-signal alarms remain (no load balancer: saturation, running)
    assert sorted(r.name for r in plan.of_type(ALARM) if r.name.startswith("jobs")) == [
        "jobs-cpu",
        "jobs-memory",
        "jobs-running",
    ]


def test_scaling_to_zero_adds_a_step_policy_whose_alarm_starts_the_first_task():
    plan = plan_config(from_zero())
    assert plan.named("jobs-service", SERVICE).inputs["desiredCount"] == 0
    target = plan.named("jobs-scaling", "aws:appautoscaling/target:Target").inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (0, 3)
    step = plan.named("jobs-from-zero", POLICY)
    assert step.inputs["policyType"] == "StepScaling"
    assert step.inputs["stepScalingPolicyConfiguration"] == {
        "adjustmentType": "ChangeInCapacity",
        "cooldown": 60,
        "metricAggregationType": "Maximum",
        "stepAdjustments": [{"metricIntervalLowerBound": "0", "scalingAdjustment": 1}],
    }
    alarm = plan.named("jobs-from-zero", ALARM)
    assert step.urn in alarm.dependencies and len(alarm.inputs["alarmActions"]) == 1
    assert alarm.inputs["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm.inputs["threshold"] == 1
    queries = {q["id"]: q for q in alarm.inputs["metricQueries"]}
    assert queries["idle"]["expression"] == "IF(visible > 0 AND FILL(running, 0) == 0, 1, 0)"
    assert queries["idle"]["returnData"] is True
    assert queries["visible"]["metric"]["metricName"] == "ApproximateNumberOfMessagesVisible"
    assert queries["running"]["metric"]["metricName"] == "RunningTaskCount"


def test_worker_is_exported_with_its_queue():
    out = plan_config(stack()).outputs["workers"]["jobs"]
    assert out["queueUrl"].startswith("https://sqs.ap-northeast-2.amazonaws.com/")
    assert out["logGroup"] == "/ecs/ecs-platform-test/jobs"


@pytest.mark.parametrize(
    ("path", "value", "where", "fragment"),
    [
        ("scaling", {"minCount": 5, "maxCount": 2}, "scaling.minCount", "above maxCount 2"),
        ("scaling.backlogPerTask", 0, "scaling.backlogPerTask", "below the minimum 1"),
        ("queue.visibilityTimeoutSeconds", 50000, "queue.visibilityTimeoutSeconds", "above"),
        ("queue.maxReceiveCount", 0, "queue.maxReceiveCount", "below the minimum 1"),
        ("queue.messageRetentionSeconds", 30, "queue.messageRetentionSeconds", "below"),
        ("queue", {"existingQueueArn": "arn:aws:sns:ap-northeast-2:123456789012:t"},
         "queue.existingQueueArn", "not an SQS queue ARN"),
        ("queue", {"existingQueueArn": EXISTING, "maxReceiveCount": 3}, "queue.maxReceiveCount",
         "only applies to a queue this stack creates"),
        ("memory", 4096, "memory", "not valid with cpu 256"),
        ("containerPort", 80, "containerPort", "unknown key"),
    ],
)  # fmt: skip
def test_bad_worker_settings_name_the_key(path, value, where, fragment):
    cfg = mutate(stack({**JOBS, "cpu": 256}), f"workers.jobs.{path}", value)
    error = config_error(cfg)
    assert error.path == f"workers.jobs.{where}"
    assert fragment in error.message


def test_without_container_insights_running_tasks_are_the_cpu_sample_count():
    # A dev cluster without Container Insights still scales its workers: the service's free
    # AWS/ECS CPUUtilization metric carries one sample per running task each minute.
    cfg = mutate(from_zero(), "cluster", {"containerInsights": "disabled"})
    plan = plan_config(cfg)
    spec = plan.named("jobs-backlog", POLICY).inputs["targetTrackingScalingPolicyConfiguration"]
    metrics = {m["id"]: m for m in spec["customizedMetricSpecification"]["metrics"]}
    running = metrics["running"]["metricStat"]
    assert running["metric"]["namespace"] == "AWS/ECS"
    assert running["metric"]["metricName"] == "CPUUtilization"
    assert running["stat"] == "SampleCount"
    assert [d["name"] for d in running["metric"]["dimensions"]] == ["ClusterName", "ServiceName"]
    assert metrics["backlog"]["expression"] == "visible / running"
    queries = {q["id"]: q for q in plan.named("jobs-from-zero", ALARM).inputs["metricQueries"]}
    assert queries["running"]["metric"]["namespace"] == "AWS/ECS"
    assert queries["running"]["metric"]["metricName"] == "CPUUtilization"
    assert queries["running"]["metric"]["stat"] == "SampleCount"
    assert queries["running"]["metric"]["period"] == 60
    # no Container Insights metric is read anywhere in the worker's scaling
    assert "ContainerInsights" not in json.dumps([spec, queries])


def test_a_worker_may_not_reuse_a_scheduled_task_name():
    cfg = mutate(
        stack(),
        "scheduledTasks",
        {"jobs": {**JOBS, "schedule": "rate(1 hour)"}},
    )
    error = config_error(cfg)
    assert error.path == "scheduledTasks.jobs"
    assert "already used in workers" in error.message
