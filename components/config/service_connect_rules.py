"""Service Connect rules: whom a service calls, and the names it is called by.

A service may call only other services that expose a port through Service Connect, and two
exposed services may not share a DNS name in the cluster's namespace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..specs.common import SpecError, suggest

if TYPE_CHECKING:
    from ..specs.service import ServiceSpec
    from .model import StackConfig


def check(config: StackConfig, name: str, svc: ServiceSpec) -> None:
    at = ("services", name)
    connect = svc.service_connect
    if connect is None:
        return
    for i, callee in enumerate(connect.calls):
        target = config.services.get(callee)
        if callee == name:
            raise SpecError((*at, "serviceConnect", "calls", i), "a service cannot call itself")
        if target is None:
            raise SpecError(
                (*at, "serviceConnect", "calls", i),
                f"{callee!r} is not in services{suggest(callee, config.services)}; known: "
                + ", ".join(sorted(config.services)),
            )
        if target.service_connect is None or not target.service_connect.expose:
            raise SpecError(
                (*at, "serviceConnect", "calls", i),
                f"services.{callee} does not expose a port through Service Connect; give it "
                "serviceConnect: {} (and a containerPort)",
            )
    dns = {
        n: (s.service_connect.dns_name or n)
        for n, s in config.services.items()
        if s.service_connect is not None and s.service_connect.expose
    }
    mine = dns.get(name)
    for other, other_dns in dns.items():
        if other != name and mine is not None and other_dns == mine:
            raise SpecError(
                (*at, "serviceConnect", "dnsName"),
                f"{mine} is also the Service Connect name of services.{other}",
            )
