"""Deployment time of a planned stack: each service's rollout and a fresh stack's critical path.

Per service (offline/rollout.py, formulas in components/timing.py): the time to steady state
(new tasks healthy, old tasks drained and stopped) and to rolloutState COMPLETED (plus the bake
ECS adds after the old tasks are gone when deployment alarms are on), a conservative worst
case, and where the time goes (scheduler, host launch, task launch, image pull, app start,
health checks, draining, SIGTERM handling, alarm bake). A service at zero tasks has nothing to
roll; its first task's start time is reported instead. Fresh stack: offline/fresh.py.
docs/model-basis.md gives every step's AWS source.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from components.specs.assumptions import AssumptionsSpec
from components.timing import Rollout

from .cost_lines import Ledger
from .engine import Captured, Plan
from .fresh import CREATE_SECONDS, OTHER_CREATE_SECONDS, critical_path
from .prices import BASIS_DOC
from .rollout import ServiceDeploy, service_deploy, where_the_time_goes
from .topology import ServiceView

__all__ = [
    "CREATE_SECONDS",
    "OTHER_CREATE_SECONDS",
    "DeployReport",
    "ServiceDeploy",
    "estimate",
    "render",
]

PROVIDER_TIMEOUT_SECONDS = 20 * 60  # aws_ecs_service create/update default wait


@dataclass
class DeployReport:
    services: list[ServiceDeploy]
    fresh_stack_seconds: float
    critical_path: list[tuple[Captured, float]]
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "rollingMinutes": {s.name: round(s.minutes, 2) for s in self.services},
            "completedMinutes": {s.name: round(s.completed_seconds / 60, 2) for s in self.services},
            "freshStackMinutes": round(self.fresh_stack_seconds / 60, 2),
            "services": {s.name: s.to_json() for s in self.services},
            "criticalPath": [
                {"urn": r.urn, "type": r.type, "seconds": seconds}
                for r, seconds in self.critical_path
            ],
            "warnings": self.warnings,
            "basis": BASIS_DOC,
        }


def estimate(plan: Plan) -> DeployReport:
    ledger = Ledger(plan)
    warnings: list[str] = []
    deploys = []
    for view in ledger.views:
        deploy, rollout, notes = service_deploy(view, ledger)
        deploys.append(deploy)
        timeouts = dict(view.service.options.get("customTimeouts") or {})
        notes = notes + coherence(rollout, ledger.a, deploy.worst_case_seconds, timeouts)
        notes += _start_and_stop(view, ledger.a)
        warnings += [f"{view.name}: {note}" for note in notes]
    seconds, path = critical_path(ledger.graph)
    return DeployReport(deploys, seconds, path, warnings)


def coherence(s: Rollout, a: AssumptionsSpec, worst: float, timeouts: dict[str, str]) -> list[str]:
    """Settings that contradict each other (timing coherence)."""
    out = []
    longest = a.longest_request_seconds
    lb = s.target is not None
    if lb and longest is not None and s.deregistration_delay < longest:
        out.append(
            f"deregistrationDelay {s.deregistration_delay:g} s is shorter than the longest "
            f"request ({longest} s, assumptions.longestRequestSeconds): requests are cut off"
        )
    if s.target == "application":
        limit = 2 * longest + 5 if longest is not None else 300
        if s.deregistration_delay >= limit:
            why = (
                f"twice the longest request ({longest} s)"
                if longest is not None
                else "the AWS default that dominates deploys"
            )
            out.append(
                f"deregistrationDelay {s.deregistration_delay:g} s is longer than needed "
                f"({why}); every deploy waits for it"
            )
    for op in ("create", "update"):
        limit_s = _duration(timeouts.get(op))
        if limit_s is not None and limit_s < worst:
            out.append(
                f"customTimeouts.{op} {timeouts[op]} is shorter than the modelled worst-case "
                f"deployment ({worst / 60:.1f} min): Pulumi gives up while ECS is still rolling"
            )
    if not timeouts and worst > PROVIDER_TIMEOUT_SECONDS:
        out.append(
            f"the modelled worst-case deployment ({worst / 60:.1f} min) exceeds the provider's "
            "20 min wait; set customTimeouts or shorten the settings above"
        )
    return out


def _start_and_stop(view: ServiceView, a: AssumptionsSpec) -> list[str]:
    """Grace period against the app's start, stopTimeout against its exit on SIGTERM."""
    out = []
    stop = max((float(c.get("stopTimeout", 30)) for c in view.containers), default=30.0)
    shutdown = a.shutdown_seconds(view.name)
    if shutdown is not None and stop < shutdown:
        out.append(
            f"stopTimeout {stop:g} s is shorter than the app's drain on SIGTERM ({shutdown} s, "
            "assumptions.appShutdownSeconds): it is killed mid-drain"
        )
    grace = view.service.inputs.get("healthCheckGracePeriodSeconds")
    if view.target_groups and grace is not None:
        app = next((c for c in view.containers if c.get("essential", True)), {})
        start_period = float((app.get("healthCheck") or {}).get("startPeriod", 0))
        start = max(float(a.ready_seconds(view.name)), start_period)
        if float(grace) < start:
            out.append(
                f"healthCheckGracePeriodSeconds {float(grace):g} is shorter than the container's "
                f"start ({start:g} s): ECS may kill tasks that are still starting"
            )
    return out


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|m|s)")


def _duration(text: str | None) -> float | None:
    """Go duration ("10m", "1h30m", "90s") in seconds."""
    if not text:
        return None
    parts = _DURATION.findall(text)
    if not parts:
        return None
    return sum(float(v) * {"h": 3600, "m": 60, "s": 1}[u] for v, u in parts)


def render(report: DeployReport, label: Callable[[str], str] | None = None) -> list[str]:
    """`label(urn)` names a resource (offline/report.py adds its type where names repeat)."""
    lines = [f"Deployment time (modelled; steps and sources: {BASIS_DOC}):"]
    for s in report.services:
        if s.at_zero:
            lines.append(
                f"  {s.name:<12} at 0 tasks: no rolling deploy while at zero (nothing to "
                f"replace); a first task starts in {s.new_task_seconds / 60:.1f} min"
            )
            lines.append(f"  {'':<12} first task: {where_the_time_goes(s)}")
            continue
        bake = s.terms.get("alarmBake", 0.0)
        lines.append(
            f"  {s.name:<12} {s.minutes:4.1f} min to steady state, "
            f"{s.completed_seconds / 60:4.1f} min to COMPLETED ({s.strategy.lower()}, "
            f"{s.waves} wave(s)"
            + (f", alarm bake {bake:.0f} s" if bake else ", no deployment alarms")
            + f"); worst case {s.worst_case_seconds / 60:.1f} min"
        )
        lines.append(f"  {'':<12} where: {where_the_time_goes(s)}; largest: {s.dominant}")
    name = label or (lambda urn: urn.rsplit("::", 1)[-1])
    path = " -> ".join(f"{name(r.urn)} {seconds:g}s" for r, seconds in report.critical_path)
    lines.append(f"  fresh stack {report.fresh_stack_seconds / 60:.1f} min: {path}")
    for warning in report.warnings:
        lines.append(f"  warning: {warning}")
    return lines
