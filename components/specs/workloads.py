"""Specs of the workloads beside services: scheduled tasks and queue workers.

Both run one app container (named "app", like a service's) from a task definition of their own.
`TaskSpec.service_spec()` expresses that task as a `ServiceSpec`, so container definitions, task
sizes and the Fargate/EC2 rules are the services' own, not a copy.
"""

from __future__ import annotations

import re
from copy import copy
from typing import Any, Literal

from pydantic import Field, ValidationError, create_model, field_validator, model_validator

from .cluster import Strategy
from .common import (
    LogRetentionDays,
    Spec,
    SpecError,
    TimeZone,
    check_count_range,
    check_one_resource,
    parse_arn,
)
from .container import ContainerSpec
from .image import BuildSpec, app_image_field, build_field
from .service import ServiceSpec
from .task_role import TaskRoleSpec

# The task's container keys beyond the app container's own (sidecars, volumes, scratch paths,
# container sizes): defined once, on ServiceSpec, and taken by every workload kind as they are.
TASK_CONTAINER_KEYS = (
    "container_cpu",
    "container_memory",
    "ephemeral_storage_gib",
    "sidecars",
    "efs_volumes",
    "writable_paths",
)
_TASK_CONTAINER_FIELDS: dict[str, Any] = {
    name: (ServiceSpec.model_fields[name].annotation, copy(ServiceSpec.model_fields[name]))
    for name in TASK_CONTAINER_KEYS
}
_TaskContainers: Any = create_model("TaskContainers", __base__=Spec, **_TASK_CONTAINER_FIELDS)


class TaskSpec(_TaskContainers, ContainerSpec):
    """The app container plus what a standalone task needs: size, placement, logs, grants."""

    image: str | None = app_image_field()  # type: ignore[assignment]
    build: BuildSpec | None = build_field()
    cpu: int | None = Field(
        None, description="Task cpu units (Fargate: 256, 512, ...); default: the smallest fit."
    )
    memory: int | None = Field(None, ge=6, description="Task memory in MiB (pairs with cpu).")
    cpu_architecture: Literal["X86_64", "ARM64"] = Field(
        "X86_64", description="ARM64 (Graviton) is about 20% cheaper on Fargate."
    )
    capacity_providers: Strategy | None = Field(
        None, description="Capacity provider strategy; default: the cluster's."
    )
    assign_public_ip: bool = Field(
        False, description="Public subnets and public IPs (only for NAT-less dev networks)."
    )
    stop_timeout_seconds: int = Field(
        30, ge=2, le=120, description="SIGTERM-to-SIGKILL wait when the task is stopped."
    )
    log_retention_days: LogRetentionDays = Field(
        30, description="Retention of the task's log group."
    )
    task_role: TaskRoleSpec = Field(
        default_factory=TaskRoleSpec,  # type: ignore[arg-type]
        description="Permissions of the application (none unless granted here).",
    )

    @model_validator(mode="after")
    def _task(self) -> TaskSpec:
        try:
            self.service_spec()
        except ValidationError as exc:  # a rule of the container (e.g. dependsOn) failed
            err = exc.errors(include_url=False)[0]
            original = (err.get("ctx") or {}).get("error")
            if isinstance(original, SpecError):
                raise SpecError((*err["loc"], *original.field), original.message) from None
            raise SpecError(tuple(err["loc"]), err["msg"]) from None
        return self

    def service_spec(self, **extra: Any) -> ServiceSpec:
        """This task as a service spec (no load balancer): the services' rules apply to it."""
        shared = {
            n: getattr(self, n) for n in TaskSpec.model_fields if n in ServiceSpec.model_fields
        }
        return ServiceSpec(**shared, **extra)


# -- scheduled tasks -----------------------------------------------------------------------

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON_FIELDS = ("minutes", "hours", "day-of-month", "month", "day-of-week", "year")
_MONTHS = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"
_DAYS = "SUN|MON|TUE|WED|THU|FRI|SAT"


