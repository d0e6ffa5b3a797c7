"""Security group ingress as the rules judge it: every permission in one form, added up.

A security group's inline `ingress`, a standalone `SecurityGroupIngressRule` and a
`SecurityGroupRule` of type ingress all become one `Ingress` (the group it opens, its CIDRs,
whether its source is another group, its port range). `world_intervals()` adds up the CIDRs
one group admits per port range, so 0.0.0.0/0 split into pieces, or spread over several rules,
counts as the internet just as 0.0.0.0/0 does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from components.concepts import networks

from . import types as t
from .base import Resource, Stack, as_list, truthy


@dataclass(frozen=True)
class Ingress:
    """One ingress permission, whatever resource type declared it."""

    urn: str
    owner: Resource | None  # the security group it opens (when the plan shows it)
    cidrs: tuple[str, ...]
    referenced: bool  # source is another security group / prefix list / self
    from_port: int
    to_port: int
    label: str

    @property
    def key(self) -> str:
        """The security group it opens (its own URN when the plan does not show the group)."""
        return self.owner.urn if self.owner is not None else self.urn


def world_intervals(found: list[Ingress]) -> list[tuple[int, int, list[Ingress]]]:
    """Port intervals (low, high, the ingresses admitting them) where the union of the CIDRs
    one security group admits amounts to the internet: split CIDRs and split port ranges are
    added up, not judged one rule at a time."""
    out: list[tuple[int, int, list[Ingress]]] = []
    groups: dict[str, list[Ingress]] = {}
    for ing in found:
        if ing.cidrs:
            groups.setdefault(ing.key, []).append(ing)
    for items in groups.values():
        cuts = sorted({p for i in items for p in (i.from_port, i.to_port + 1)})
        for low, nxt in zip(cuts, cuts[1:], strict=False):
            covering = [i for i in items if i.from_port <= low and nxt - 1 <= i.to_port]
            cidrs = [c for i in covering for c in i.cidrs]
            if cidrs and networks.amounts_to_internet(cidrs):
                out.append((low, nxt - 1, covering))
    return out


def _ports(protocol: Any, from_port: Any, to_port: Any) -> tuple[int, int]:
    if str(protocol) in ("-1", "all"):
        return 0, 65535
    low = int(from_port if from_port is not None else 0)
    high = int(to_port if to_port is not None else low)
    return low, high


def security_group_of(stack: Stack, r: Resource) -> Resource | None:
    """The one security group a standalone rule takes an output of (None: not exactly one)."""
    groups = stack.deps(r, *t.SECURITY_GROUP)
    return groups[0] if len(groups) == 1 else None


def ingresses(stack: Stack) -> Iterator[Ingress]:
    for sg in stack.of_type(*t.SECURITY_GROUP):
        for i, rule in enumerate(sg.props.get("ingress") or []):
            low, high = _ports(rule.get("protocol"), rule.get("fromPort"), rule.get("toPort"))
            cidrs = (*as_list(rule.get("cidrBlocks")), *as_list(rule.get("ipv6CidrBlocks")))
            referenced = bool(
                as_list(rule.get("securityGroups"))
                or truthy(rule.get("self"))
                or as_list(rule.get("prefixListIds"))
            )
            yield Ingress(sg.urn, sg, tuple(cidrs), referenced, low, high, f"ingress[{i}]")
    for r in stack.of_type(*t.INGRESS_RULE):
        low, high = _ports(
            r.props.get("ipProtocol"), r.props.get("fromPort"), r.props.get("toPort")
        )
        cidrs = tuple(c for c in (r.props.get("cidrIpv4"), r.props.get("cidrIpv6")) if c)
        referenced = bool(r.props.get("referencedSecurityGroupId") or r.props.get("prefixListId"))
        owner = security_group_of(stack, r) if not referenced else None
        yield Ingress(r.urn, owner, cidrs, referenced, low, high, r.name)
    for r in stack.of_type(*t.SG_RULE):
        if r.props.get("type") != "ingress":
            continue
        low, high = _ports(r.props.get("protocol"), r.props.get("fromPort"), r.props.get("toPort"))
        cidrs = (*as_list(r.props.get("cidrBlocks")), *as_list(r.props.get("ipv6CidrBlocks")))
        referenced = bool(r.props.get("sourceSecurityGroupId") or truthy(r.props.get("self")))
        owner = security_group_of(stack, r) if not referenced else None
        yield Ingress(r.urn, owner, tuple(cidrs), referenced, low, high, r.name)
