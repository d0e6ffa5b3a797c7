"""ECS vs EKS for one stack: cost, deploy time and manifests side by side.

`compare(plan)` reads the ECS figures from the plan's own cost and deployment sections
(offline/cost.py, offline/deploy.py: the same numbers `python -m offline plan` prints), prices
and times the same workloads on EKS on Fargate and on managed node groups, and renders the
Kubernetes manifests of both. `render` is the human table; `to_json` the one JSON object.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .. import cost as ecs_cost_model
from .. import deploy as ecs_deploy_model
from ..engine import Plan
from ..prices import PriceBook
from ..topology import TASK_DEFINITION, Graph
from . import data
from .capacity import Group, groups
from .cost import VariantCost, estimate
from .manifests import Rendered, render
from .timing import FreshStack, Rollout, fresh_stack, rollout
from .workloads import Workload, collect

VARIANT_TITLES = {"fargate": "EKS on Fargate", "nodes": "EKS on managed nodes"}
NOT_MODELLED = [
    "Container Insights on EKS (the ECS figure is carried over)",
    "EKS Hybrid Nodes for launchType EXTERNAL services (the ECS Anywhere fee is carried over)",
    "scheduled tasks' compute (priced on neither side)",
    "scaling on ALB requests per target, scheduled scaling windows and queue-backlog scaling "
    "(they need a metrics adapter or KEDA)",
    "the node autoscaler (Cluster Autoscaler or Karpenter) and its pods; nodes are priced at "
    "the packed count all month",
    "kube-proxy's and other add-ons' DaemonSet requests beyond aws-node; the kernel's share of "
    "node memory",
    "EKS Pod Identity associations for task roles and the syncing of the Kubernetes Secrets "
    "(AWS API calls and controllers, not manifests)",
    "data transfer and cross-AZ traffic",
]


@dataclass
class Comparison:
    stack: str
    region: str
    ecs_cost: dict[str, Any]
    ecs_deploy: dict[str, Any]
    workloads: list[Workload]
    groups: list[Group]
    costs: dict[str, VariantCost]
    rollouts: dict[str, dict[str, Rollout]]
    fresh: dict[str, FreshStack]
    manifests: Rendered
    warnings: list[str] = field(default_factory=list)


def images(plan: Plan, workloads: list[Workload]) -> dict[str, dict[str, str]]:
    """Each container's image: the spec's, or for an image built by the stack the reference
    its planned task definition carries (a digest only `pulumi up` knows; the offline plan
    shows a stand-in)."""
    graph = Graph(plan.resources)
    planned: dict[str, dict[str, str]] = {}
    for td in graph.of_type(TASK_DEFINITION):
        defs = td.inputs.get("containerDefinitions", "[]")
        parsed = json.loads(defs) if isinstance(defs, str) else defs
        planned[graph.display_name(td)] = {c["name"]: c.get("image", "") for c in parsed}
    out = {}
    for w in workloads:
        known = planned.get(w.name, {})
        out[w.name] = {c.name: c.spec.image or known.get(c.name, "") for c in w.containers}
    return out


def compare(plan: Plan, prefix_delegation: bool = False) -> Comparison:
    workloads = collect(plan)
    ecs_cost = ecs_cost_model.estimate(plan).to_json()
    ecs_deploy = ecs_deploy_model.estimate(plan).to_json()
    zones = plan.config.network.az_count
    pricer_groups = groups(workloads, PriceBook(plan.region), zones, prefix_delegation)
    a = plan.config.assumptions
    running = [w for w in workloads if w.kind != "scheduled"]
    rollouts = {
        "fargate": {w.name: rollout(w, a, fargate=not w.external) for w in running},
        "nodes": {w.name: rollout(w, a, False, pricer_groups) for w in running},
    }
    fresh = {v: fresh_stack(plan, workloads, a, v == "fargate") for v in ("fargate", "nodes")}
    rendered = render(workloads, plan.config, plan.stack.lower(), images(plan, workloads))
    warnings = list(rendered.warnings)
    for w in workloads:
        if any(c.spec is not w.spec and c.cpu_milli == 0 for c in w.containers):
            warnings.append(
                f"{w.name}: a sidecar without cpu shares the ECS task's CPU; its pod container "
                "gets no CPU request or limit"
            )
        if w.spec.build is not None:
            warnings.append(
                f"{w.name}: the image is built by `pulumi up`; the manifests carry the offline "
                "plan's stand-in digest until the real one is known"
            )
    if plan.config.stack_kind == "service":
        warnings.append(
            "the ECS column is this team's stack only: its platform's network, cluster and load "
            "balancer cost are in the platform stack (`python -m offline plan --with-platform`), "
            "while each EKS column prices a cluster of its own"
        )
    return Comparison(
        stack=plan.stack,
        region=plan.region,
        ecs_cost=ecs_cost,
        ecs_deploy=ecs_deploy,
        workloads=workloads,
        groups=pricer_groups,
        costs=estimate(plan, workloads, pricer_groups, ecs_cost),
        rollouts=rollouts,
        fresh=fresh,
        manifests=rendered,
        warnings=warnings,
    )


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f}"


def render_table(c: Comparison) -> str:
    rows = _summary_rows(c)
    width = max(len(r[0]) for r in rows)
    head = ("", "ECS (plan)", VARIANT_TITLES["fargate"], VARIANT_TITLES["nodes"])
    cols = [max(len(r[i]) for r in [*rows, head]) for i in range(1, 4)]
    lines = [
        f"ECS vs EKS for stack {c.stack} ({c.region}; Kubernetes {data.kubernetes_version()})",
        "",
        "  "
        + head[0].ljust(width)
        + "".join(f"  {h:>{w}}" for h, w in zip(head[1:], cols, strict=True)),
    ]
    for row in rows:
        lines.append(
            "  "
            + row[0].ljust(width)
            + "".join(f"  {v:>{w}}" for v, w in zip(row[1:], cols, strict=True))
        )
    lines += [
        "",
        "Basis: ECS columns are the plan's own cost and deployment sections; deploy time is to "
        "the old tasks/pods gone (Kubernetes rollout status returns earlier, see --json).",
    ]
    lines += _detail_lines(c)
    for warning in c.warnings:
        lines.append(f"warning: {warning}")
    lines.append("not modelled: " + "; ".join(NOT_MODELLED))
    lines.append("sources: docs/eks-comparison.md")
    return "\n".join(lines)


def _summary_rows(c: Comparison) -> list[tuple[str, str, str, str]]:
    """The table's rows: cost, cost range, each service's deploy and the fresh stack, as
    (what, ECS, EKS Fargate, EKS managed nodes)."""
    ecs_range = c.ecs_cost.get("rangeUsd") or [c.ecs_cost["monthlyUsd"]] * 2
    rows: list[tuple[str, str, str, str]] = [
        ("monthly cost, USD", f"{c.ecs_cost['monthlyUsd']:.2f}",
         f"{c.costs['fargate'].monthly_usd:.2f}", f"{c.costs['nodes'].monthly_usd:.2f}"),
        ("  with autoscaling", f"{ecs_range[0]:.2f}..{ecs_range[1]:.2f}",
         "{:.2f}..{:.2f}".format(*c.costs["fargate"].range_usd),
         "{:.2f}..{:.2f}".format(*c.costs["nodes"].range_usd)),
    ]  # fmt: skip
    ecs_roll = c.ecs_deploy.get("rollingMinutes", {})
    for name in c.rollouts["nodes"]:
        ecs = ecs_roll.get(name)
        rows.append((
            f"deploy {name}, min",
            "-" if ecs is None else f"{ecs:.1f}",
            _minutes(c.rollouts["fargate"][name].seconds),
            _minutes(c.rollouts["nodes"][name].seconds),
        ))  # fmt: skip
    fresh = c.ecs_deploy.get("freshStackMinutes", 0)
    rows.append(
        (
            "fresh stack, min",
            f"{fresh:.1f}",
            _minutes(c.fresh["fargate"].seconds),
            _minutes(c.fresh["nodes"].seconds),
        )
    )
    return rows


def _detail_lines(c: Comparison) -> list[str]:
    """Per EKS variant: its cost lines, then each service's rolling-update terms and the fresh
    stack's critical path."""
    lines: list[str] = []
    for variant, costs in c.costs.items():
        lines += ["", f"{VARIANT_TITLES[variant]} cost lines (USD/month):"]
        for line in sorted(costs.lines, key=lambda x: -x.monthly_usd):
            mark = " (carried from ECS)" if line.carried else ""
            lines.append(f"  {line.monthly_usd:9.2f}  {line.item}{mark}")
            if not line.carried:
                lines.append(f"             {line.basis}")
    for variant, roll in c.rollouts.items():
        lines += ["", f"{VARIANT_TITLES[variant]} rolling update (seconds per term):"]
        for r in roll.values():
            terms = ", ".join(f"{k} {v:g}" for k, v in r.terms.items() if v)
            lines.append(
                f"  {r.name}: {r.waves} wave(s), new pod {r.new_seconds:.0f} s, old pod "
                f"{r.old_seconds:.0f} s, rollout status {_minutes(r.ready_seconds)} min; {terms}"
            )
        path = " -> ".join(f"{s} {t:.0f}s" for s, t in c.fresh[variant].path)
        lines.append(f"  fresh stack {_minutes(c.fresh[variant].seconds)} min: {path}")
    return lines


