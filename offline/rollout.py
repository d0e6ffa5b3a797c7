"""One service's deployment, read from the planned resources and fed to components/timing.py.

From the ECS service (desired count, min/max percent, deployment configuration, deployment
alarms), its target group (health check, deregistration delay), its load balancer's type, its
task definition (essential containers' health checks, stopTimeout), the capacity it runs on
(does the surge fit on the running hosts) and the stack's assumptions (image size, app start
and shutdown, per workload). docs/model-basis.md gives each step's AWS source.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from components.specs.assumptions import AssumptionsSpec
from components.timing import Rollout, traffic_shift_seconds

from .cost_capacity import ASG, asg_fleet, managed_choice, task_groups
from .cost_compute import task_shape
from .cost_lines import Ledger
from .placement import Tasks, hosts_needed
from .topology import CAPACITY_PROVIDER, ServiceView

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
DEFAULT_STOP_TIMEOUT = 30  # ContainerDefinition.stopTimeout when unset
DEFAULT_CONTAINER_INTERVAL = 30  # HealthCheck.interval when unset
DEFAULT_ALARM_WINDOW = 3 * 60  # an alarm this stack does not define: [est] 3 x 60 s
CANARY_BAKE_DEFAULT = 10.0
LINEAR_STEP_DEFAULT = 10.0
LINEAR_BAKE_DEFAULT = 6.0


@dataclass
class ServiceDeploy:
    name: str
    urn: str
    strategy: str
    seconds: float  # to steady state (the old tasks are gone)
    completed_seconds: float  # to rolloutState COMPLETED (after the alarm bake)
    worst_case_seconds: float
    waves: int
    new_task_seconds: float
    old_task_seconds: float
    terms: dict[str, float]
    dominant: str
    image_mb: int = 0
    at_zero: bool = False  # desired count 0: nothing to roll
    notes: list[str] = field(default_factory=list)

    @property
    def minutes(self) -> float:
        return self.seconds / 60

    def to_json(self) -> dict[str, Any]:
        out = {
            "strategy": self.strategy,
            "minutes": round(self.minutes, 2),
            "completedMinutes": round(self.completed_seconds / 60, 2),
            "worstCaseMinutes": round(self.worst_case_seconds / 60, 2),
            "waves": self.waves,
            "newTaskSeconds": round(self.new_task_seconds, 1),
            "oldTaskSeconds": round(self.old_task_seconds, 1),
            "terms": {k: round(v, 1) for k, v in self.terms.items() if v},
            "dominant": self.dominant,
        }
        if self.at_zero:
            out["atZero"] = True
            out["firstTaskSeconds"] = round(self.new_task_seconds, 1)
        return out


TERM_NAMES = {
    "scheduler": "ECS scheduler",
    "capacityLaunch": "new host launch",
    "taskLaunch": "task launch",
    "imagePull": "image pull",
    "appStart": "app start",
    "targetRegistration": "NLB target registration",
    "healthChecks": "health checks",
    "draining": "draining",
    "sigterm": "SIGTERM handling",
    "alarmBake": "alarm bake",
    "trafficShift": "traffic shift",
    "bakeTime": "blue/green bake",
}


def _containers_health(view: ServiceView) -> float | None:
    intervals = [
        float((c.get("healthCheck") or {}).get("interval", DEFAULT_CONTAINER_INTERVAL))
        for c in view.containers
        if c.get("essential", True) and c.get("healthCheck")
    ]
    return max(intervals) if intervals else None


def alarm_bake(view: ServiceView, ledger: Ledger) -> tuple[float, list[str]]:
    """The longest window of the service's deployment alarms (ECS bakes for it)."""
    config = view.service.inputs.get("alarms") or {}
    if not config.get("enable"):
        return 0.0, []
    windows, notes = [], []
    by_name = {str(a.inputs.get("name")): a for a in ledger.graph.of_type(ALARM)}
    for name in config.get("alarmNames") or []:
        alarm = by_name.get(name)
        if alarm is None:
            notes.append(f"deployment alarm {name} is not in this stack: its window is assumed "
                         f"{DEFAULT_ALARM_WINDOW // 60} min")  # fmt: skip
            windows.append(DEFAULT_ALARM_WINDOW)
            continue
        periods = [
            int((q.get("metric") or {}).get("period", 60))
            for q in alarm.inputs.get("metricQueries") or []
            if q.get("metric")
        ] or [int(alarm.inputs.get("period", 60))]
        windows.append(max(periods) * int(alarm.inputs.get("evaluationPeriods", 1)))
    return float(max(windows, default=0)), notes


def _capacity_launch(view: ServiceView, ledger: Ledger, surge: int, a: AssumptionsSpec) -> float:
    """A host launch when the surge's tasks do not fit on the hosts the stack runs."""
    if view.fargate or view.external or view.task_definition is None:
        return 0.0
    views = ledger.views
    vcpu, gb, _ = task_shape(view.task_definition)
    new = Tasks(view.name, vcpu, gb, surge)
    if view.managed_instances:
        for provider in ledger.graph.of_type(CAPACITY_PROVIDER):
            if provider.inputs.get("managedInstancesProvider"):
                choice = managed_choice(ledger, provider, views)
                if choice is not None:
                    host, counts, zones, _ = choice
                    groups = task_groups(views, lambda v: v.managed_instances, 0)
                    if hosts_needed([*groups, new], host, zones) > counts[0]:
                        return float(a.capacity_launch_seconds)
        return 0.0
    for asg in ledger.graph.of_type(ASG):
        fleet = asg_fleet(ledger, asg, views)
        if fleet is None:
            return float(a.capacity_launch_seconds)
        groups = task_groups(views, lambda v: not v.managed_instances, 0)
        if hosts_needed([*groups, new], fleet.host, fleet.zones) > fleet.counts[0]:
            return float(a.capacity_launch_seconds)
    return 0.0


