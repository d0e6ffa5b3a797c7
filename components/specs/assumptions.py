"""Assumptions spec: usage and timing figures the offline cost and deploy-time models need.

None of these change a resource; they are what the plan cannot know from the program (traffic,
log volume, how fast the app starts and stops, how big its image is). Each field says where its
default comes from; [est] marks an estimate, not a measurement, and docs/model-basis.md gives
the public sources. Set them per stack (and per workload under `workloads`) to what you measure.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .common import ResourceKey, Spec


class WorkloadAssumptions(Spec):
    """`assumptions.workloads.<name>`: one service's, worker's or scheduled task's own figures
    (unset: the stack-wide value above)."""

    image_size_mb: int | None = Field(
        None, ge=0, le=100_000, description="Compressed size of the images its task pulls."
    )
    app_ready_seconds: int | None = Field(
        None, ge=0, le=3600, description="From container start to answering health checks."
    )
    app_shutdown_seconds: int | None = Field(
        None, ge=0, le=3600, description="How long the app takes to exit after SIGTERM."
    )
    run_minutes: float | None = Field(
        None,
        gt=0,
        le=10_080,
        description="Scheduled tasks: how long one run takes (priced per run, Fargate bills at "
        "least one minute).",
    )


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

    scheduled_task_run_minutes: float = Field(
        5.0,
        gt=0,
        le=10_080,
        description="How long one run of a scheduled task takes [est], unless "
        "workloads.<name>.runMinutes says.",
    )

    # -- timing, for the deployment model (docs/model-basis.md) -------------------------------

    scheduler_reaction_seconds: int = Field(
        10, ge=0, le=600, description="ECS scheduler reaction per wave (t_sched) [est]."
    )
    fargate_task_overhead_seconds: int = Field(
        20,
        ge=0,
        le=600,
        description="Fargate task launch without the image pull: capacity, ENI attach, unpack "
        "[est]. With the default image this gives a 45 s launch (AWS: Fargate tasks normally "
        "take 30-45 s or longer to start).",
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
        "Fargate launch is 45 s and a 50 MB image launches in 25 s.",
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
        "one",
        description="Passing checks a newly registered target needs: one (what the ELB and ECS "
        "guides say today) or healthyThreshold (the older guide's interval x threshold; the "
        "worst case uses it either way).",
    )
    nlb_registration_seconds: int = Field(
        120,
        ge=0,
        le=900,
        description="Network Load Balancer: from target registration to the first health check "
        "[est; AWS: 'it can take a few minutes'; observed 60-180 s]. The worst case uses 180.",
    )
    capacity_launch_seconds: int = Field(
        150,
        ge=0,
        le=1800,
        description="EC2 or Managed Instances capacity: when a deployment's new tasks do not fit "
        "on the running instances, the time to launch one and register it with the cluster "
        "(managed scaling's one-minute metric, boot, agent) [est].",
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
    workloads: dict[ResourceKey, WorkloadAssumptions] = Field(
        default_factory=dict,
        description="Per service, worker or scheduled task: its image size, start, shutdown and "
        "run time (see WorkloadAssumptions); a name that matches no workload is reported.",
    )

    def image_mb(self, name: str) -> int:
        own = self.workloads.get(name)
        return own.image_size_mb if own and own.image_size_mb is not None else self.image_size_mb

    def ready_seconds(self, name: str) -> int:
        own = self.workloads.get(name)
        if own and own.app_ready_seconds is not None:
            return own.app_ready_seconds
        return self.app_ready_seconds

    def shutdown_seconds(self, name: str) -> int | None:
        own = self.workloads.get(name)
        if own and own.app_shutdown_seconds is not None:
            return own.app_shutdown_seconds
        return self.app_shutdown_seconds

    def run_minutes(self, name: str) -> float:
        own = self.workloads.get(name)
        if own and own.run_minutes is not None:
            return own.run_minutes
        return self.scheduled_task_run_minutes
