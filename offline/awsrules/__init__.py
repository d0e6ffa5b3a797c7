"""Apply-time AWS rules: cross-resource rules AWS enforces at `pulumi up`, which Pulumi's mock
engine never does, checked on every offline plan (and, where a preview can see them, by the
policy pack).

One module per family, each rule with an id, the AWS page that states it and a reason:
references (every name, ARN or ID resolves), ecs (which APIs accept which capacity providers;
Service Connect ports), trust (what each service principal sends as aws:SourceArn), lifecycle
(retained together, names that collide, deletable when unprotected), ordering (what must exist
before AWS uses it), and the IAM documents checked against a maintained IAM database
(offline/iam_model.py). docs/aws-rules.md lists them, and what only AWS can check.
"""

from __future__ import annotations

from typing import Any

from offline import iam_model

from . import ecs, lifecycle, ordering, references, trust
from .base import AwsRule, CheckReport, Violation, run
from .graph import Graph, Node
from .sources import from_plan

RULES: list[AwsRule] = [
    *references.RULES,
    *ecs.RULES,
    *trust.RULES,
    *lifecycle.RULES,
    *ordering.RULES,
    *iam_model.RULES,
]
BY_ID = {r.id: r for r in RULES}


def check(plan: Any) -> CheckReport:
    """Every rule on an offline Plan."""
    return run(RULES, from_plan(plan))


__all__ = ["BY_ID", "RULES", "AwsRule", "CheckReport", "Graph", "Node", "Violation", "check"]
