"""How long a service's deployment takes: the step formulas, shared by the component and the plan.

The Service component uses them to set the ECS service's custom timeouts (so `pulumi up` waits
long enough for a healthy deployment, its alarm bake included, and no longer than a failed one
needs to show); offline/rollout.py feeds them the planned resources and prints where the time
goes. Every step and its AWS source is described in docs/model-basis.md:

    t_new  = scheduler + capacity launch + task launch + image pull + healthy-after-start
    t_old  = deregistration delay + SIGTERM handling (app exit, at most stopTimeout)
    steady = W x (t_new + t_old)   a draining task holds its maximumPercent slot
           | W x t_new + t_old     it does not;   W = ceil(N / (floor(N max%) - ceil(N min%)))
    COMPLETED = steady + alarm bake (deployment alarms only: the longest alarm window)
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Literal

from .specs.service import ServicePlacement, ServiceSpec

SCHEDULE_SECONDS = 10  # scheduler reaction per wave [est]
FARGATE_OVERHEAD_SECONDS = 20  # capacity, ENI attach, unpack, without the image pull [est]
EC2_OVERHEAD_SECONDS = 10  # on a running instance, without the image pull [est]
IMAGE_MB = 250  # [est] compressed image size when nothing better is known
PULL_MB_PER_SECOND = 10.0  # [est] image pull and unpack throughput
APP_READY_SECONDS = 10  # [est]
# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html
# (minimumHealthyPercent): a task with no essential container health check counts as healthy
# 40 s after it reaches RUNNING; this applies only to tasks without one.
NO_HEALTH_CHECK_SECONDS = 40
# https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html
# "It can take a few minutes for the registration process to complete and health checks to
# start": [est] 120 s, 180 s in the worst case.
NLB_REGISTRATION_SECONDS = 120
NLB_REGISTRATION_WORST_SECONDS = 180
CAPACITY_LAUNCH_SECONDS = 150  # [est] new EC2 / Managed Instances host until tasks fit
# ECS's circuit breaker trips after max(3, min(200, ceil(N/2))) failed tasks.
CIRCUIT_BREAKER_MIN_FAILURES = 3

Target = Literal["application", "network"] | None


@dataclass(frozen=True)
class Rollout:
    """What a rolling deployment's duration depends on, in seconds unless named otherwise."""

    desired: int
    min_healthy_percent: int = 100
    max_percent: int = 200
    overhead: float = FARGATE_OVERHEAD_SECONDS
    pull: float = IMAGE_MB / PULL_MB_PER_SECOND
    app_ready: float = APP_READY_SECONDS
    target: Target = None
    interval: float = 30.0  # target group health check interval
    healthy_threshold: int = 5
    new_target_checks: int = 1  # passing checks a newly registered target needs
    nlb_registration: float = NLB_REGISTRATION_SECONDS
    container_interval: float | None = None  # an essential container's health check interval
    deregistration_delay: float = 0.0
    stop: float = 30.0  # SIGTERM to exit: the app's own time, at most stopTimeout
    capacity_launch: float = 0.0  # the new tasks need a new host first
    bake: float = 0.0  # deployment alarms: ECS keeps watching after the old tasks are gone
    scheduler: float = SCHEDULE_SECONDS
    draining_holds_slot: bool = True

    def healthy_after_start(self, worst: bool = False) -> float:
        """From container start until ECS counts the task healthy.

        Load balancer: ECS waits for the target to be healthy; a newly registered target needs
        one passing check (ALB and ECS guides), the first landing within one interval after the
        app answers; an NLB starts checking only once registration completes. An essential
        container health check (Docker runs the first one `interval` after start) must pass
        too. Neither: 40 s after RUNNING.
        """
        checks = self.healthy_threshold if worst else self.new_target_checks
        container = None
        if self.container_interval:
            step = self.container_interval
            container = step * max(1, math.ceil(self.app_ready / step - 1e-9))
        if self.target is not None:
            registration = 0.0
            if self.target == "network":
                registration = NLB_REGISTRATION_WORST_SECONDS if worst else self.nlb_registration
            lb = max(self.app_ready, registration) + checks * self.interval
            return max(lb, container or 0.0)
        if container is not None:
            return container
        return float(NO_HEALTH_CHECK_SECONDS)

    def waves(self) -> int:
        n = self.desired
        if n <= 0:
            return 0
        return math.ceil(n / self.batch())

    def batch(self) -> int:
        """Tasks replaced per wave (at least 1: a stuck configuration is reported elsewhere)."""
        n = self.desired
        floor = math.ceil(n * self.min_healthy_percent / 100)
        ceiling = math.floor(n * self.max_percent / 100)
        return max(ceiling - floor, 1)

    def stuck(self) -> bool:
        n = self.desired
        return (
            n > 0
            and math.floor(n * self.max_percent / 100)
            - math.ceil(n * self.min_healthy_percent / 100)
            <= 0
        )

    def new_task(self, worst: bool = False) -> float:
        return (
            self.scheduler
            + self.capacity_launch
            + self.overhead
            + self.pull
            + self.healthy_after_start(worst)
        )

    def old_task(self) -> float:
        return self.deregistration_delay + self.stop

    def steady(self, worst: bool = False) -> float:
        waves = self.waves()
        if not waves:
            return 0.0
        new, old = self.new_task(worst), self.old_task()
        holds = self.draining_holds_slot or worst
        return waves * (new + old) if holds else waves * new + old

    def completed(self, worst: bool = False) -> float:
        return self.steady(worst) + (self.bake if self.desired > 0 else 0.0)

    def terms(self) -> dict[str, float]:
        """Where the time of a healthy deployment goes (seconds; sums to `completed`)."""
        waves = self.waves()
        if not waves:
            return {}
        old_times = waves if self.draining_holds_slot else 1
        health = self.healthy_after_start()
        app = min(self.app_ready, health)
        registration = 0.0
        if self.target == "network":
            registration = min(max(self.nlb_registration - app, 0.0), health - app)
        return {
            "scheduler": waves * self.scheduler,
            "capacityLaunch": waves * self.capacity_launch,
            "taskLaunch": waves * self.overhead,
            "imagePull": waves * self.pull,
            "appStart": waves * app,
            "targetRegistration": waves * registration,
            "healthChecks": waves * (health - app - registration),
            "draining": old_times * self.deregistration_delay,
            "sigterm": old_times * self.stop,
            "alarmBake": self.bake,
        }


