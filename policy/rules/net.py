"""Network rules: security groups (what faces the internet, what tasks admit, how rules are
declared) and subnets.

The ingress they judge is read and added up in ingress.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from . import types as t
from .base import SH, Finding, Resource, Rule, Stack, as_list, truthy
from .ingress import ingresses, security_group_of, world_intervals

# Security Hub EC2.19's high-risk ports plus EC2.53/54's remote administration ports.
ADMIN_PORTS = (
    20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432,
    5500, 5601, 8080, 8088, 8888, 9200, 9300,
)  # fmt: skip


def _path_ports(stack: Stack, listener: Resource) -> list[tuple[str, int]]:
    """Ports a listener's traffic goes through: the listener's, its target groups' and the
    container ports the services register with them (2222 -> 22 is port 22)."""
    ports = [("listener", int(listener.props.get("port") or 0))]
    for tg in stack.deps(listener, *t.TARGET_GROUP):
        if tg.props.get("port") is not None:
            ports.append(("target group", int(tg.props["port"])))
        for svc in stack.dependents(tg, *t.SERVICE):
            for entry in as_list(svc.props.get("loadBalancers")):
                if entry.get("containerPort") is not None:
                    ports.append(("container", int(entry["containerPort"])))
    return ports


def no_world_admin_ports(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    ports = [int(p) for p in cfg["adminPorts"]]
    found = list(ingresses(stack))
    world = world_intervals(found)
    for low, high, covering in world:
        first = covering[0]
        if low == 0 and high >= 65535:
            yield Finding(first.urn, f"{first.label}: all ports open to the internet (EC2.19)")
            continue
        hit = [p for p in ports if low <= p <= high]
        if hit:
            shown = ", ".join(str(p) for p in hit[:5])
            yield Finding(
                first.urn,
                f"{first.label}: admin/high-risk port(s) {shown} open to the internet "
                "(EC2.13, EC2.14, EC2.53, EC2.54)",
            )
    spans = [(i.key, lo, hi) for lo, hi, cov in world for i in cov]
    for lb in stack.of_type(*t.LOAD_BALANCER):
        groups = {g.urn for g in stack.deps(lb, *t.SECURITY_GROUP)}
        for listener in stack.dependents(lb, *t.LISTENER):
            path = _path_ports(stack, listener)
            port = path[0][1]
            if not any(k in groups and lo <= port <= hi for k, lo, hi in spans):
                continue
            inner = [(where, p) for where, p in path[1:] if p in ports]
            if inner:
                where, p = inner[0]
                yield Finding(
                    listener.urn,
                    f"listener port {port} is open to the internet and forwards to {where} "
                    f"port {p}, an admin/high-risk port (EC2.53, EC2.54)",
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
    authorized = {int(p) for p in cfg["authorizedPorts"]}
    for low, high, covering in world_intervals(list(ingresses(stack))):
        ing = covering[0]
        if ing.owner is None:
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
        if not all(p in allowed for p in range(low, min(high, 65535) + 1)):
            yield Finding(
                ing.urn,
                f"{ing.label}: internet ingress on ports {low}-{high}, not only "
                f"on the load balancer's listener ports {sorted(allowed)} (EC2.18)",
            )


def task_ingress_from_sg(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    task_groups = {
        sg.urn
        for workload in stack.of_type(*t.SERVICE, *t.SCHEDULE)
        for sg in stack.deps(workload, *t.SECURITY_GROUP)
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
            if security_group_of(stack, rule) is sg:
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
         "No admin or high-risk port, nor all ports, open to the internet: the CIDRs a security "
         "group admits are added up as address space (any split of 0.0.0.0/0 or ::/0, or a "
         "large share of it), and a listener counts for the ports it forwards to (2222 -> 22)",
         "critical",
         ("mandatory",) * 3, stack_check=no_world_admin_ports,
         config={"adminPorts": list(ADMIN_PORTS)}),
    Rule("net-world-ingress-lb-only", "NET-01", (f"{SH} EC2.18", "CKV_AWS_260"),
         "Only load balancer security groups face the internet (judged as address space), on "
         "their listener ports",
         "high", ("mandatory",) * 3, stack_check=world_ingress_lb_only,
         config={"authorizedPorts": [80, 443]}),
    Rule("net-task-ingress-from-sg", "NET-02",
         ("ECS BPG Security groups for tasks", "ELB docs NLB security groups"),
         "Task security groups (services, workers, scheduled tasks) admit only other security "
         "groups (their load balancer)", "high",
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
