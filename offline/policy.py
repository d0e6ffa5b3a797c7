"""Run the policy pack's rules on an offline Plan (the same functions `pulumi preview` runs).

The stack's policy level picks the rules config, policy/config.<level>.json: the stack's
`ecs-platform:policyLevel`, or by default the level its name implies (prod, production, prd or
live is prod; staging, stage, stg, preprod or uat is staging; any other name is dev; see
components/specs/policy_level.py). A finding is a violation at the rule's level
(mandatory or advisory) unless the config exempts it (`exemptions`: resource-name glob ->
reason), in which case the report lists it with its reason. A rule that touches a value unknown
at preview time yields an advisory "could not be checked" finding, as the pulumi-policy
analyzer does.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from components.config import PROJECT_DIR
from policy.rules import RULES, Rule
from policy.rules.base import (
    LEVELS,
    Finding,
    Level,
    Resource,
    Stack,
    UnknownValueError,
    run_resource_rule,
    split_exempt,
    wrap,
)

from .engine import Plan

POLICY_DIR = PROJECT_DIR / "policy"
ENVIRONMENTS = ("dev", "staging", "prod")


def pack_config(env: str, directory: Path = POLICY_DIR) -> dict[str, Any]:
    return json.loads((directory / f"config.{env}.json").read_text())


def settings(rule: Rule, config: Mapping[str, Any]) -> tuple[Level, dict[str, Any]]:
    """(enforcement level, settings) of a rule under a pack config, as pulumi-policy reads it."""
    entry = config.get(rule.name)
    level: Any = config.get("all", rule.levels[2])
    values = dict(rule.config)
    if isinstance(entry, str):
        level = entry
    elif isinstance(entry, Mapping):
        level = entry.get("enforcementLevel", level)
        values.update({k: v for k, v in entry.items() if k != "enforcementLevel"})
    if level not in LEVELS:
        raise ValueError(f"{rule.name}: enforcement level {level!r} is not one of {LEVELS}")
    return level, values


@dataclass(frozen=True)
class Violation:
    policy: str
    urn: str | None
    level: str
    message: str


@dataclass(frozen=True)
class Exempted:
    policy: str
    urn: str | None
    message: str
    reason: str


@dataclass
class PolicyReport:
    environment: str
    rules: int
    basis: str = ""  # why this environment's levels apply (shown in the human report)
    violations: list[Violation] = field(default_factory=list)
    exempted: list[Exempted] = field(default_factory=list)

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.level == "mandatory"]

    def to_json(self) -> dict[str, Any]:
        return {
            "environment": self.environment,
            "rules": self.rules,
            "levelFrom": self.basis,
            "violations": [asdict(v) for v in self.violations],
            "exempted": [asdict(e) for e in self.exempted],
        }


def stack_view(plan: Plan, props: Callable[[dict[str, Any]], Any] = wrap) -> Stack:
    """The plan's custom resources as the pack sees them (`props`: the unknown-checking proxy
    the pack uses; tests that edit a stack pass a plain copy instead)."""
    return Stack(
        [
            Resource(
                type=r.type,
                name=r.name,
                urn=r.urn,
                props=props(r.inputs),
                parent=r.parent,
                dependencies=tuple(r.dependencies),
                options=dict(r.options),
            )
            for r in plan.resources
            if r.custom
        ]
    )


def _findings(rule: Rule, stack: Stack, cfg: Mapping[str, Any]) -> tuple[list[Finding], list]:
    """(findings, unknowns) of one rule; unknowns are (urn, message) pairs."""
    found: list[Finding] = []
    unknown: list[tuple[str | None, str]] = []
    if rule.stack_check is not None:
        try:
            found = list(rule.stack_check(stack, cfg))
        except UnknownValueError as exc:
            unknown.append((None, exc.message))
        return found, unknown
    for r in stack.of_type(*rule.types):
        try:
            found += run_resource_rule(rule, r, cfg)
        except UnknownValueError as exc:
            unknown.append((r.urn, exc.message))
    return found, unknown


def evaluate(stack: Stack, env: str, config: Mapping[str, Any] | None = None) -> PolicyReport:
    config = pack_config(env) if config is None else config
    names = {r.urn: r.name for r in stack.resources}
    report = PolicyReport(environment=env, rules=0)
    for rule in RULES:
        level, cfg = settings(rule, config)
        if level == "disabled":
            continue
        report.rules += 1
        found, unknown = _findings(rule, stack, cfg)
        violations, exempted = split_exempt(found, names, cfg)
        report.violations += [Violation(rule.name, f.urn, level, f.message) for f in violations]
        report.exempted += [Exempted(rule.name, f.urn, f.message, why) for f, why in exempted]
        report.violations += [
            Violation(rule.name, urn, "advisory", f"can't be checked during preview: {message}")
            for urn, message in unknown
        ]
    order = {"mandatory": 0, "advisory": 1}
    report.violations.sort(key=lambda v: (order.get(v.level, 2), v.policy, v.urn or ""))
    return report


def check(plan: Plan) -> PolicyReport:
    env, basis = plan.config.policy_environment
    report = evaluate(stack_view(plan), env)
    report.basis = basis
    return report


def render(report: PolicyReport, label: Callable[[str | None], str] | None = None) -> list[str]:
    """The policy section of the human report; `label(urn)` names a resource."""
    short = label or _short
    mandatory, advisory = len(report.mandatory), len(report.violations) - len(report.mandatory)
    lines = [
        f"Policy ({report.environment} rules, {report.rules} enabled): {mandatory} mandatory, "
        f"{advisory} advisory violation(s), {len(report.exempted)} documented exception(s)"
    ]
    if report.basis:
        lines.append(f"  {report.environment} levels {report.basis}")
    for v in report.violations:
        lines.append(f"  [{v.level}] {v.policy}: {short(v.urn)}: {v.message}")
    for e in report.exempted:
        lines.append(f"  [exempt] {e.policy}: {short(e.urn)}: {e.message} -- {e.reason}")
    return lines


def _short(urn: str | None) -> str:
    return urn.rsplit("::", 1)[-1] if urn else "(stack)"
