"""Monthly cost of a planned stack, per resource, from its captured inputs and offline/prices.yaml.

Each line is one priced resource or group (a service's tasks, a load balancer, a NAT gateway,
the alarms of a component...) with its monthly USD at the baseline (the average task count,
the instances ECS would place them on) and, where autoscaling can move it, the range min..max.
Usage the program cannot know (NAT traffic, LCUs, log volume, run times) comes from the stack's
`ecs-platform:assumptions`, and each line's `basis` says which figures it used. A price the
region lacks is a guess, listed up front; docs/model-basis.md gives every price's public source
and date and every formula (730 hours a month).

The families: compute (offline/cost_compute.py), EC2 hosts (cost_capacity.py), networking
(cost_network.py), observability and keys (cost_observability.py).
"""

from __future__ import annotations

from .cost_capacity import price_capacity
from .cost_compute import price_anywhere, price_compute
from .cost_lines import NOT_INCLUDED, CostLine, CostReport, Ledger
from .cost_network import price_network
from .cost_observability import price_observability
from .engine import Plan
from .prices import BASIS_DOC
from .topology import ACTIVATION

__all__ = ["NOT_INCLUDED", "CostLine", "CostReport", "estimate", "render"]


def estimate(plan: Plan) -> CostReport:
    """Cost lines for every priced resource of the plan, in a stable order."""
    ledger = Ledger(plan)
    price_compute(ledger)
    price_capacity(ledger)
    price_network(ledger)
    price_observability(ledger)
    for activation in ledger.graph.of_type(ACTIVATION):
        price_anywhere(ledger, activation)
    known = {r.name.rsplit("-", 1)[0] for r in plan.resources} | {r.name for r in plan.resources}
    for name in sorted(set(ledger.a.workloads) - known):
        ledger.warnings.append(f"assumptions.workloads.{name} names no workload of this stack")
    return ledger.report()


def render(report: CostReport) -> list[str]:
    """The report's cost table: guessed prices first, one row per line, total, range."""
    lines = [f"Cost per month (USD, {report.region}, 730 h; prices and sources: {BASIS_DOC}):"]
    lines += [f"  warning: {w}" for w in report.warnings if w.startswith("GUESSED")]
    width = min(max((len(line.item) for line in report.lines), default=10), 78)
    for line in sorted(report.lines, key=lambda c: -c.monthly_usd):
        span = (
            f"  ({line.min_usd:.2f}..{line.max_usd:.2f})"
            if line.min_usd is not None and line.max_usd is not None
            else ""
        )
        mark = " *" if line.fallback else ""
        lines.append(f"  {line.item[:width]:<{width}}  {line.monthly_usd:>9.2f}{span}{mark}")
    low, high = report.range_usd
    total = f"  {'total':<{width}}  {report.monthly_usd:>9.2f}"
    if (low, high) != (report.monthly_usd, report.monthly_usd):
        total += f"  ({low:.2f}..{high:.2f} with autoscaling)"
    lines.append(total)
    if any(line.fallback for line in report.lines):
        lines.append("  * priced with a GUESSED price (another region's; see the warning above)")
    lines += [f"  warning: {w}" for w in report.warnings if not w.startswith("GUESSED")]
    lines.append("  not included: " + "; ".join(NOT_INCLUDED))
    return lines
