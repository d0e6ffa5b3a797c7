"""ALB listener rule priorities: declared by a service, or derived from how specific its rule is.

Lower numbers are evaluated first ("Rules are evaluated in priority order, from the lowest value
to the highest value": https://docs.aws.amazon.com/elasticloadbalancing/latest/application/
listener-rules.html), so specific rules get lower tiers: host and path, host only, deep paths,
other paths, then catch-alls. Within a tier the number comes from a hash of the service name, so
adding or removing another service never moves this one (unless two names collide in a tier;
then the later name in sorted order takes the next free number). A blue/green, canary or linear
service also gets a test rule just ahead of its own.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..specs.common import SpecError

if TYPE_CHECKING:
    from ..specs.service import ServiceSpec
    from .model import StackConfig

TIER_SIZE = 10_000
CATCH_ALL_PATHS = ("/*", "/", "*")


def services_on(config: StackConfig, lb_name: str) -> dict[str, ServiceSpec]:
    """The services attached to load balancer `lb_name`, by name."""
    return {
        n: s
        for n, s in config.services.items()
        if s.load_balancer is not None and s.load_balancer.name == lb_name
    }


def effective_paths(path_patterns: list[str], host_headers: list[str]) -> list[str]:
    """The effective path patterns of an ALB rule: none given and no host means everything."""
    return path_patterns or ([] if host_headers else ["/*"])


def listener_rules(config: StackConfig, lb_name: str) -> dict[str, int]:
    """Service name -> ALB listener rule priority on `lb_name` (declared or derived)."""
    return rule_priorities(services_on(config, lb_name))


def test_listener_rules(config: StackConfig, lb_name: str) -> dict[str, int]:
    """Service name -> priority of its blue/green test rule (just ahead of its own rule)."""
    production = listener_rules(config, lb_name)
    taken = set(production.values())
    out: dict[str, int] = {}
    for name in sorted(production):
        if config.services[name].deployment.strategy == "ROLLING":
            continue
        priority = production[name] - 1
        while priority in taken:
            priority -= 1
        if priority < 1:
            raise SpecError(
                ("services", name, "loadBalancer", "priority"),
                f"{production[name]} leaves no free priority below it for the "
                "blue/green test rule; use a higher priority",
            )
        taken.add(priority)
        out[name] = priority
    return out


def rule_priorities(services: Mapping[str, ServiceSpec]) -> dict[str, int]:
    """Listener rule priority per service: declared, else its tier plus a hash of its name."""
    taken = {s.load_balancer.priority for s in services.values() if s.load_balancer}
    taken.discard(None)
    out: dict[str, int] = {}
    for name, svc in sorted(services.items()):
        ref = svc.load_balancer
        assert ref is not None
        if ref.priority is not None:
            out[name] = ref.priority
            continue
        tier = _tier(ref.path_patterns, ref.host_headers)
        priority = tier * TIER_SIZE + 1 + zlib.crc32(name.encode()) % (TIER_SIZE - 1)
        while priority in taken:
            priority += 1
        taken.add(priority)
        out[name] = priority
    return out


def _tier(path_patterns: list[str], host_headers: list[str]) -> int:
    """0 host and path, 1 host only, 2 deep paths, 3 other paths, 4 catch-all."""
    paths = effective_paths(path_patterns, host_headers)
    catch_all = all(p in CATCH_ALL_PATHS for p in paths)
    if host_headers and paths and not catch_all:
        return 0
    if host_headers:
        return 1
    if not catch_all and max(p.strip("/*").count("/") for p in paths) >= 1:
        return 2
    return 4 if catch_all else 3
