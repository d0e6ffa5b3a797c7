"""Replacement guard: refuse plans that would replace a load balancer, listener or target group
in use, unless the stack config says the replacement is intended.

Compares two offline plans (before and after an edit) resource by resource, with the table of
replacement-forcing properties in `offline/replacement.py` (the one `offline diff` uses), and
reports the resources whose own properties force the replacement.
Intent comes from the config of the plan after the edit: `loadBalancers.<lb>.replacementIntended`
covers the load balancer and its listeners; `services.<svc>.loadBalancer.replacementIntended`
covers that service's target group and NLB listener.

`python -m offline.guard --stack prod --config-file new.yaml` plans Pulumi.prod.yaml and the new
file, prints each replacement, and exits 3 when one is refused.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from components.config import ConfigError

from .engine import Captured, Plan
from .replacement import TRAFFIC, forcing, intent

TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
# What uses a target group: while one of these points at it, replacing it drops traffic.
USERS = ("aws:lb/listenerRule:ListenerRule", "aws:lb/listener:Listener", "aws:ecs/service:Service")


@dataclass(frozen=True)
class Replacement:
    urn: str
    type: str
    properties: tuple[str, ...]
    owner: str  # config path whose replacementIntended allows it
    intended: bool

    def describe(self) -> str:
        verdict = "intended" if self.intended else "REFUSED"
        return (
            f"{verdict}: {self.urn.rsplit('::', 1)[-1]} [{self.type}] would be replaced "
            f"(changed: {', '.join(self.properties)}); "
            + ("" if self.intended else f"set {self.owner}.replacementIntended: true if meant")
        )


def _in_use(plan: Plan, r: Captured) -> bool:
    if r.type != TARGET_GROUP:
        return True  # load balancers and listeners carry DNS names and client connections
    return any(r.urn in u.dependencies for u in plan.resources if u.type in USERS)


def replacements(before: Plan, after: Plan) -> list[Replacement]:
    """Resources of `before` that `after` would replace (same URN, a ForceNew property changed)."""
    new = {r.urn: r for r in after.resources}
    out = []
    for old in before.resources:
        if old.type not in TRAFFIC or old.urn not in new or not _in_use(before, old):
            continue
        changed = forcing(old, new[old.urn])
        if changed:
            owner, intended = intent(after, new[old.urn])
            out.append(Replacement(old.urn, old.type, tuple(changed), owner, intended))
    return out


def refused(before: Plan, after: Plan) -> list[Replacement]:
    return [r for r in replacements(before, after) if not r.intended]


def main(argv: list[str] | None = None) -> int:
    from .engine import plan

    parser = argparse.ArgumentParser(prog="python -m offline.guard", description=__doc__)
    parser.add_argument("--stack", required=True, help="current stack (Pulumi.<stack>.yaml)")
    parser.add_argument("--config-file", required=True, help="the edited stack file")
    args = parser.parse_args(argv)
    try:
        before = plan(args.stack)
        after = plan(args.stack, Path(args.config_file))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    found = replacements(before, after)
    for r in found:
        print(r.describe())
    if not found:
        print("no load balancer, listener or target group in use would be replaced")
    return 3 if any(not r.intended for r in found) else 0


if __name__ == "__main__":
    sys.exit(main())
