"""The apply-time rules a `pulumi preview` can see, as pulumi-policy stack validations.

policy/pack.py registers them beside the pack's own rules. A preview knows the planned
properties and dependencies but not the stack file's declared values or the stack outputs, so
the rules that need those (reference integrity, exported URLs) run offline only. Values still
unknown in the preview are outputs of resources it creates and are never judged.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, StackValidationPolicy

from . import RULES, AwsRule
from .sources import from_policy_stack


def _validate(rule: AwsRule) -> Any:
    def validate(args: Any, report_violation: Any) -> None:
        for v in rule.run(from_policy_stack(args.resources)):
            report_violation(f"{v.message} ({v.url})", v.urn)

    return validate


def policies() -> list[StackValidationPolicy]:
    return [
        StackValidationPolicy(
            rule.id,
            f"{rule.title}: {rule.reason} [{rule.url}]",
            _validate(rule),
            enforcement_level=EnforcementLevel.MANDATORY,
        )
        for rule in RULES
        if rule.pack
    ]
