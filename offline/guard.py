"""Replacement guard: refuse plans that would replace a load balancer, listener or target group
in use, unless the stack config says the replacement is intended.

Compares two offline plans (before and after an edit) with `offline/replacement.py`, the engine
`offline diff` uses, so the guard refuses exactly the replacements the diff marks REFUSED,
knock-on ones included (the listeners of a replaced load balancer).
Intent comes from the config of the plan after the edit: `loadBalancers.<lb>.replacementIntended`
covers the load balancer and its listeners; `services.<svc>.loadBalancer.replacementIntended`
covers that service's target group and NLB listener.

`python -m offline.guard --stack prod --config-file new.yaml` plans Pulumi.prod.yaml and the new
file, prints each replacement, and exits 3 when one is refused.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from components.config import ConfigError

from . import replacement
from .engine import Plan
from .replacement import TRAFFIC, Replacement


def replacements(before: Plan, after: Plan) -> list[Replacement]:
    """Load balancers, listeners and target groups in use that `after` would replace, through a
    change of their own or of a resource they name (exactly what `offline diff` reports)."""
    return [r for r in replacement.replacements(before, after) if r.type in TRAFFIC and r.in_use]


def refused(before: Plan, after: Plan) -> list[Replacement]:
    return [r for r in replacements(before, after) if r.refused]


def main(argv: list[str] | None = None) -> int:
    from components.config import PROJECT_DIR

    from .platform_plans import plan_stack

    parser = argparse.ArgumentParser(prog="python -m offline.guard", description=__doc__)
    parser.add_argument("--stack", required=True, help="current stack (Pulumi.<stack>.yaml)")
    parser.add_argument("--config-file", required=True, help="the edited stack file")
    args = parser.parse_args(argv)
    try:
        # a service stack is planned on its platform's planned outputs, both sides
        before = plan_stack(args.stack).plan
        after = plan_stack(args.stack, Path(args.config_file), project_dir=PROJECT_DIR).plan
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