def plan_rollout(view: ServiceView, ledger: Ledger) -> tuple[Rollout, list[str]]:
    a = ledger.a
    svc = view.service.inputs
    tg = view.target_groups[0].inputs if view.target_groups else {}
    hc = tg.get("healthCheck") or {}
    lb = view.load_balancers[0].inputs if view.load_balancers else {}
    stop_timeout = max(
        (float(c.get("stopTimeout", DEFAULT_STOP_TIMEOUT)) for c in view.containers),
        default=float(DEFAULT_STOP_TIMEOUT),
    )
    shutdown = a.shutdown_seconds(view.name)
    overhead = a.fargate_task_overhead_seconds if view.fargate else a.ec2_task_overhead_seconds
    bake, notes = alarm_bake(view, ledger)
    plan = Rollout(
        desired=view.desired_count,
        min_healthy_percent=int(svc.get("deploymentMinimumHealthyPercent", 100)),
        max_percent=int(svc.get("deploymentMaximumPercent", 200)),
        overhead=float(overhead),
        pull=a.image_mb(view.name) / a.image_pull_mb_per_second,
        app_ready=float(a.ready_seconds(view.name)),
        target=None
        if not tg
        else ("network" if lb.get("loadBalancerType") == "network" else "application"),
        interval=float(hc.get("interval", 30)),
        healthy_threshold=int(hc.get("healthyThreshold", 5)),
        new_target_checks=1
        if a.new_target_health_checks == "one"
        else int(hc.get("healthyThreshold", 5)),
        nlb_registration=float(a.nlb_registration_seconds),
        container_interval=_containers_health(view),
        deregistration_delay=float(tg.get("deregistrationDelay", 300)) if tg else 0.0,
        stop=stop_timeout if shutdown is None else min(float(shutdown), stop_timeout),
        bake=bake,
        scheduler=float(a.scheduler_reaction_seconds),
        draining_holds_slot=a.draining_task_holds_slot,
    )
    surge = plan.batch() if plan.desired else 1
    launch = _capacity_launch(view, ledger, surge, a)
    if launch:
        plan = dataclasses.replace(plan, capacity_launch=launch)
    if plan.stuck():
        notes.append(
            f"minimumHealthyPercent {plan.min_healthy_percent} and maximumPercent "
            f"{plan.max_percent} leave no room to replace any of {plan.desired} tasks; the "
            "deployment cannot progress"
        )
    return plan, notes


def service_deploy(view: ServiceView, ledger: Ledger) -> tuple[ServiceDeploy, Rollout, list[str]]:
    plan, notes = plan_rollout(view, ledger)
    deployment = dict(view.service.inputs.get("deploymentConfiguration") or {})
    strategy = str(deployment.get("strategy") or "ROLLING").upper()
    at_zero = plan.desired == 0
    counted = plan if not at_zero else dataclasses.replace(plan, desired=1)
    terms = counted.terms()
    if at_zero:  # a first start: only the new task's steps
        terms = {k: v for k, v in terms.items() if k not in ("draining", "sigterm", "alarmBake")}
    if strategy == "ROLLING":
        steady = plan.steady()
        completed = plan.completed()
        worst = plan.completed(worst=True)
    else:
        shift = _shift_seconds(strategy, deployment)
        bg_bake = _minutes(deployment.get("bakeTimeInMinutes"), 0.0) * 60
        one = counted.new_task() + shift + bg_bake + counted.old_task()
        steady = completed = one if not at_zero else 0.0
        worst = steady - counted.new_task() + counted.new_task(worst=True) if not at_zero else 0.0
        terms = {**terms, "trafficShift": shift, "bakeTime": bg_bake, "alarmBake": 0.0}
    dominant = max(terms, key=lambda k: terms[k]) if terms and not at_zero else "none"
    deploy = ServiceDeploy(
        name=view.name,
        urn=view.service.urn,
        strategy=strategy,
        seconds=0.0 if at_zero else steady,
        completed_seconds=0.0 if at_zero else completed,
        worst_case_seconds=0.0 if at_zero else worst,
        waves=plan.waves(),
        new_task_seconds=counted.new_task(),
        old_task_seconds=counted.old_task(),
        terms=terms,
        dominant=TERM_NAMES.get(dominant, dominant),
        image_mb=ledger.a.image_mb(view.name),
        at_zero=at_zero,
        notes=notes,
    )
    return deploy, plan, notes


def _shift_seconds(strategy: str, config: dict[str, Any]) -> float:
    """The traffic shift of the planned deploymentConfiguration (AWS defaults where unset)."""
    canary = config.get("canaryConfiguration") or {}
    linear = config.get("linearConfiguration") or {}
    return traffic_shift_seconds(
        strategy,
        _minutes(canary.get("canaryBakeTimeInMinutes"), CANARY_BAKE_DEFAULT),
        float(linear.get("stepPercent") or LINEAR_STEP_DEFAULT),
        _minutes(linear.get("stepBakeTimeInMinutes"), LINEAR_BAKE_DEFAULT),
    )


def _minutes(value: Any, default: float) -> float:
    if value is None or value == "":
        return default
    return float(value)


def where_the_time_goes(deploy: ServiceDeploy) -> str:
    parts = []
    for key, seconds in deploy.terms.items():
        if not seconds:
            continue
        label = TERM_NAMES.get(key, key)
        if key == "imagePull":
            label += f" ({deploy.image_mb} MB)"
        parts.append(f"{label} {math.ceil(seconds - 1e-9):g} s")
    return ", ".join(parts)
