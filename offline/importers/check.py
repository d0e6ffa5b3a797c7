"""Check an imported stack with this repository's config layer and, on request, the offline plan.

Imported configs lack what the source cannot say (a Compose file has no region or VPC).
`checkable()` fills that in with a minimal network and region, only for the check, and says
what it did so the output can tell the user. `review()` runs what `python -m offline plan` runs
(resources, cost, the policy pack at the stack's level) and turns every mandatory finding into
a "Needs your input" line naming what to supply.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import yaml

from components.config import PROJECT, parse_stack_config

from .findings import StackImport

CHECK_REGION = "ap-northeast-2"
CHECK_NETWORK: dict[str, Any] = {"cidrBlock": "10.0.0.0/16", "availabilityZones": 2}


def checkable(config: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """(config the config layer here can validate, notes on what was added or adapted)."""
    out = copy.deepcopy(config)
    notes: list[str] = []
    added = []
    if "aws:region" not in out:
        out["aws:region"] = CHECK_REGION
        added.append(f"aws:region {CHECK_REGION}")
    if f"{PROJECT}:network" not in out:
        out[f"{PROJECT}:network"] = dict(CHECK_NETWORK)
        added.append("a minimal network (cidrBlock 10.0.0.0/16, 2 AZs)")
    if added:
        notes.append(f"Checked with {' and '.join(added)} added for the check only.")
    return out, notes


def validate(stack: StackImport, stack_name: str) -> None:
    """Run the config layer on the stack (raises ConfigError) and record the notes."""
    config, notes = checkable(stack.config)
    parse_stack_config(config, stack=stack_name, source=f"Pulumi.{stack_name}.yaml")
    stack.notes.extend([*notes, "The config layer accepts this config."])


def write_checkable(stack: StackImport, directory: Path, stack_name: str) -> Path:
    """Write the checkable config as a stack file (for `offline.engine.plan`)."""
    config, _ = checkable(stack.config)
    path = directory / f"Pulumi.{stack_name}.yaml"
    path.write_text(yaml.safe_dump({"config": config}, sort_keys=False))
    return path


def plan_stack(stack: StackImport, stack_name: str) -> Any:
    """Plan the checkable config offline; returns the engine's Plan."""
    from offline.engine import plan

    with tempfile.TemporaryDirectory() as tmp:
        return plan(stack_name, write_checkable(stack, Path(tmp), stack_name))


def review(stack: StackImport, stack_name: str) -> int:
    """Plan, price and policy-check the stack as `plan` does; notes and findings say the
    result. Returns the number of mandatory policy violations (the plan's exit 3)."""
    from offline.cost import estimate
    from offline.policy import check

    planned = plan_stack(stack, stack_name)
    policy = check(planned)
    cost = estimate(planned)
    stack.notes.append(
        f"Planned offline as stack {stack_name}: {len(planned.resources)} resources, about "
        f"${cost.monthly_usd:,.2f} a month (python -m offline plan shows each line); policy "
        f"({policy.environment} rules): {len(policy.mandatory)} mandatory, "
        f"{len(policy.violations) - len(policy.mandatory)} advisory finding(s)."
    )
    names = {r.urn: r.name for r in planned.resources}
    for v in policy.mandatory:
        stack.add(
            "input",
            f"policy {v.policy}",
            f"{names.get(v.urn or '', 'the stack')}: {v.message} (mandatory in "
            f"{policy.environment}; the plan is refused until it is fixed)",
        )
    return len(policy.mandatory)
