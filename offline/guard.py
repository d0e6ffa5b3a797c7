"""Replacement guard: refuse plans that would replace a load balancer, listener or target group
in use, unless the stack config says the replacement is intended.

Compares two offline plans (before and after an edit) resource by resource. The properties that
force replacement come from the Terraform AWS provider (pulumi-aws bridges it): `ForceNew` in
elbv2 load_balancer.go / target_group.go / listener.go (reference security-rules.md section 5).
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

LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"

FORCE_NEW: dict[str, tuple[str, ...]] = {
    LOAD_BALANCER: ("name", "namePrefix", "internal", "loadBalancerType", "customerOwnedIpv4Pool"),
    LISTENER: ("loadBalancerArn",),
    TARGET_GROUP: (
        "name", "namePrefix", "port", "protocol", "protocolVersion", "targetType", "vpcId",
        "ipAddressType",
    ),
}  # fmt: skip
USERS = ("aws:lb/listenerRule:ListenerRule", LISTENER, "aws:ecs/service:Service")


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


def _forcing(before: Captured, after: Captured) -> list[str]:
    changed = [k for k in FORCE_NEW[before.type] if before.inputs.get(k) != after.inputs.get(k)]
    if before.type == LOAD_BALANCER and after.inputs.get("loadBalancerType") == "network":
        old, new = set(before.inputs.get("subnets") or []), set(after.inputs.get("subnets") or [])
        if old - new:
            changed.append("subnets (removed from an NLB)")
        if not before.inputs.get("securityGroups") and after.inputs.get("securityGroups"):
            changed.append("securityGroups (added to an NLB created without)")
    if before.type == LOAD_BALANCER and before.inputs.get("subnetMappings") != after.inputs.get(
        "subnetMappings"
    ):
        changed.append("subnetMappings")
    return changed


def _in_use(plan: Plan, r: Captured) -> bool:
    if r.type != TARGET_GROUP:
        return True  # load balancers and listeners carry DNS names and client connections
    return any(r.urn in u.dependencies for u in plan.resources if u.type in USERS)


def _owner(plan: Plan, r: Captured) -> tuple[str, bool]:
    component = (r.parent or "").rsplit("::", 1)[-1]
    config = plan.config
    if r.parent and ":service:Service::" in r.parent:
        svc = config.services.get(component)
        lb = svc.load_balancer if svc is not None else None
        return f"services.{component}.loadBalancer", bool(lb and lb.replacement_intended)
    spec = config.load_balancers.get(component)
    return f"loadBalancers.{component}", bool(spec and spec.replacement_intended)


def replacements(before: Plan, after: Plan) -> list[Replacement]:
    """Resources of `before` that `after` would replace (same URN, a ForceNew property changed)."""
    new = {r.urn: r for r in after.resources}
    out = []
    for old in before.resources:
        if old.type not in FORCE_NEW or old.urn not in new or not _in_use(before, old):
            continue
        changed = _forcing(old, new[old.urn])
        if changed:
            owner, intended = _owner(after, new[old.urn])
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
