"""Difference between two plans: resources added, removed and changed, cost and deploy time.

Resources are matched by URN without the stack segment, so `diff dev prod` lines up the same
logical resources of two stacks, and `diff base/Pulumi.prod.yaml Pulumi.prod.yaml` (a pull
request's base and head) shows exactly what the change does. Replacements come from
offline/replacement.py; one that drops traffic without `replacementIntended` is refused. The
after side's plan is also checked against its own policy level, as `plan` would check it: a
pull request that `plan` would refuse (exit 3) is refused by the diff too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import awsrules, cost, deploy
from .awsrules import CheckReport
from .engine import Captured, Plan
from .policy import PolicyReport, check
from .replacement import Replacement, changed_properties, replacements, stackless


@dataclass
class PlanDiff:
    before: Plan
    after: Plan
    added: list[Captured]
    removed: list[Captured]
    changed: list[tuple[Captured, list[str]]]
    replaced: list[Replacement]
    cost_before: cost.CostReport
    cost_after: cost.CostReport
    deploy_before: deploy.DeployReport
    deploy_after: deploy.DeployReport
    policy_after: PolicyReport
    checks_after: CheckReport

    @property
    def refused(self) -> list[Replacement]:
        return [r for r in self.replaced if r.refused]

    @property
    def blocked(self) -> bool:
        """A refused replacement, or what `plan` refuses on the after side (a mandatory policy
        violation, an apply-time AWS rule violation)."""
        return bool(self.refused or self.policy_after.mandatory or self.checks_after.violations)

    def to_json(self) -> dict[str, Any]:
        rolling_before = self.deploy_before.to_json()["rollingMinutes"]
        rolling_after = self.deploy_after.to_json()["rollingMinutes"]
        return {
            "before": self.before.source,
            "after": self.after.source,
            "added": [r.urn for r in self.added],
            "removed": [r.urn for r in self.removed],
            "changed": [{"urn": r.urn, "properties": props} for r, props in self.changed],
            "replacements": [r.to_json() for r in self.replaced],
            "cost": {
                "beforeMonthlyUsd": round(self.cost_before.monthly_usd, 2),
                "afterMonthlyUsd": round(self.cost_after.monthly_usd, 2),
                "deltaMonthlyUsd": round(
                    self.cost_after.monthly_usd - self.cost_before.monthly_usd, 2
                ),
            },
            "deployment": {
                "rollingMinutes": {
                    name: {"before": rolling_before.get(name), "after": rolling_after.get(name)}
                    for name in sorted(set(rolling_before) | set(rolling_after))
                },
                "freshStackMinutes": {
                    "before": round(self.deploy_before.fresh_stack_seconds / 60, 2),
                    "after": round(self.deploy_after.fresh_stack_seconds / 60, 2),
                },
            },
            "policy": self.policy_after.to_json(),
            "checks": self.checks_after.to_json(),
        }


def diff(before: Plan, after: Plan) -> PlanDiff:
    old = {stackless(r.urn): r for r in before.resources}
    new = {stackless(r.urn): r for r in after.resources}
    changed = []
    for key in sorted(set(old) & set(new)):
        props = changed_properties(old[key], new[key])
        if props and new[key].custom:
            changed.append((new[key], props))
    return PlanDiff(
        before=before,
        after=after,
        added=[new[k] for k in sorted(set(new) - set(old)) if new[k].custom],
        removed=[old[k] for k in sorted(set(old) - set(new)) if old[k].custom],
        changed=changed,
        replaced=replacements(before, after),
        cost_before=cost.estimate(before),
        cost_after=cost.estimate(after),
        deploy_before=deploy.estimate(before),
        deploy_after=deploy.estimate(after),
        policy_after=check(after),
        checks_after=awsrules.check(after),
    )


def _label(r: Captured | Replacement) -> str:
    return f"{r.type.rsplit(':', 1)[-1]} {r.name}"


def render(d: PlanDiff) -> str:
    """Markdown: readable in a terminal and as a pull-request comment."""
    delta = d.cost_after.monthly_usd - d.cost_before.monthly_usd
    lines = [
        f"### Offline plan diff: {d.before.source} -> {d.after.source}",
        "",
        f"**{len(d.added)} to add, {len(d.changed)} to change "
        f"({len(d.replaced)} replaced), {len(d.removed)} to remove.** "
        f"Cost ${d.cost_before.monthly_usd:,.2f} -> ${d.cost_after.monthly_usd:,.2f} a month "
        f"({delta:+,.2f}).",
        "",
    ]
    if d.replaced:
        lines += ["#### Replacements", ""]
        for r in d.replaced:
            mark = "**REFUSED**" if r.refused else "**STATEFUL**" if r.stateful else "replace"
            why = f": loses {r.loses}" if r.loses else ""
            extra = " (marked replacementIntended)" if r.intended else ""
            extra += " (protected: the delete will fail)" if r.protected else ""
            lines.append(f"- {mark} `{_label(r)}` because of {', '.join(r.properties)}{why}{extra}")
        if d.refused:
            lines.append(
                "- Refused replacements drop traffic; set replacementIntended on the load "
                "balancer or service's loadBalancer in the stack config if that is the plan."
            )
        lines.append("")
    lines += _policy_lines(d.policy_after)
    if d.checks_after.violations:
        lines += ["#### **REFUSED** by apply-time AWS rules after the change", ""]
        lines += [f"- {v.line()}" for v in d.checks_after.violations]
        lines.append("")
    sections = (("Added", d.added), ("Removed", d.removed))
    for title, items in sections:
        if items:
            lines += [f"#### {title}", "", *(f"- `{_label(r)}`" for r in items), ""]
    if d.changed:
        lines += ["#### Changed", ""]
        lines += [f"- `{_label(r)}`: {', '.join(props)}" for r, props in d.changed]
        lines.append("")
    lines += ["#### Deploy time (minutes, modelled)", "", "| service | before | after |"]
    lines.append("|---|---:|---:|")
    before = {s.name: s.minutes for s in d.deploy_before.services}
    after = {s.name: s.minutes for s in d.deploy_after.services}
    for name in sorted(set(before) | set(after)):
        lines.append(f"| {name} | {_minutes(before.get(name))} | {_minutes(after.get(name))} |")
    lines.append(
        f"| fresh stack | {d.deploy_before.fresh_stack_seconds / 60:.1f} | "
        f"{d.deploy_after.fresh_stack_seconds / 60:.1f} |"
    )
    lines += ["", "#### Cost (USD a month)", "", "| item | before | after |", "|---|---:|---:|"]
    old = _by_line(d.cost_before)
    new = _by_line(d.cost_after)
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a is None or b is None or abs(a[1] - b[1]) >= 0.005 or a[0] != b[0]:
            lines.append(f"| {_cost_item(a, b)} | {_usd(a and a[1])} | {_usd(b and b[1])} |")
    lines.append(
        f"| **total** | {d.cost_before.monthly_usd:,.2f} | {d.cost_after.monthly_usd:,.2f} |"
    )
    return "\n".join(lines)


def _policy_lines(report: PolicyReport) -> list[str]:
    """The after side's mandatory findings in full; advisory ones as a count."""
    mandatory = report.mandatory
    advisory = len(report.violations) - len(mandatory)
    head = f"{report.environment} levels" + (f" {report.basis}" if report.basis else "")
    if not mandatory:
        return [f"Policy after the change ({head}): passes, {advisory} advisory finding(s).", ""]
    lines = [f"#### **REFUSED** by policy after the change ({head})", ""]
    for v in mandatory:
        where = v.urn.rsplit("::", 1)[-1] if v.urn else "(stack)"
        lines.append(f"- `{v.policy}` `{where}`: {v.message}")
    return [*lines, f"- and {advisory} advisory finding(s)", ""]


def _by_line(report: cost.CostReport) -> dict[tuple[str, int], tuple[str, float]]:
    """Cost lines keyed by resource and position, so a changed count pairs with its old line."""
    out: dict[tuple[str, int], tuple[str, float]] = {}
    seen: dict[str, int] = {}
    for line in report.lines:
        urn = stackless(line.urn)
        seen[urn] = seen.get(urn, -1) + 1
        out[(urn, seen[urn])] = (line.item, line.monthly_usd)
    return out


def _cost_item(a: tuple[str, float] | None, b: tuple[str, float] | None) -> str:
    """A cost line's item as it reads on each side: `before → after` when the text changed."""
    if a is None or b is None or a[0] == b[0]:
        return (b or a or ("", 0.0))[0]
    return f"{a[0]} → {b[0]}"


def _usd(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def _minutes(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"