def to_json(c: Comparison) -> dict[str, Any]:
    def variant(name: str) -> dict[str, Any]:
        return {
            "cost": c.costs[name].to_json(),
            "rollingMinutes": {k: round(r.seconds / 60, 2) for k, r in c.rollouts[name].items()},
            "rollouts": {k: r.to_json() for k, r in c.rollouts[name].items()},
            "freshStack": c.fresh[name].to_json(),
            "manifests": sorted(
                f"{d['kind']}/{d['metadata']['name']}" for d in c.manifests.documents(name)
            ),
        }

    return {
        "stack": c.stack,
        "region": c.region,
        "kubernetesVersion": data.kubernetes_version(),
        "ecs": {
            "monthlyUsd": c.ecs_cost["monthlyUsd"],
            "rangeUsd": c.ecs_cost.get("rangeUsd"),
            "rollingMinutes": c.ecs_deploy.get("rollingMinutes", {}),
            "freshStackMinutes": c.ecs_deploy.get("freshStackMinutes"),
        },
        "eksFargate": variant("fargate"),
        "eksNodes": {
            **variant("nodes"),
            "nodeGroups": [
                {
                    "name": g.name,
                    "instanceType": g.choice.shape.instance_type,
                    "nodes": list(g.counts),
                    "pods": g.pods,
                    "maxPods": g.choice.shape.max_pods,
                }
                for g in c.groups
            ],  # fmt: skip
        },
        "warnings": c.warnings,
        "notModelled": NOT_MODELLED,
    }
