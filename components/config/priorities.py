"""ALB listener rule priorities: declared by a service, or derived from how specific its rule is.

Lower numbers are evaluated first ("Rules are evaluated in priority order, from the lowest value
to the highest value": https://docs.aws.amazon.com/elasticloadbalancing/latest/application/
listener-rules.html), so specific rules get lower tiers: host and path, host only, deep paths,
other paths, then catch-alls. Within a tier the number comes from a hash of the service name, so
adding or removing another service never moves this one (unless two names collide in a tier;
then the later name in sorted order takes the next free number). A blue/green, canary or linear
service also gets a test rule just ahead of its own.

In a service stack the numbers stay inside the team's granted range (`teams.<team>.priorities`
of its platform): the range is cut into the same five tiers, and the hash is of team and service
name, so two teams sharing the "*" grant's range rarely pick the same number (the ownership
check refuses it when they do).
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
    if config.stack_kind != "service":
        return rule_priorities(services_on(config, lb_name))
    grant = config.grant
    bounds = (grant.priorities.from_, grant.priorities.to) if grant is not None else None
    return rule_priorities(services_on(config, lb_name), bounds, salt=f"{config.team_name}/")


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
        low = config.grant.priorities.from_ if config.grant is not None else 1
        if priority < low:
            raise SpecError(
                ("services", name, "loadBalancer", "priority"),
                f"{production[name]} leaves no free priority below it for the "
                "blue/green test rule; use a higher priority",
            )
        taken.add(priority)
        out[name] = priority
    return out


def rule_priorities(
    services: Mapping[str, ServiceSpec],
    bounds: tuple[int, int] | None = None,
    *,
    salt: str = "",
) -> dict[str, int]:
    """Listener rule priority per service: declared, else its tier plus a hash of its name.

    With `bounds` (a team's granted range, both ends included) every derived number falls in
    it: the range is cut into five tiers, and a taken number moves to the next free one,
    wrapping inside the range; a range with no free number left is a config error.
    """
    taken: set[int] = {
        s.load_balancer.priority
        for s in services.values()
        if s.load_balancer and s.load_balancer.priority is not None
    }
    out: dict[str, int] = {}
    for name, svc in sorted(services.items()):
        ref = svc.load_balancer
        assert ref is not None
        if ref.priority is not None:
            out[name] = ref.priority
            continue
        tier = _tier(ref.path_patterns, ref.host_headers)
        digest = zlib.crc32(f"{salt}{name}".encode())
        if bounds is None:
            priority = tier * TIER_SIZE + 1 + digest % (TIER_SIZE - 1)
            while priority in taken:
                priority += 1
        else:
            priority = _in_range(tier, digest, bounds, taken, name)
        taken.add(priority)
        out[name] = priority
    return out


def _in_range(tier: int, digest: int, bounds: tuple[int, int], taken: set[int], name: str) -> int:
    low, high = bounds
    size = high - low + 1
    tier_size = max(size // 5, 1)
    start = min(low + tier * tier_size, high)
    span = tier_size if tier < 4 else high - start + 1
    offset = digest % max(span, 1)
    for step in range(size):
        priority = low + (start - low + offset + step) % size
        if priority not in taken:
            return priority
    raise SpecError(
        ("services", name, "loadBalancer", "priority"),
        f"no free listener rule priority left in the team's range {low}-{high}; ask the "
        "platform for a wider teams.<team>.priorities range",
    )


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
