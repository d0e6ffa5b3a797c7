"""Cross-key rules: what one section of a stack's config demands of another.

`check(config)` runs in StackConfig's validation, after each section has validated on its own,
and raises `SpecError` (key path and message) at the first broken rule, before any resource is
registered. Every workload (service, worker, scheduled task) is checked for where it runs
(`capacity_rules`), what it can reach (`egress_rules`) and how traffic reaches it
(`routing_rules`); services also for `service_connect_rules`; then each load balancer's
subnets and listener (`routing_rules`), then IPv6 (`specs.ipv6_rules`). The order decides which
error a config with several mistakes reports, so it stays as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..specs import ipv6_rules
from ..specs.common import SpecError
from . import capacity_rules, egress_rules, routing_rules, service_connect_rules, stack_kind_rules

if TYPE_CHECKING:
    from ..specs.service import ServiceSpec
    from ..specs.workloads import TaskSpec
    from .model import StackConfig


def check(config: StackConfig) -> None:
    stack_kind_rules.check(config)
    for name, svc in config.services.items():
        check_workload(config, ("services", name), svc)
        routing_rules.check_request_scaling(name, svc)
        service_connect_rules.check(config, name, svc)
    _check_tasks(config)
    for lb_name in config.load_balancers:
        routing_rules.check_load_balancer(config, lb_name)
        routing_rules.check_listener(config, lb_name)
    ipv6_rules.check(config)


def check_workload(config: StackConfig, at: tuple[str, ...], svc: ServiceSpec) -> None:
    """The rules every workload meets; `at` is its key path, e.g. ("workers", "jobs")."""
    if config.stack_kind == "service":
        stack_kind_rules.check_service_workload(config, at, svc)
    capacity_rules.check(config, at, svc)
    net = config.network
    if svc.assign_public_ip and not net.creates_vpc and not net.public_subnet_ids:
        raise SpecError(
            (*at, "assignPublicIp"),
            "needs network.publicSubnetIds (tasks go in public subnets)",
        )
    egress_rules.check(config, at, svc)
    if svc.load_balancer is not None and config.stack_kind != "service":
        routing_rules.check_routing(config, at, svc)


def _check_tasks(config: StackConfig) -> None:
    """Workers and scheduled tasks: names unique across all workloads, then their rules."""
    seen = {name: "services" for name in config.services}
    sections: tuple[tuple[str, Mapping[str, TaskSpec]], ...] = (
        ("workers", config.workers),
        ("scheduledTasks", config.scheduled_tasks),
    )
    for section, specs in sections:
        for name, spec in specs.items():
            if name in seen:
                raise SpecError(
                    (section, name),
                    f"{name!r} is already used in {seen[name]}; names are unique across "
                    "services, workers and scheduled tasks (they name log groups and "
                    "task families)",
                )
            seen[name] = section
            check_workload(config, (section, name), spec.service_spec())
