"""Network rules: subnets and security groups (reference sections 2.2 and 2.5)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from . import types as t
from .base import Finding, Resource, Rule, Stack, as_list, config_value, truthy

SH = "Security Hub"
WORLD = ("0.0.0.0/0", "::/0")
# Security Hub EC2.19's high-risk ports plus EC2.53/54's remote administration ports.
ADMIN_PORTS = (
    20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432,
    5500, 5601, 8080, 8088, 8888, 9200, 9300,
)  # fmt: skip


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
    def world(self) -> bool:
        return any(c in WORLD for c in self.cidrs)


def _ports(protocol: Any, from_port: Any, to_port: Any) -> tuple[int, int]:
    if str(protocol) in ("-1", "all"):
        return 0, 65535
    low = int(from_port if from_port is not None else 0)
    high = int(to_port if to_port is not None else low)
    return low, high


def _owner(stack: Stack, r: Resource) -> Resource | None:
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
        owner = _owner(stack, r) if not referenced else None
        yield Ingress(r.urn, owner, cidrs, referenced, low, high, r.name)
    for r in stack.of_type(*t.SG_RULE):
        if r.props.get("type") != "ingress":
            continue
        low, high = _ports(r.props.get("protocol"), r.props.get("fromPort"), r.props.get("toPort"))
        cidrs = (*as_list(r.props.get("cidrBlocks")), *as_list(r.props.get("ipv6CidrBlocks")))
        referenced = bool(r.props.get("sourceSecurityGroupId") or truthy(r.props.get("self")))
        owner = _owner(stack, r) if not referenced else None
        yield Ingress(r.urn, owner, tuple(cidrs), referenced, low, high, r.name)


def no_world_admin_ports(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    ports = [int(p) for p in config_value(cfg, "adminPorts", ADMIN_PORTS)]
    for ing in ingresses(stack):
        if not ing.world:
            continue
        if ing.from_port == 0 and ing.to_port == 65535:
            yield Finding(ing.urn, f"{ing.label}: all ports open to the internet (EC2.19)")
            continue
        hit = [p for p in ports if ing.from_port <= p <= ing.to_port]
        if hit:
            shown = ", ".join(str(p) for p in hit[:5])
            yield Finding(
                ing.urn,
                f"{ing.label}: admin/high-risk port(s) {shown} open to the internet "
                "(EC2.13, EC2.14, EC2.53, EC2.54)",
            )


def _listener_ports(stack: Stack, sg: Resource) -> set[int] | None:
    """Ports of the listeners of the load balancer using `sg` (None: not an LB group)."""
    lbs = stack.dependents(sg, *t.LOAD_BALANCER)
    if not lbs:
        return None
    ports: set[int] = set()
    for lb in lbs:
        ports |= {
            int(listener.props["port"])
            for listener in stack.dependents(lb, *t.LISTENER)
            if listener.props.get("port") is not None
        }
    return ports


def world_ingress_lb_only(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    authorized = {int(p) for p in config_value(cfg, "authorizedPorts", [80, 443])}
    for ing in ingresses(stack):
        if not ing.world or ing.owner is None:
            continue
        listener_ports = _listener_ports(stack, ing.owner)
        if listener_ports is None:
            yield Finding(
                ing.urn,
                f"{ing.label}: internet ingress on security group {ing.owner.name}, which no "
                "load balancer uses; only load balancers face the internet (EC2.18)",
            )
            continue
        allowed = listener_ports | authorized
        if not all(p in allowed for p in range(ing.from_port, min(ing.to_port, 65535) + 1)):
            yield Finding(
                ing.urn,
                f"{ing.label}: internet ingress on ports {ing.from_port}-{ing.to_port}, not only "
                f"on the load balancer's listener ports {sorted(allowed)} (EC2.18)",
            )


def task_ingress_from_sg(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    task_groups = {
        sg.urn for svc in stack.of_type(*t.SERVICE) for sg in stack.deps(svc, *t.SECURITY_GROUP)
    }
    for ing in ingresses(stack):
        if ing.owner is not None and ing.owner.urn in task_groups and not ing.referenced:
            yield Finding(
                ing.urn,
                f"{ing.label}: task security group {ing.owner.name} admits CIDRs "
                f"{', '.join(ing.cidrs) or '?'}; admit only the load balancer's security group",
            )


def no_mixed_sg_rules(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    standalone = stack.of_type(*t.INGRESS_RULE, *t.EGRESS_RULE, *t.SG_RULE)
    for sg in stack.of_type(*t.SECURITY_GROUP):
        if not (sg.props.get("ingress") or sg.props.get("egress")):
            continue
        for rule in standalone:
            if _owner(stack, rule) is sg:
                yield Finding(
                    sg.urn,
                    f"inline rules and standalone rule {rule.name} on the same security group: "
                    "each `up` would remove the other's rules",
                )


def descriptions(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    if not r.props.get("description"):
        yield "no description (CKV_AWS_23)"
    for key in ("ingress", "egress"):
        for i, rule in enumerate(r.props.get(key) or []):
            if not rule.get("description"):
                yield f"{key}[{i}] has no description (CKV_AWS_23)"


def default_sg_closed(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    if r.props.get("ingress") or r.props.get("egress"):
        yield "the VPC default security group allows traffic (EC2.2)"


def subnet_no_public_ip(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    if truthy(r.props.get("mapPublicIpOnLaunch")):
        yield "mapPublicIpOnLaunch is true: anything launched here gets a public IP (EC2.15)"


RULES = [
    Rule("net-no-world-admin-ports", "NET-01",
         (f"{SH} EC2.13", f"{SH} EC2.14", f"{SH} EC2.19", f"{SH} EC2.53", f"{SH} EC2.54",
          "CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_277"),
         "No admin or high-risk port, nor all ports, open to 0.0.0.0/0 or ::/0", "critical",
         ("mandatory",) * 3, stack_check=no_world_admin_ports,
         config={"adminPorts": list(ADMIN_PORTS)}),
    Rule("net-world-ingress-lb-only", "NET-01", (f"{SH} EC2.18", "CKV_AWS_260"),
         "Only load balancer security groups face the internet, on their listener ports",
         "high", ("mandatory",) * 3, stack_check=world_ingress_lb_only,
         config={"authorizedPorts": [80, 443]}),
    Rule("net-task-ingress-from-sg", "NET-02",
         ("ECS BPG Security groups for tasks", "ELB docs NLB security groups"),
         "Task security groups admit only other security groups (their load balancer)", "high",
         ("mandatory",) * 3, stack_check=task_ingress_from_sg),
    Rule("net-no-mixed-sg-rules", "NET-02",
         ("AWSGuard security-group-no-rule-management-conflicts",),
         "A security group uses inline rules or standalone rules, never both", "medium",
         ("mandatory",) * 3, stack_check=no_mixed_sg_rules),
    Rule("net-descriptions", "NET-02", ("CKV_AWS_23",),
         "Security groups and rules have descriptions", "low", ("advisory",) * 3,
         t.SECURITY_GROUP + t.INGRESS_RULE + t.EGRESS_RULE + t.SG_RULE, descriptions),
    Rule("net-default-sg-closed", "ECS-SVC-02", (f"{SH} EC2.2",),
         "The VPC default security group allows no traffic", "medium", ("mandatory",) * 3,
         t.DEFAULT_SECURITY_GROUP, default_sg_closed),
    Rule("net-subnet-no-public-ip", "ECS-SVC-01", (f"{SH} EC2.15",),
         "Subnets do not auto-assign public IPs", "medium", ("mandatory",) * 3, t.SUBNET,
         subnet_no_public_ip),
]  # fmt: skip
