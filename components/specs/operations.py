"""Operations specs of a service: autoscaling, deployment strategy, alarms, Service Connect."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator, model_validator

from .common import (
    NAME_PATTERN,
    Port,
    Spec,
    SpecError,
    TimeZone,
    check_count_range,
    check_one_resource,
    parse_arn,
)

_CRON_FIELD = r"[0-9A-Za-z*?/,#L-]+"
_CRON = re.compile(rf"^cron\(({_CRON_FIELD} ){{5}}{_CRON_FIELD}\)$")
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_AT = re.compile(r"^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$")


def check_schedule(value: str) -> str:
    """An AWS schedule expression: cron(6 fields), rate(N unit) or at(yyyy-mm-ddThh:mm:ss)."""
    rate = _RATE.match(value)
    if rate:
        n, unit = int(rate.group(1)), rate.group(2)
        if n < 1 or (n == 1) != (not unit.endswith("s")):
            raise ValueError(
                f"{value!r}: use rate(1 minute|hour|day) or rate(N minutes|hours|days) with N > 1"
            )
        return value
    if _AT.match(value):
        return value
    if _CRON.match(value):
        fields = value[5:-1].split(" ")
        day_of_month, day_of_week = fields[2], fields[4]
        if "?" not in (day_of_month, day_of_week):
            raise ValueError(
                f"{value!r}: AWS cron needs ? in day-of-month or day-of-week "
                "(e.g. cron(0 20 ? * MON-FRI *))"
            )
        return value
    raise ValueError(
        f"{value!r} is not a schedule; use cron(min hour day-of-month month day-of-week year), "
        "rate(N minutes|hours|days) or at(yyyy-mm-ddThh:mm:ss)"
    )


class ScheduledScalingSpec(Spec):
    """A scheduled change of the scaling range (e.g. scale in at night in dev)."""

    name: Annotated[str, Field(pattern=NAME_PATTERN)]
    schedule: str = Field(description="cron(...), rate(...) or at(...) (Application Auto Scaling)")
    time_zone: TimeZone = Field(
        "UTC",
        # `timeZone`, as scheduledTasks spell it; `timezone` (this key's first spelling) stays.
        validation_alias=AliasChoices("timeZone", "timezone", "time_zone"),
        description='IANA time zone, e.g. "Europe/Berlin".',
    )
    min_count: int = Field(ge=0, le=5000)
    max_count: int = Field(ge=0, le=5000)

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        return check_schedule(value)

    @model_validator(mode="before")
    @classmethod
    def _one_spelling(cls, data: object) -> object:
        if isinstance(data, dict) and "timeZone" in data and "timezone" in data:
            raise SpecError("timezone", "timeZone is also given; keep one (timeZone)")
        return data

    @model_validator(mode="after")
    def _range(self) -> ScheduledScalingSpec:
        check_count_range(self.min_count, self.max_count)
        return self


class AutoscalingSpec(Spec):
    """Application Auto Scaling of the service's task count.

    With autoscaling on, `pulumi up` never resets the live task count (the service ignores
    changes to desiredCount); minCount and maxCount still apply on every update.
    """

    min_count: int = Field(ge=0, le=5000)
    max_count: int = Field(ge=1, le=5000)
    cpu_target: int | None = Field(
        None, ge=10, le=95, description="Target average CPU utilization (%)."
    )
    memory_target: int | None = Field(
        None, ge=10, le=95, description="Target average memory utilization (%)."
    )
    requests_per_target: int | None = Field(
        None,
        ge=1,
        le=100_000,
        description="Target ALB requests per task per minute (ALBRequestCountPerTarget).",
    )
    scale_in_cooldown_seconds: int = Field(300, ge=0, le=3600)
    scale_out_cooldown_seconds: int = Field(60, ge=0, le=3600)
    schedules: list[ScheduledScalingSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _autoscaling(self) -> AutoscalingSpec:
        check_count_range(self.min_count, self.max_count)
        targets = (self.cpu_target, self.memory_target, self.requests_per_target)
        if all(t is None for t in targets) and not self.schedules:
            raise SpecError(
                "cpuTarget",
                "autoscaling needs at least one of cpuTarget, memoryTarget, "
                "requestsPerTarget or schedules",
            )
        names = [s.name for s in self.schedules]
        for i, name in enumerate(names):
            if names.index(name) != i:
                raise SpecError(("schedules", i, "name"), f"{name} is used twice")
        return self


class LifecycleHookSpec(Spec):
    """A deployment lifecycle hook: a Lambda that may veto a stage, or a pause."""

    stages: list[
        Literal[
            "RECONCILE_SERVICE",
            "PRE_SCALE_UP",
            "POST_SCALE_UP",
            "TEST_TRAFFIC_SHIFT",
            "POST_TEST_TRAFFIC_SHIFT",
            "PRODUCTION_TRAFFIC_SHIFT",
            "POST_PRODUCTION_TRAFFIC_SHIFT",
        ]
    ] = Field(min_length=1)
    lambda_arn: str | None = Field(None, description="Lambda to invoke (omit for a PAUSE hook).")
    timeout_minutes: int = Field(
        60, ge=1, le=20160, description="PAUSE hooks: wait this long, then timeoutAction."
    )
    timeout_action: Literal["ROLLBACK", "CONTINUE"] = "ROLLBACK"

    @field_validator("lambda_arn")
    @classmethod
    def _lambda(cls, value: str | None) -> str | None:
        if value is not None:
            svc, _r, _a, resource = parse_arn(value)
            if svc != "lambda" or not resource.startswith("function:"):
                raise ValueError(f"{value!r} is not a Lambda function ARN")
            check_one_resource(value, "function")
        return value

    @model_validator(mode="after")
    def _pause(self) -> LifecycleHookSpec:
        shifts = {"TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT"}
        if self.lambda_arn is None and shifts & set(self.stages):
            raise SpecError(
                "stages",
                "a PAUSE hook (no lambdaArn) cannot use TEST_TRAFFIC_SHIFT or "
                "PRODUCTION_TRAFFIC_SHIFT",
            )
        return self


Strategy = Literal["ROLLING", "BLUE_GREEN", "CANARY", "LINEAR"]


class DeploymentSpec(Spec):
    """How ECS replaces tasks on a deployment.

    ROLLING replaces tasks in waves (minHealthyPercent/maxPercent). BLUE_GREEN, CANARY and
    LINEAR are ECS-native: a second (green) target group takes the new revision, test traffic
    reaches it first through a test listener rule, production traffic shifts at once, by a
    canary share or in linear steps, and the old revision stays up for bakeTimeMinutes so a
    rollback is instant.
    """

    strategy: Strategy = "ROLLING"
    bake_time_minutes: int = Field(
        5,
        ge=0,
        le=1440,
        description="BLUE_GREEN/CANARY/LINEAR: keep the old revision this long after the shift.",
    )
    canary_percent: float = Field(10.0, ge=0.1, le=100.0)
    canary_bake_time_minutes: int = Field(5, ge=0, le=1440)
    linear_step_percent: float = Field(25.0, ge=3.0, le=100.0)
    linear_step_bake_time_minutes: int = Field(2, ge=0, le=1440)
    lifecycle_hooks: list[LifecycleHookSpec] = Field(default_factory=list)
    rollback_on_alarms: bool = Field(
        True,
        description="Roll back when the service's deployment alarms (5xx rate, p99 latency, "
        "unhealthy targets) fire during a deployment.",
    )
    wait_for_steady_state: bool = Field(
        True,
        description="`pulumi up` waits until the deployment is healthy and fails if ECS "
        "rolled it back (see docs/operations.md).",
    )
    force_new_deployment: bool = Field(
        False,
        description="Set for the `up` that changes capacityProviders: ECS moves the tasks in "
        "place (without it the service is replaced). While set, every update of the service "
        "restarts its tasks; set it back to false afterwards.",
    )
    timeout_minutes: int | None = Field(
        None,
        ge=5,
        le=1440,
        description="Create/update timeout of the ECS service; default: derived from the "
        "modelled worst-case deployment time.",
    )

    @model_validator(mode="after")
    def _deployment(self) -> DeploymentSpec:
        if self.strategy == "LINEAR":
            steps = -(-100 // self.linear_step_percent)
            if steps * self.linear_step_bake_time_minutes + self.bake_time_minutes > 33 * 60:
                raise SpecError(
                    "linearStepBakeTimeMinutes",
                    "the linear shift would take more than 33 h, which ECS rejects",
                )
        if self.lifecycle_hooks and self.strategy == "ROLLING":
            raise SpecError(
                "lifecycleHooks", "lifecycle hooks need strategy BLUE_GREEN, CANARY or LINEAR"
            )
        return self


class AlarmsSpec(Spec):
    """Golden-signal alarms of a service (thresholds; the alarm topic is stack-wide)."""

    enabled: bool = True
    error_rate_percent: float = Field(
        5.0, gt=0, le=100, description="Target 5xx responses as % of requests (1 min)."
    )
    p99_latency_ms: int = Field(
        2000, ge=10, le=120_000, description="p99 target response time (ALB)."
    )
    cpu_percent: int = Field(90, ge=10, le=100, description="Average CPU utilization.")
    memory_percent: int = Field(90, ge=10, le=100, description="Average memory utilization.")
    evaluation_minutes: int = Field(
        3,
        ge=1,
        le=60,
        description="Consecutive breaching minutes before a CPU, memory or running-task alarm "
        "fires.",
    )
    rollback_evaluation_minutes: int = Field(
        1,
        ge=1,
        le=60,
        description="Consecutive breaching minutes before a deployment (rollback) alarm fires: "
        "5xx rate, p99 latency, unhealthy targets. ECS keeps a deployment IN_PROGRESS for a "
        "bake it computes from these alarms' windows after the old tasks are gone, so every "
        "deploy waits about this long; 1 is the shortest the load balancer's 60-second metrics "
        "allow.",
    )


class ServiceConnectSpec(Spec):
    """Service Connect: reach other services by name through the cluster's namespace.

    A service with a containerPort is reachable as `http://<dnsName>:<port>` by the services
    that list it in `calls`; its security group admits exactly those callers.
    """

    expose: bool = Field(
        True, description="Register this service's port (needs containerPort) in the namespace."
    )
    port_name: str = Field(
        "http",
        description='Named port of the task definition to expose: "http" is the containerPort; '
        '"port-<n>" the app\'s extra ports.',
    )
    dns_name: Annotated[str, Field(pattern=r"^[a-z0-9]([a-z0-9.-]{0,62}[a-z0-9])?$")] | None = (
        Field(None, description="Name callers use; default: the service name.")
    )
    port: Port | None = Field(None, description="Port callers use; default: the container port.")
    app_protocol: Literal["http", "http2", "grpc", "tcp"] | None = Field(
        "http",
        description="Protocol of the exposed port (the port mapping's appProtocol): "
        "protocol-aware metrics, retries and outlier detection; tcp for plain TCP. Immutable "
        "once the service uses Service Connect (changing it recreates the service).",
    )
    calls: list[Annotated[str, Field(pattern=NAME_PATTERN)]] = Field(
        default_factory=list, description="Services this one calls (each must expose a port)."
    )


class ObservabilitySpec(Spec):
    """`ecs-platform:observability`: where alarms notify, and the stack's dashboard."""

    dashboard: bool = Field(
        True, description="One CloudWatch dashboard for the stack (every service's signals)."
    )
    alarm_topic_arn: str | None = Field(
        None, description="SNS topic notified when an alarm changes state (none: alarms only)."
    )

    @field_validator("alarm_topic_arn")
    @classmethod
    def _topic(cls, value: str | None) -> str | None:
        if value is not None and parse_arn(value)[0] != "sns":
            raise ValueError(f"{value!r} is not an SNS topic ARN")
        return value
