"""Analyzer entry point for `pulumi preview --policy-pack policy`: constructs the PolicyPack.

Never import this module: PolicyPack(...) starts a gRPC server and never returns. Tests and the
offline plan import policy.rules (and policy.pack) instead.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack

from policy.pack import all_policies

PolicyPack(
    name="ecs-platform",
    description="Security and reliability rules for ecs-platform stacks (docs/policy.md)",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=all_policies(),
)
