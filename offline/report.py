"""Plan output: the JSON contract (README.md, Offline plan) and the human-readable report."""

from __future__ import annotations

from collections import Counter
from typing import Any

from . import awsrules, cost, deploy
from .awsrules import CheckReport
from .engine import Captured, Plan
from .policy import PolicyReport, check
from .policy import render as render_policy


def plan_json(
    plan: Plan, policy: PolicyReport | None = None, checks: CheckReport | None = None
) -> dict[str, Any]:
    """The JSON contract; `policy` is `check(plan)` and `checks` the apply-time AWS rules'
    report (offline/awsrules) when the caller has them already."""
    return {
        "stack": plan.stack,
        "project": plan.project,
        "region": plan.region,
        "resources": [r.to_json() for r in plan.resources],
        "outputs": _masked(plan),
        "cost": cost.estimate(plan).to_json(),
        "deployment": deploy.estimate(plan).to_json(),
        "policy": (policy or check(plan)).to_json(),
        "checks": (checks or awsrules.check(plan)).to_json(),
    }


def render(
    plan: Plan, policy: PolicyReport | None = None, checks: CheckReport | None = None
) -> str:
    lines = [
        f"Stack {plan.stack} ({plan.project}) in {plan.region}, from {plan.source}: "
        f"{len(plan.resources)} resources",
        "",
    ]
    by_parent: dict[str | None, list[Captured]] = {}
    for r in plan.resources:
        by_parent.setdefault(r.parent, []).append(r)

    def walk(parent: str | None, prefix: str) -> None:
        children = sorted(by_parent.get(parent, []), key=lambda r: (r.custom, r.type, r.name))
        for i, r in enumerate(children):
            last = i == len(children) - 1
            lines.append(f"{prefix}{'└─ ' if last else '├─ '}{r.name}  [{r.type}]")
            walk(r.urn, prefix + ("   " if last else "│  "))

    walk(None, "")
    lines += ["", "Resources by type:"]
    counts = Counter(r.type for r in plan.resources if r.custom)
    width = max((len(t) for t in counts), default=0)
    for type_, n in sorted(counts.items()):
        lines.append(f"  {type_:<{width}}  {n:>3}")
    if plan.outputs:
        lines += ["", "Outputs:"]
        for key, value in sorted(_masked(plan).items()):
            lines.append(f"  {key}: {value}")
    lines += ["", *cost.render(cost.estimate(plan))]
    lines += ["", *deploy.render(deploy.estimate(plan))]
    lines += ["", *render_policy(policy or check(plan))]
    lines += ["", *(checks or awsrules.check(plan)).render()]
    return "\n".join(lines)


SECRET = "[secret]"


def _masked(plan: Plan) -> dict[str, Any]:
    """Outputs as `pulumi stack output` shows them: secret ones masked."""
    return {k: SECRET if k in plan.secret_outputs else v for k, v in plan.outputs.items()}
