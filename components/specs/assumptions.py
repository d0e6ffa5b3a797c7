"""Assumptions spec: usage and timing figures the offline cost and deploy-time models need.

None of these change a resource; they are what the plan cannot know from the program (traffic,
log volume, how fast the app starts and stops). Defaults are estimates, not measurements of
your app; each field says where its default comes from, and docs/plan-reports.md says what to
measure instead. Set them per stack to match what you measure.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .common import Spec


class AssumptionsSpec(Spec):
    """`ecs-platform:assumptions`."""

    # -- usage, for the monthly cost -------------------------------------------------------

    nat_data_processed_gb_per_month: float = Field(
        50.0,
        ge=0,
        description="GB through all NAT gateways of the stack in a month (split evenly between "
        "them). Default: the reference's example environment.",
    )
    load_balancer_capacity_units: float = Field(
        1.0,
        ge=0,
        description="Average LCUs (ALB) or NLCUs (NLB) each load balancer uses per hour. "
        "Default: 1, the reference's baseline.",
    )
    service_log_ingested_gb_per_month: float = Field(
        5.0,
        ge=0,
        description="GB each service's log group ingests in a month. Default: the reference's "
        "example environment.",
    )
    other_log_ingested_gb_per_month: float = Field(
        0.1,
        ge=0,
        description="GB each other log group (ECS Exec sessions, ...) ingests in a month [est].",
    )
    log_storage_months_if_never_expire: int = Field(
        12,
        ge=1,
        le=120,
        description="Months of logs priced as stored when a log group never expires.",
    )
    interface_endpoint_data_gb_per_month: float = Field(
        5.0,
        ge=0,
        description="GB through each interface VPC endpoint in a month [est].",
    )
    container_insights_metrics_per_cluster: int = Field(
        13, ge=0, description="Container Insights metrics at cluster level [est]."
    )
    container_insights_metrics_per_service: int = Field(
        25,
        ge=0,
        description="Container Insights metrics per service (service and task-family "
        "dimensions) [est].",
    )
    container_insights_metrics_per_task: int = Field(
        18,
        ge=0,
        description="Extra metrics per running task with enhanced observability (task and "
        "container dimensions) [est].",
    )

    # -- timing, for the deployment model (reference section 1.2) ----------------------------

    scheduler_reaction_seconds: int = Field(
        10, ge=0, le=600, description="ECS scheduler reaction per wave (t_sched) [est]."
    )
    fargate_task_overhead_seconds: int = Field(
        20,
        ge=0,
        le=600,
        description="Fargate task launch without the image pull: capacity, ENI attach, unpack "
        "[est]. With the default image this gives the reference's 45 s launch.",
    )
    ec2_task_overhead_seconds: int = Field(
        10,
        ge=0,
        le=600,
        description="Task launch on a running EC2 instance without the image pull [est].",
    )
    image_size_mb: int = Field(
        250,
        ge=0,
        le=100_000,
        description="Compressed size of the images a task pulls. Fargate caches nothing, and a "
        "deploy brings a new image, so every new task pulls it.",
    )
    image_pull_mb_per_second: float = Field(
        10.0,
        gt=0,
        description="Image pull and unpack throughput [est]: 250 MB takes 25 s, so the default "
        "Fargate launch is 45 s and a 50 MB image launches in 25 s (the reference's figures).",
    )
    app_ready_seconds: int = Field(
        10,
        ge=0,
        le=3600,
        description="From container start to the app answering health checks (t_app_ready) "
        "[est]. The health check grace period should cover it.",
    )
    app_shutdown_seconds: int | None = Field(
        None,
        ge=0,
        le=3600,
        description="How long the app takes to exit after SIGTERM. Unset: it ignores SIGTERM "
        "and is killed at stopTimeout (the conservative case).",
    )
    new_target_health_checks: Literal["healthyThreshold", "one"] = Field(
        "healthyThreshold",
        description="Passing checks a new target needs: healthyThreshold (the best-practice "
        "guide's interval x threshold, the upper bound) or one (current ELB docs).",
    )
    draining_task_holds_slot: bool = Field(
        True,
        description="A draining task still counts toward maximumPercent (the conservative "
        "case; AWS does not say).",
    )
    longest_request_seconds: int | None = Field(
        None,
        ge=0,
        le=4000,
        description="Longest request a task serves; the deploy report warns when the "
        "deregistration delay is shorter, or more than twice as long. Unset: not checked.",
    )
