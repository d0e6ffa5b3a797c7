"""Placement: what the components need to know about where each workload runs.

`service_placement` and `task_placement` gather, for one service, worker or scheduled task, what
its components read from other sections of the stack: the task size, the capacity strategy and
launch compatibility, its listener rule priorities, the VPC's CIDR, Container Insights, the
alarm topic, the region, IPv4/IPv6 addressing and the trusted registries. `client_cidrs` says
who may connect to a load balancer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from ..specs.service import ServicePlacement
from . import priorities

if TYPE_CHECKING:
    from ..specs.service import ServiceSpec
    from ..specs.workloads import TaskSpec
    from .model import StackConfig


def service_placement(config: StackConfig, name: str) -> ServicePlacement:
    svc = config.services[name]
    rule_priority = test_rule_priority = None
    if svc.load_balancer is not None:
        lb_name = svc.load_balancer.name
        rule_priority = priorities.listener_rules(config, lb_name).get(name)
        test_rule_priority = priorities.test_listener_rules(config, lb_name).get(name)
    return _placement(config, svc, rule_priority, test_rule_priority)


def task_placement(config: StackConfig, task: TaskSpec) -> ServicePlacement:
    """Placement of a scheduled task or worker (sized and placed like a service)."""
    return _placement(config, task.service_spec(), None, None)


def _placement(
    config: StackConfig,
    svc: ServiceSpec,
    rule_priority: int | None,
    test_rule_priority: int | None,
) -> ServicePlacement:
    cpu, memory = config.task_size(svc)
    alarm_topic = config.observability.alarm_topic_arn
    return ServicePlacement(
        task_cpu=cpu,
        task_memory=memory,
        on_ec2=config.runs_on_ec2(svc),
        compatibility=config.compatibility(svc),
        strategy=config.strategy(svc),
        rule_priority=rule_priority,
        test_rule_priority=test_rule_priority,
        vpc_cidr=config.vpc_cidr,
        container_insights=config.cluster.container_insights != "disabled",
        alarm_actions=[alarm_topic] if alarm_topic else [],
        region=config.region,
        task_addressing=_task_addressing(config, svc),
        trusted_registries=list(config.images.trusted_registries),
    )


def _task_addressing(
    config: StackConfig, svc: ServiceSpec
) -> Literal["ipv4", "dual-stack", "ipv6-only"]:
    ipv6 = config.network.ipv6
    return "ipv4" if ipv6 is None or svc.launch_type == "EXTERNAL" else ipv6.tasks


def client_cidrs(config: StackConfig, lb_name: str) -> list[str]:
    """Who may connect to a load balancer: configured, else the internet or the VPC."""
    lb = config.load_balancer(lb_name)  # a service stack: its platform's
    if lb.allowed_cidrs is not None:
        return lb.allowed_cidrs
    if not lb.internal:
        return ["0.0.0.0/0"]
    vpc = config.vpc_cidr
    assert vpc is not None  # checked in routing_rules.check_load_balancer
    return [vpc]
