"""Routing rules: how a service attaches to a load balancer, and what each listener can hold.

A service names a load balancer of the stack; an ALB routes by rules (path patterns, host
headers, priority) on its one shared listener, an NLB forwards one listener port per service.
Deployment strategies and request-count scaling that work by ALB rules need an ALB. Each
listener's rules must be distinguishable: unique conditions and priorities on an ALB, unique
ports on an NLB.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..specs.common import SpecError, suggest
from .priorities import effective_paths, services_on

if TYPE_CHECKING:
    from ..specs.service import ServiceSpec
    from .model import StackConfig

# AWS quota "Rules per Application Load Balancer (excluding default rules)": 100 by default,
# adjustable through Service Quotas; it counts the rules of all the load balancer's listeners.
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
ALB_RULES = 100


def check_routing(config: StackConfig, at: tuple[str, ...], svc: ServiceSpec) -> None:
    """A workload with a `loadBalancer`: the load balancer exists and takes this kind of rule."""
    assert svc.load_balancer is not None
    ref = svc.load_balancer
    lb = config.load_balancers.get(ref.name)
    if lb is None:
        known = ", ".join(sorted(config.load_balancers)) or "none are defined"
        raise SpecError(
            (*at, "loadBalancer", "name"),
            f"{ref.name!r} is not in loadBalancers{suggest(ref.name, config.load_balancers)}; "
            f"known: {known}",
        )
    if lb.type == "network":
        if ref.path_patterns or ref.host_headers or ref.priority is not None:
            raise SpecError(
                (*at, "loadBalancer"),
                "pathPatterns, hostHeaders and priority are ALB rules; an NLB forwards a "
                "listener port",
            )
        if ref.health_check.path != "/" or ref.health_check.matcher != "200-399":
            raise SpecError(
                (*at, "loadBalancer", "healthCheck"),
                "NLB target groups here use TCP health checks; path and matcher need an ALB",
            )
    elif ref.listener_port is not None:
        raise SpecError(
            (*at, "loadBalancer", "listenerPort"),
            "ALB services share the load balancer's listener; listenerPort is for NLBs",
        )
    _check_deployment(config, at, svc, lb.type)
    azs = config.network.az_count
    # "[Application Load Balancers] You must specify subnets from at least two Availability
    # Zones." https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html
    if lb.existing is None and azs < 2 and lb.type == "application":
        raise SpecError(
            ("network", "availabilityZones"),
            f"an ALB needs subnets in at least 2 AZs, got {azs}",
        )


def _check_deployment(
    config: StackConfig, at: tuple[str, ...], svc: ServiceSpec, lb_type: str
) -> None:
    strategy = svc.deployment.strategy
    if strategy in ("CANARY", "LINEAR") and lb_type != "application":
        raise SpecError(
            (*at, "deployment", "strategy"),
            f"{strategy} shifts traffic by listener rule weights, which needs an ALB; "
            "use BLUE_GREEN or ROLLING behind an NLB",
        )
    no_cidr = config.network.vpc_cidr is None
    if strategy != "ROLLING" and lb_type == "application" and no_cidr:
        raise SpecError(
            ("network", "vpcCidrBlock"),
            f"{strategy} test traffic is admitted from inside the VPC only; give the "
            "existing VPC's CIDR",
        )
    if _scales_by_requests(svc) and lb_type != "application":
        raise SpecError(
            (*at, "autoscaling", "requestsPerTarget"),
            "scales on ALB request counts; behind an NLB use cpuTarget or memoryTarget",
        )


def check_request_scaling(name: str, svc: ServiceSpec) -> None:
    """A service scaling on ALB request counts needs a load balancer."""
    if _scales_by_requests(svc) and svc.load_balancer is None:
        raise SpecError(
            ("services", name, "autoscaling", "requestsPerTarget"),
            "scales on ALB request counts; it needs loadBalancer",
        )


def _scales_by_requests(svc: ServiceSpec) -> bool:
    return svc.autoscaling is not None and svc.autoscaling.requests_per_target is not None


def check_load_balancer(config: StackConfig, lb_name: str) -> None:
    """A new load balancer in an existing VPC: who may connect, and its public subnets."""
    lb, net = config.load_balancers[lb_name], config.network
    if lb.existing is not None or net.creates_vpc:
        return
    if lb.internal and lb.allowed_cidrs is None and net.vpc_cidr_block is None:
        raise SpecError(
            ("loadBalancers", lb_name, "allowedCidrs"),
            "an internal load balancer in an existing VPC needs allowedCidrs or "
            "network.vpcCidrBlock (who may connect)",
        )
    if not lb.internal and len(net.public_subnet_ids) < 2:
        raise SpecError(
            ("network", "publicSubnetIds"),
            f"the internet-facing load balancer {lb_name} needs public subnets in at least 2 AZs",
        )


def check_listener(config: StackConfig, lb_name: str) -> None:
    users = services_on(config, lb_name)
    if config.load_balancers[lb_name].type == "network":
        _check_nlb_ports(lb_name, users)
    else:
        _check_alb_rules(lb_name, users, config.load_balancers[lb_name].rule_quota)


def _check_nlb_ports(lb_name: str, users: dict[str, ServiceSpec]) -> None:
    ports: dict[int, str] = {}
    for n, s in sorted(users.items()):
        assert s.load_balancer is not None and s.container_port is not None
        port = s.load_balancer.listener_port or s.container_port
        if port in ports:
            raise SpecError(
                ("services", n, "loadBalancer", "listenerPort"),
                f"port {port} on {lb_name} is already taken by services.{ports[port]}",
            )
        ports[port] = n


def _check_alb_rules(lb_name: str, users: dict[str, ServiceSpec], quota: int) -> None:
    declared: dict[int, str] = {}
    conditions: dict[tuple[tuple[str, ...], tuple[str, ...]], str] = {}
    for n, s in sorted(users.items()):
        assert s.load_balancer is not None
        ref = s.load_balancer
        key = (
            tuple(sorted(effective_paths(ref.path_patterns, ref.host_headers))),
            tuple(sorted(h.lower() for h in ref.host_headers)),
        )
        if key in conditions:
            raise SpecError(
                ("services", n, "loadBalancer"),
                f"same pathPatterns and hostHeaders as services.{conditions[key]} on "
                f"{lb_name}; one of the two rules would never match",
            )
        conditions[key] = n
        if ref.priority is not None:
            if ref.priority in declared:
                raise SpecError(
                    ("services", n, "loadBalancer", "priority"),
                    f"{ref.priority} is already used by services.{declared[ref.priority]} on "
                    f"{lb_name}; listener rule priorities are unique per listener",
                )
            declared[ref.priority] = n
    tests = sum(s.deployment.strategy != "ROLLING" for s in users.values())
    if len(users) + tests > quota:
        raise SpecError(
            ("loadBalancers", lb_name),
            f"{len(users) + tests} listener rules ({len(users)} services, {tests} blue/green "
            f"test rules) exceed ruleQuota {quota}; AWS allows {ALB_RULES} rules per "
            "Application Load Balancer by default, not counting default rules (a quota "
            "adjustable through Service Quotas); spread the services over more loadBalancers, "
            "or set ruleQuota to your account's raised quota",
        )
