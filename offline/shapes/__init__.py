"""Check what we send to AWS against AWS's own API shapes (botocore service models).

Pulumi's mock engine accepts any value: `strategy="BLUEGREEN"` or a misspelt container field
pass silently and fail at `pulumi up`. Each entry in CHECKS ties a resource input to the API
shape AWS validates it against; `check_resource` walks the value and reports every mismatch
(unknown member, missing required member, wrong type, value outside an enum, a length, a range
or a pattern). Container definitions are checked whole against RegisterTaskDefinition's
ContainerDefinition. One table per family: ecs.py, elb.py, network.py, services.py.
EXEMPT names the resource types with no botocore shape to check against, and why.
"""

from __future__ import annotations

from typing import Any

from . import ecs, elb, network, services
from .core import Check, api, run_checks, shape, validate, values_at

CHECKS: dict[str, list[Check]] = {}
for _table in (ecs.CHECKS, elb.CHECKS, network.CHECKS, services.CHECKS):
    for _type, _checks in _table.items():
        CHECKS.setdefault(_type, []).extend(_checks)

# Resource types a plan may hold that have no AWS API shape to check against.
EXEMPT: dict[str, str] = {}


def check_resource(type_: str, inputs: dict[str, Any], name: str) -> list[str]:
    return run_checks(CHECKS.get(type_, []), type_, inputs, name)


__all__ = ["CHECKS", "EXEMPT", "Check", "api", "check_resource", "shape", "validate", "values_at"]