def _cron_field(value: str, lo: int, hi: int, names: str = "", extra: str = "") -> bool:
    """One cron field: `*`, values, ranges, lists and `/` increments within lo..hi."""
    atom = rf"(\d+|{names})" if names else r"(\d+)"
    item = re.compile(rf"^(\*|{atom}(-{atom})?)(/\d+)?$")
    for part in value.split(","):
        if extra and re.fullmatch(extra, part):
            continue
        m = item.match(part)
        if not m:
            return False
        numbers = [int(x) for x in re.findall(r"\d+", m.group(1))]
        if any(not lo <= n <= hi for n in numbers):
            return False
    return True


def check_schedule(value: str) -> str:
    """An EventBridge Scheduler `rate(...)` or six-field `cron(...)` expression."""
    hint = (
        "use rate(N minutes|hours|days) or cron(minutes hours day-of-month month day-of-week year)"
    )
    m = _RATE.match(value)
    if m:
        n, unit = int(m.group(1)), m.group(2)
        if n < 1:
            raise ValueError(f"{value!r}: the rate must be at least 1")
        if (n == 1) != (not unit.endswith("s")):
            fixed = f"rate({n} {unit.rstrip('s') if n == 1 else unit + 's'})"
            raise ValueError(f"{value!r}: AWS wants {fixed} (singular unit only for 1)")
        return value
    if not (value.startswith("cron(") and value.endswith(")")):
        raise ValueError(f"{value!r} is not a schedule expression; {hint}, e.g. cron(0 3 * * ? *)")
    fields = value[5:-1].split()
    if len(fields) != 6:
        raise ValueError(
            f"{value!r} has {len(fields)} fields; an EventBridge cron has 6 "
            f"({' '.join(_CRON_FIELDS)}), e.g. cron(0 3 * * ? *)"
        )
    minute, hour, dom, month, dow, year = fields
    if (dom == "?") == (dow == "?"):
        raise ValueError(
            f"{value!r}: exactly one of day-of-month and day-of-week must be ? (AWS rule), "
            "e.g. cron(0 3 * * ? *) or cron(0 3 ? * MON-FRI *)"
        )
    checks = [
        _cron_field(minute, 0, 59),
        _cron_field(hour, 0, 23),
        dom == "?" or _cron_field(dom, 1, 31, extra=r"L|LW|\d{1,2}W"),
        _cron_field(month, 1, 12, _MONTHS),
        dow == "?" or _cron_field(dow, 1, 7, _DAYS, extra=rf"(\d|{_DAYS})(L|#[1-5])"),
        _cron_field(year, 1970, 2199),
    ]
    for label, ok, text in zip(_CRON_FIELDS, checks, fields, strict=True):
        if not ok:
            raise ValueError(f"{value!r}: {text!r} is not a valid {label} field")
    return value


class RetrySpec(Spec):
    """How EventBridge Scheduler retries a RunTask call that fails (then: dead-letter queue)."""

    maximum_retry_attempts: int = Field(
        3, ge=0, le=185, description="Retries with exponential backoff before dead-lettering."
    )
    maximum_event_age_seconds: int = Field(
        3600, ge=60, le=86400, description="Stop retrying an invocation older than this."
    )


