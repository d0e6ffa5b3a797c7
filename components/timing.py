"""How long a service's deployment takes, modelled from its config (deploy-time reference §1.2).

The component uses the worst case to set the ECS service's custom timeouts, so `pulumi up`
waits long enough for a healthy deployment and no longer than a failed one needs to show.
"""

from __future__ import annotations

import math

from .specs.service import ServicePlacement, ServiceSpec

SCHEDULE_SECONDS = 10  # scheduler reaction per wave [est]
FARGATE_LAUNCH_SECONDS = 45  # compute, ENI, image pull [est; re:Post 30-45 s]
EC2_LAUNCH_SECONDS = 20  # instance already running; image pull only [est]
APP_READY_SECONDS = 10  # [est]
# ECS's circuit breaker trips after max(3, min(200, ceil(N/2))) failed tasks.
CIRCUIT_BREAKER_MIN_FAILURES = 3
NO_HEALTH_CHECK_SECONDS = 40  # without any health check a task counts as healthy 40 s after RUNNING


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


def rolling_seconds(spec: ServiceSpec, placement: ServicePlacement) -> float:
    """A healthy ROLLING deployment: ceil(N/S) waves of new tasks, then the old ones drain."""
    n = max(spec.initial_count, 1)
    surge = math.floor(n * spec.max_percent / 100) - n
    floor = math.ceil(n * spec.min_healthy_percent / 100)
    launch = EC2_LAUNCH_SECONDS if placement.on_ec2 else FARGATE_LAUNCH_SECONDS
    health = _health_seconds(spec)
    t_new = SCHEDULE_SECONDS + launch + APP_READY_SECONDS + health
    drain = spec.load_balancer.deregistration_delay_seconds if spec.load_balancer else 0
    t_old = drain + spec.stop_timeout_seconds
    if surge >= 1:
        return math.ceil(n / surge) * t_new + t_old
    waves = math.ceil(n / max(n - floor, 1))
    return waves * (t_new + t_old)


def deployment_seconds(spec: ServiceSpec, placement: ServicePlacement) -> float:
    """A healthy deployment with the configured strategy (bake and shift times included)."""
    base = rolling_seconds(spec, placement)
    dep = spec.deployment
    if dep.strategy == "ROLLING":
        return base
    shift = traffic_shift_seconds(
        dep.strategy,
        dep.canary_bake_time_minutes,
        dep.linear_step_percent,
        dep.linear_step_bake_time_minutes,
    )
    hooks = sum(h.timeout_minutes * 60 for h in dep.lifecycle_hooks if h.lambda_arn is None)
    return base + shift + hooks + dep.bake_time_minutes * 60


def worst_case_seconds(spec: ServiceSpec, placement: ServicePlacement) -> float:
    """A failed deployment: tasks fail until the circuit breaker trips, then ECS rolls back."""
    n = max(spec.initial_count, 1)
    failures = max(CIRCUIT_BREAKER_MIN_FAILURES, min(200, math.ceil(n / 2)))
    grace = spec.health_check_grace_period_seconds if spec.load_balancer else 0
    per_failure = FARGATE_LAUNCH_SECONDS + grace + _health_seconds(spec)
    surge = max(math.floor(n * spec.max_percent / 100) - n, 1)
    detect = math.ceil(failures / surge) * per_failure
    return detect + rolling_seconds(spec, placement) + deployment_seconds(spec, placement)


def timeout_minutes(spec: ServiceSpec, placement: ServicePlacement) -> int:
    """Custom create/update timeout: configured, else the worst case plus a 50% margin."""
    if spec.deployment.timeout_minutes is not None:
        return spec.deployment.timeout_minutes
    return max(10, math.ceil(worst_case_seconds(spec, placement) * 1.5 / 60))


def _health_seconds(spec: ServiceSpec) -> float:
    if spec.load_balancer is not None:
        hc = spec.load_balancer.health_check
        return hc.interval_seconds * hc.healthy_threshold  # legacy H x I: the upper bound
    if spec.health_check is not None:
        hc = spec.health_check
        return hc.start_period_seconds + hc.interval_seconds
    return NO_HEALTH_CHECK_SECONDS
