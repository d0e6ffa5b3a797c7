"""Priced family: task compute. Fargate services (per vCPU-hour and GB-hour, Spot share at the
stated discount), their ephemeral storage and public IPv4, scheduled tasks (runs a month x run
time), and ECS Anywhere's registered servers. Tasks on EC2 or Managed Instances capacity are
priced with their hosts (offline/cost_capacity.py); their line says so at $0.

Fargate bills per second from the image pull to task stop, one minute at least
(https://aws.amazon.com/fargate/pricing/).
"""

from __future__ import annotations

from typing import Any

from components.specs.cluster import FARGATE_PROVIDERS

from .cost_lines import Ledger
from .engine import Captured
from .schedule import runs_per_week
from .topology import (
    TASK_DEFINITION,
    ServiceView,
    StrategyItem,
    split_tasks,
    strategy_items,
)

SCHEDULE = "aws:scheduler/schedule:Schedule"
FREE_EPHEMERAL_GB = 20  # Fargate includes 20 GB of ephemeral storage per task
WEEKS_PER_MONTH = 730 / 168


def price_compute(ledger: Ledger) -> None:
    for view in ledger.views:
        _service(ledger, view)
    for schedule in ledger.graph.of_type(SCHEDULE):
        _scheduled_task(ledger, schedule)


def task_shape(td: Captured) -> tuple[float, float, str]:
    """(vCPU, GB, CPU architecture) of a task definition."""
    arch = (td.inputs.get("runtimePlatform") or {}).get("cpuArchitecture", "X86_64")
    return int(td.inputs.get("cpu", 0)) / 1024, int(td.inputs.get("memory", 0)) / 1024, arch


def count_text(count: float, averaged: bool) -> str:
    """'0.36 tasks avg', '1 task', '3 tasks': the count a figure is based on."""
    unit = "task" if count == 1 and not averaged else "tasks"
    return f"{count:.2f} {unit} avg" if averaged else f"{count:g} {unit}"


def _task_hour(ledger: Ledger, vcpu: float, gb: float, arch: str) -> tuple[float, str]:
    cpu = ledger.price("fargate", f"vcpuHour{arch}")
    mem = ledger.price("fargate", f"gbHour{arch}")
    return vcpu * cpu.usd + gb * mem.usd, f"{cpu.describe()} + {mem.describe()}"


def _fargate_share(strategy: list[StrategyItem], tasks: float) -> float:
    shares = split_tasks(strategy, tasks)
    return sum(n for p, n in shares.items() if p in FARGATE_PROVIDERS)


def _fargate_month(
    ledger: Ledger, strategy: list[StrategyItem], tasks: float, hourly: float, discount: float
) -> float:
    shares = split_tasks(strategy, tasks)
    on_demand, spot = shares.get("FARGATE", 0.0), shares.get("FARGATE_SPOT", 0.0)
    return (on_demand + spot * (1 - discount)) * hourly * ledger.hours


def _spot(ledger: Ledger, strategy: list[StrategyItem]) -> tuple[float, str]:
    if not any(s.provider == "FARGATE_SPOT" for s in strategy):
        return 0.0, ""
    spot = ledger.price("fargate", "spotDiscount")
    return spot.usd, f"; Spot at {spot.usd:.0%} off ({spot.note})"


def _service(ledger: Ledger, view: ServiceView) -> None:
    td = view.task_definition
    if td is None:
        return
    vcpu, gb, arch = task_shape(td)
    per_task, basis = _task_hour(ledger, vcpu, gb, arch)
    counts = view.counts()
    week = view.weekly()
    shares = split_tasks(view.strategy, counts[0])
    mix = ", ".join(f"{n:.3g} {p}" for p, n in shares.items() if n)
    shape = f"{vcpu:g} vCPU / {gb:g} GB" + ("" if view.external else f" {arch}")
    item = f"{view.name}: {count_text(counts[0], week is not None)} x {shape}"
    note = f"{basis}; {mix or 'no tasks'} ({view.strategy_source} strategy)"
    discount, spot_note = _spot(ledger, view.strategy)
    note += spot_note
    costs = [_fargate_month(ledger, view.strategy, n, per_task, discount) for n in counts]
    if view.external:
        note += "; runs on the team's own servers, billed per registered server (ECS Anywhere)"
        item += " on external instances"
    elif view.managed_instances:
        note += "; priced with the Managed Instances capacity they run on"
        item += " on Managed Instances"
    elif not view.fargate:
        note += "; EC2 tasks are priced with their Auto Scaling group"
        item += " on EC2 capacity"
    low, high = (costs[1], costs[2]) if view.count_range else (None, None)
    if view.count_range:
        scheduled = ", on a schedule" if week is not None else ""
        item += f" (autoscaling {view.count_range[0]}..{view.count_range[1]}{scheduled})"
        if week is not None:
            note += (
                f"; {week.describe()}: {week.baseline:.2f} tasks on average (desired count "
                "held within the min..max in force)"
            )
        elif view.scheduled_actions:
            note += "; scheduled actions not modelled (not a weekly cron): desired count"
    ledger.add(view.service, item, costs[0], note, low, high)
    fargate = [_fargate_share(view.strategy, n) for n in counts]
    _per_task_extras(ledger, view, td, fargate, scheduled=week is not None)