def traffic_shift_seconds(
    strategy: str, canary_bake_minutes: float, step_percent: float, step_bake_minutes: float
) -> float:
    """Blue/green's traffic shift: the canary's bake, or a linear step's bake after every step
    but the last (100 %); BLUE_GREEN and ROLLING shift at once."""
    if strategy == "CANARY":
        return canary_bake_minutes * 60
    if strategy == "LINEAR":
        return (math.ceil(100 / step_percent) - 1) * step_bake_minutes * 60
    return 0.0


def rollout(spec: ServiceSpec, placement: ServicePlacement) -> Rollout:
    """The component's view (no assumptions file): the spec's settings and the defaults above."""
    lb = spec.load_balancer
    essential_checks = [
        c.health_check.interval_seconds
        for c in [spec, *spec.sidecars.values()]
        if c.essential and c.health_check is not None
    ]
    return Rollout(
        desired=max(spec.initial_count, 1),
        min_healthy_percent=spec.min_healthy_percent,
        max_percent=spec.max_percent,
        overhead=EC2_OVERHEAD_SECONDS if placement.on_ec2 else FARGATE_OVERHEAD_SECONDS,
        target=None if lb is None else "application",
        interval=lb.health_check.interval_seconds if lb else 30.0,
        healthy_threshold=lb.health_check.healthy_threshold if lb else 5,
        container_interval=max(essential_checks) if essential_checks else None,
        deregistration_delay=lb.deregistration_delay_seconds if lb else 0.0,
        stop=spec.stop_timeout_seconds,
        capacity_launch=CAPACITY_LAUNCH_SECONDS if placement.on_ec2 else 0.0,
        bake=alarm_bake_seconds(spec),
    )


def alarm_bake_seconds(spec: ServiceSpec) -> float:
    """Deployment alarms' bake: ECS computes it from the alarms' configuration; modelled as the
    longest alarm window (evaluation periods x 60 s periods)."""
    if spec.load_balancer is None or not spec.alarms.enabled:
        return 0.0
    return spec.alarms.rollback_evaluation_minutes * 60.0


def deployment_seconds(spec: ServiceSpec, placement: ServicePlacement) -> float:
    """A healthy deployment with the configured strategy, to COMPLETED (bakes included)."""
    plan = rollout(spec, placement)
    dep = spec.deployment
    if dep.strategy == "ROLLING":
        return plan.completed()
    shift = traffic_shift_seconds(
        dep.strategy,
        dep.canary_bake_time_minutes,
        dep.linear_step_percent,
        dep.linear_step_bake_time_minutes,
    )
    hooks = sum(h.timeout_minutes * 60 for h in dep.lifecycle_hooks if h.lambda_arn is None)
    return plan.completed() + shift + hooks + dep.bake_time_minutes * 60


def worst_case_seconds(spec: ServiceSpec, placement: ServicePlacement) -> float:
    """A failed deployment: tasks fail until the circuit breaker trips, then ECS rolls back."""
    plan = rollout(spec, placement)
    if plan.target is not None:
        # The spec does not say which kind of load balancer: the timeout assumes the slower,
        # an NLB's registration in its worst case.
        plan = dataclasses.replace(plan, target="network")
    n = plan.desired
    failures = max(CIRCUIT_BREAKER_MIN_FAILURES, min(200, math.ceil(n / 2)))
    grace = spec.health_check_grace_period_seconds if spec.load_balancer else 0
    per_failure = plan.overhead + plan.pull + grace + plan.healthy_after_start(worst=True)
    surge = max(math.floor(n * spec.max_percent / 100) - n, 1)
    detect = math.ceil(failures / surge) * per_failure
    return detect + plan.steady(worst=True) + deployment_seconds(spec, placement)


def timeout_minutes(spec: ServiceSpec, placement: ServicePlacement) -> int:
    """Custom create/update timeout: configured, else the worst case plus a 50% margin."""
    if spec.deployment.timeout_minutes is not None:
        return spec.deployment.timeout_minutes
    return max(10, math.ceil(worst_case_seconds(spec, placement) * 1.5 / 60))
