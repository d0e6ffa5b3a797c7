"""Plan output: the JSON contract (README.md, Offline plan) and the human-readable report.

The human report names a resource by its logical name, and adds its type (`cluster-exec
[kms/key]`) where two resources of different types share that name. Outputs print as indented
YAML, wrapped at 100 columns; `--json` prints them as JSON.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import yaml

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
        lines += ["", "Outputs:", *outputs_text(_masked(plan))]
    label = labeller(plan)
    lines += ["", *cost.render(cost.estimate(plan))]
    lines += ["", *deploy.render(deploy.estimate(plan), label)]
    lines += ["", *render_policy(policy or check(plan), label)]
    lines += ["", *(checks or awsrules.check(plan)).render()]
    return "\n".join(lines)


def outputs_text(outputs: dict[str, Any], width: int = 100) -> list[str]:
    """Stack outputs as indented block YAML (nested maps on lines of their own), by key."""
    text = yaml.safe_dump(
        dict(sorted(outputs.items())),
        default_flow_style=False,
        sort_keys=False,
        width=width - 20,  # the emitter breaks at the first space past this column
        allow_unicode=True,
    )
    plain = f": {SECRET}"  # the mask reads as written in `pulumi stack output`, unquoted
    return [
        f"  {line[: -len(plain) - 2]}{plain}" if line.endswith(f": '{SECRET}'") else f"  {line}"
        for line in text.splitlines()
    ]


def labeller(plan: Plan) -> Callable[[str | None], str]:
    """URN -> logical name, plus the type where a resource of another type has that name."""
    types: dict[str, set[str]] = {}
    for r in plan.resources:
        types.setdefault(r.name, set()).add(r.type)

    def label(urn: str | None) -> str:
        if not urn:
            return "(stack)"
        name = urn.rsplit("::", 1)[-1]
        if len(types.get(name, ())) < 2:
            return name
        type_ = urn.split("::")[-2].rsplit("$", 1)[-1]
        return f"{name} [{short_type(type_)}]"

    return label


def short_type(type_: str) -> str:
    """`aws:kms/key:Key` -> `kms/key`; component types keep their full token."""
    parts = type_.split(":")
    return parts[1] if len(parts) == 3 and parts[0] == "aws" else type_


SECRET = "[secret]"


def _masked(plan: Plan) -> dict[str, Any]:
    """Outputs as `pulumi stack output` shows them: secret ones masked."""
    return {k: SECRET if k in plan.secret_outputs else v for k, v in plan.outputs.items()}