def _per_task_extras(
    ledger: Ledger, view: ServiceView, td: Captured, fargate: list[float], *, scheduled: bool
) -> None:
    """What is billed per task beyond vCPU and memory: ephemeral storage above the free 20 GB
    (Fargate tasks), and a public IPv4 address. `fargate`: Fargate tasks at (expected, low,
    high); `scheduled`: the count follows a weekly schedule."""
    ranged = view.count_range is not None
    storage = (td.inputs.get("ephemeralStorage") or {}).get("sizeInGib")
    if storage and int(storage) > FREE_EPHEMERAL_GB:
        extra = int(storage) - FREE_EPHEMERAL_GB
        price = ledger.price("fargate", "ephemeralGbHour")
        per = ledger.prices.monthly(price, extra)
        ledger.add(
            td,
            f"{view.name}: ephemeral storage {extra} GB above the free 20 GB per task",
            per * fargate[0],
            f"{price.describe()} x {fargate[0]:.3g} Fargate tasks",
            *((per * fargate[1], per * fargate[2]) if ranged else ()),
        )
    if view.service.inputs.get("networkConfiguration", {}).get("assignPublicIp"):
        price = ledger.price("ipv4", "addressHour")
        per = ledger.prices.monthly(price, 1)
        ledger.add(
            view.service,
            f"{view.name}: public IPv4 per task (assignPublicIp), "
            f"{count_text(fargate[0], scheduled)}",
            per * fargate[0],
            f"{price.describe()} x {fargate[0]:.3g} tasks",
            *((per * fargate[1], per * fargate[2]) if ranged else ()),
        )


def _scheduled_task(ledger: Ledger, schedule: Captured) -> None:
    """Runs a month (from the schedule) x tasks per run x run time x the task's hourly price."""
    tds = ledger.graph.deps(schedule, TASK_DEFINITION)
    if not tds:
        return
    td = tds[0]
    name = ledger.graph.display_name(schedule)
    params: dict[str, Any] = (schedule.inputs.get("target") or {}).get("ecsParameters") or {}
    tasks = int(params.get("taskCount", 1))
    expression = str(schedule.inputs.get("scheduleExpression", ""))
    zone = schedule.inputs.get("scheduleExpressionTimezone")
    weekly = runs_per_week(expression, zone)
    if schedule.inputs.get("state") == "DISABLED":
        runs, why = 0.0, "schedule DISABLED"
    elif weekly is None:
        runs, why = 30.4, f"{expression} is not modelled: priced at one run a day"
        ledger.warnings.append(f"scheduled task {name}: {why}")
    else:
        runs, why = weekly * WEEKS_PER_MONTH, f"{expression} ({zone or 'UTC'})"
    minutes = max(ledger.a.run_minutes(name), 1.0)  # Fargate bills one minute at least
    vcpu, gb, arch = task_shape(td)
    per_task, basis = _task_hour(ledger, vcpu, gb, arch)
    strategy = strategy_items(params.get("capacityProviderStrategies") or [])
    if not strategy:
        strategy = [StrategyItem(str(params.get("launchType") or "FARGATE"), 0, 1)]
    discount, spot_note = _spot(ledger, strategy)
    task_hours = runs * tasks * minutes / 60
    usd = _fargate_month(ledger, strategy, task_hours / ledger.hours, per_task, discount)
    source = (
        f"assumptions.workloads.{name}.runMinutes"
        if ledger.a.workloads.get(name) and ledger.a.workloads[name].run_minutes is not None
        else "assumptions.scheduledTaskRunMinutes"
    )
    ledger.add(
        schedule,
        f"{name}: {runs:.3g} runs/month x {tasks} task x {minutes:g} min, "
        f"{vcpu:g} vCPU / {gb:g} GB {arch}",
        usd,
        f"{why}; {minutes:g} min a run ({source}); {basis}{spot_note}",
    )


def price_anywhere(ledger: Ledger, activation: Captured) -> None:
    """ECS Anywhere bills each registered server by the hour; the activation registers them.
    Assumed: cluster.external.instances servers registered all month."""
    external = ledger.plan.config.cluster.external
    limit = int(activation.inputs.get("registrationLimit") or 1)
    servers = external.instances if external is not None else limit
    usd, basis = ledger.hourly("ecsAnywhere", "instanceHour", servers)
    ledger.add(
        activation,
        f"ECS Anywhere: {servers} registered server(s)",
        usd,
        f"{basis} x {servers} (cluster.external.instances, registered all month; the "
        f"activation allows {limit}); the servers themselves are yours",
    )
