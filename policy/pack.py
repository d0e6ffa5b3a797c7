"""The rules as pulumi-policy (CrossGuard) policies. Importing this module is safe: only
`policy/__main__.py` constructs the PolicyPack, which starts the analyzer server.

Defaults are prod's levels; `--policy-pack-config policy/config.<env>.json` sets each
environment's levels and settings (including `exemptions`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .rules import RULES, Rule
from .rules.base import Resource, Stack, run_resource_rule, run_rule, split_exempt

LEVELS = {
    "mandatory": EnforcementLevel.MANDATORY,
    "advisory": EnforcementLevel.ADVISORY,
    "disabled": EnforcementLevel.DISABLED,
}
SEVERITIES = {
    "low": Severity.LOW,
    "medium": Severity.MEDIUM,
    "high": Severity.HIGH,
    "critical": Severity.CRITICAL,
}
EXEMPTIONS_SCHEMA = {
    "type": "object",
    "description": "Resource name (or name/container) glob -> documented reason",
    "additionalProperties": {"type": "string"},
}


def _schema(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"type": "boolean", "default": value}
    if isinstance(value, int):
        return {"type": "integer", "default": value}
    if isinstance(value, list):
        return {"type": "array", "default": value}
    return {"type": "string", "default": value}


def config_schema(rule: Rule) -> PolicyConfigSchema:
    properties = {k: _schema(v) for k, v in rule.config.items()}
    return PolicyConfigSchema({**properties, "exemptions": EXEMPTIONS_SCHEMA})


def _settings(rule: Rule, given: Mapping[str, Any]) -> dict[str, Any]:
    return {**rule.config, **{k: v for k, v in given.items() if v is not None}}


def validate_resource(rule: Rule):
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in rule.types:
            return
        resource = Resource(
            type=args.resource_type,
            name=args.name,
            urn=args.urn,
            props=args.props,
            parent=args.opts.parent,
            options={"protect": args.opts.protect},
        )
        cfg = _settings(rule, args.get_config())
        found = run_resource_rule(rule, resource, cfg)
        for f in split_exempt(found, {args.urn: args.name}, cfg)[0]:
            report_violation(f.message, f.urn)

    return validate


def validate_stack(rule: Rule):
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        stack = Stack(
            [
                Resource(
                    type=r.resource_type,
                    name=r.name,
                    urn=r.urn,
                    props=r.props,
                    parent=r.parent.urn if r.parent is not None else None,
                    dependencies=tuple(d.urn for d in r.dependencies),
                    options={"protect": r.opts.protect},
                )
                for r in args.resources
            ]
        )
        cfg = _settings(rule, args.get_config())
        names = {r.urn: r.name for r in stack.resources}
        for f in split_exempt(run_rule(rule, stack, cfg), names, cfg)[0]:
            report_violation(f.message, f.urn)

    return validate


def policies() -> list[Policy]:
    out: list[Policy] = []
    for rule in RULES:
        common: dict[str, Any] = {
            "enforcement_level": LEVELS[rule.levels[2]],
            "config_schema": config_schema(rule),
            "severity": SEVERITIES[rule.severity],
            "tags": [rule.ref],
            "remediation_steps": f"See docs/policy.md#{rule.name}",
        }
        if rule.stack_check is not None:
            out.append(
                StackValidationPolicy(rule.name, rule.description, validate_stack(rule), **common)
            )
        else:
            out.append(
                ResourceValidationPolicy(
                    rule.name, rule.description, validate_resource(rule), **common
                )
            )
    return out


def all_policies() -> list[Policy]:
    """The pack's rules plus the apply-time AWS rules a preview can see (docs/aws-rules.md)."""
    from offline.awsrules.pack import policies as apply_time_policies

    return [*policies(), *apply_time_policies()]