class ScheduledTaskSpec(TaskSpec):
    """One entry of `ecs-platform:scheduledTasks`: a task started on a schedule."""

    schedule: str = Field(
        description="rate(15 minutes) or cron(0 3 * * ? *) (EventBridge Scheduler syntax)."
    )
    time_zone: TimeZone | None = Field(
        None, description="IANA time zone for cron expressions, e.g. Asia/Seoul; default UTC."
    )
    enabled: bool = Field(True, description="false keeps the schedule but stops invoking it.")
    task_count: int = Field(1, ge=1, le=10, description="Tasks started per invocation.")
    flexible_window_minutes: int | None = Field(
        None, ge=1, le=1440, description="Start anywhere in this window (spreads load)."
    )
    retry: RetrySpec = Field(default_factory=RetrySpec)  # type: ignore[arg-type]
    alarm_topic_arn: str | None = Field(
        None, description="SNS topic notified when an invocation fails."
    )

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        return check_schedule(value)

    @field_validator("alarm_topic_arn")
    @classmethod
    def _topic(cls, value: str | None) -> str | None:
        if value is not None and parse_arn(value)[0] != "sns":
            raise ValueError(f"{value!r} is not an SNS topic ARN")
        return value

    @model_validator(mode="after")
    def _rate_has_no_time_zone(self) -> ScheduledTaskSpec:
        if self.time_zone is not None and self.schedule.startswith("rate("):
            raise SpecError("timeZone", "only applies to cron expressions; a rate has no clock")
        return self


# -- queue workers -------------------------------------------------------------------------

# Queue settings that only apply to a queue this stack creates.
_CREATED_QUEUE_FIELDS = (
    "visibility_timeout_seconds",
    "message_retention_seconds",
    "max_receive_count",
)


class QueueSpec(Spec):
    """The SQS queue a worker consumes: created here with a dead-letter queue, or existing."""

    existing_queue_arn: str | None = Field(
        None, description="Consume this queue instead of creating one (same account and region)."
    )
    visibility_timeout_seconds: int = Field(
        300,
        ge=0,
        le=43_200,
        description="Hidden from other consumers while one works on it; above the longest job.",
    )
    message_retention_seconds: int = Field(
        345_600, ge=60, le=1_209_600, description="Unprocessed messages expire after this (4 days)."
    )
    max_receive_count: int = Field(
        5, ge=1, le=1_000, description="Receives before a message moves to the dead-letter queue."
    )

    @field_validator("existing_queue_arn")
    @classmethod
    def _queue_arn(cls, value: str | None) -> str | None:
        if value is not None:
            service, region, account, name = parse_arn(value)
            if service != "sqs" or not region or not account or "/" in name or ":" in name:
                raise ValueError(
                    f"{value!r} is not an SQS queue ARN (arn:aws:sqs:<region>:<account>:<name>)"
                )
            check_one_resource(value, "queue")
        return value

    @model_validator(mode="after")
    def _existing_queue_is_not_configured_here(self) -> QueueSpec:
        if self.existing_queue_arn is not None:
            for field in _CREATED_QUEUE_FIELDS:
                if field in self.model_fields_set:
                    key = QueueSpec.model_fields[field].alias or field
                    raise SpecError(
                        key,
                        "only applies to a queue this stack creates; set it on the existing "
                        "queue (existingQueueArn) where it is managed",
                    )
        return self

    @property
    def existing_queue_name(self) -> str | None:
        return None if self.existing_queue_arn is None else self.existing_queue_arn.split(":")[5]


class WorkerScalingSpec(Spec):
    """Backlog-per-task autoscaling (AWS's SQS pattern): tasks = visible messages / target."""

    min_count: int = Field(
        1, ge=0, le=1_000, description="0 scales to zero when the queue is empty."
    )
    max_count: int = Field(4, ge=1, le=1_000, description="Ceiling on running tasks.")
    backlog_per_task: int = Field(
        100,
        ge=1,
        le=1_000_000,
        description="Acceptable visible messages per task: the longest acceptable queue "
        "latency divided by the time one message takes.",
    )

    @model_validator(mode="after")
    def _bounds(self) -> WorkerScalingSpec:
        check_count_range(self.min_count, self.max_count)
        return self


class WorkerSpec(TaskSpec):
    """One entry of `ecs-platform:workers`: a service with no load balancer that drains a queue."""

    queue: QueueSpec = Field(default_factory=QueueSpec)  # type: ignore[arg-type]
    scaling: WorkerScalingSpec = Field(default_factory=WorkerScalingSpec)  # type: ignore[arg-type]
