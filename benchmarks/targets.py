"""Target figures of the stack files: modelled monthly cost and deploy minutes, with the goals.

Run: .venv/bin/python benchmarks/targets.py [stack ...]
For every Pulumi.<stack>.yaml (or the stacks named), prints the monthly cost split by top-level
component (network, cluster, each load balancer and workload), each service's modelled rolling
deploy, and a fresh stack's bring-up time, next to the project's goals for its examples: one web
service with what it needs (network, cluster, load balancer) under $35 a month at dev level, and
every rolling deploy at most 1.5 modelled minutes to steady state and 2.5 to COMPLETED (the
alarm bake included; benchmarks/deploy_times.py shows where the time goes). Goals, not rules:
a team's own stacks may differ, so nothing here fails a build; the figures come from the same
models as the offline plan.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from offline import cost, deploy
from offline.engine import Plan
from offline.platform_plans import plan_stack

ROOT = Path(__file__).resolve().parent.parent
ONE_WEB_SERVICE_USD = 35.0  # dev level: one web service, its load balancer, network, cluster
STEADY_MINUTES, COMPLETED_MINUTES = 1.5, 2.5
ON_PREM = "on-prem servers"


def component_of(result: Plan) -> dict[str, str]:
    """URN -> name of its top-level component (network, cluster, web, public, ...); the team's
    own servers registered through ECS Anywhere count apart from the cluster."""
    parents = {r.urn: r.parent for r in result.resources}
    names = {r.urn: r.name for r in result.resources}
    out = {}
    for urn in parents:
        top = urn
        while parents.get(top):
            top = parents[top]  # type: ignore[assignment]
        anywhere = names[urn].startswith(f"{names[top]}-anywhere")
        out[urn] = ON_PREM if anywhere else names[top]
    return out


def report(stack: str) -> None:
    result = plan_stack(stack).plan  # a service stack: on its platform
    priced = cost.estimate(result)
    rollout = deploy.estimate(result)
    owner = component_of(result)
    by_component: dict[str, float] = {}
    for line in priced.lines:
        name = owner.get(line.urn, "(stack)")
        by_component[name] = by_component.get(name, 0.0) + line.monthly_usd
    level = result.config.policy_environment[0]
    print(f"{stack} ({level} level): ${priced.monthly_usd:,.2f} a month")
    for name, usd in sorted(by_component.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<24} ${usd:>9,.2f}")
    workloads = (set(result.config.services) | set(result.config.workers)
                 | set(result.config.scheduled_tasks))  # fmt: skip
    shared = sum(u for n, u in by_component.items() if n not in workloads and n != ON_PREM)
    for name, spec in result.config.services.items():
        if level == "dev" and spec.load_balancer is not None:
            footprint = shared + by_component.get(name, 0.0)
            verdict = "meets" if footprint < ONE_WEB_SERVICE_USD else "misses"
            print(
                f"  one-service footprint of {name}: ${footprint:,.2f} "
                f"({verdict} the ${ONE_WEB_SERVICE_USD:.0f} goal)"
            )
    for svc in rollout.services:
        if svc.at_zero:
            print(f"  rolling deploy {svc.name:<16} at 0 tasks: nothing to roll")
            continue
        done = svc.completed_seconds / 60
        ok = svc.minutes <= STEADY_MINUTES and done <= COMPLETED_MINUTES
        print(
            f"  rolling deploy {svc.name:<16} {svc.minutes:5.2f} min to steady state, "
            f"{done:5.2f} to COMPLETED ({'meets' if ok else 'misses'} the "
            f"{STEADY_MINUTES:g} / {COMPLETED_MINUTES:g} min goal)"
        )
    print(f"  fresh stack {rollout.fresh_stack_seconds / 60:.1f} min")


def main(argv: list[str]) -> None:
    names = argv or sorted(
        p.name[len("Pulumi.") : -len(".yaml")] for p in ROOT.glob("Pulumi.*.yaml")
    )
    for stack in names:
        report(stack)


if __name__ == "__main__":
    main(sys.argv[1:])
