"""The public load balancer of a Compose import: one ALB, one catch-all rule to the service on the
lowest web port; every other published port is reported (reachable only inside the VPC)."""

from __future__ import annotations

from typing import Any

from components.config import PROJECT

from ..common import unique_keys
from ..findings import Add, StackImport
from .ports import PortMapping, parse_port
from .tables import LB_NAME, LOOPBACK


def route(
    doc: dict[str, Any],
    services: dict[str, dict[str, Any]],
    web: dict[str, tuple[PortMapping, int]],
    add: Add,
) -> None:
    """Give the catch-all rule to one web service; report the web ports left without one."""
    ranked = sorted(
        web.items(),
        key=lambda kv: (kv[1][0].published not in (80, 443), kv[1][0].published, kv[1][1]),
    )
    for i, (key, (port, _order)) in enumerate(ranked):
        where = f"services.{_source_name(doc, key)}.ports"
        if i == 0:
            services[key]["loadBalancer"] = {"name": LB_NAME}
            if port.published not in (80, 443):
                add(
                    "changed",
                    where,
                    f"{port.text}: served by the public load balancer "
                    "on port 80 (443 with certificateArn), all paths",
                )
            if port.container == 443:
                add(
                    "changed",
                    where,
                    f"{port.text}: the load balancer sends plain HTTP "
                    "to 443; terminate TLS at the ALB (certificateArn) instead",
                )
            continue
        add(
            "input",
            where,
            f"{port.text} serves HTTP too, but the load balancer's "
            f"catch-all rule goes to {ranked[0][0]}: add loadBalancer: {{name: "
            f"{LB_NAME}, pathPatterns: [...]}} or hostHeaders to route to it",
        )
    _unrouted(doc, services, web, add)


def _unrouted(
    doc: dict[str, Any],
    services: dict[str, dict[str, Any]],
    web: dict[str, tuple[PortMapping, int]],
    add: Add,
) -> None:
    """Published ports the load balancer does not carry."""
    for name, body in doc["services"].items():
        if not isinstance(body, dict):
            continue
        key = unique_keys([str(n) for n in doc["services"]])[str(name)]
        if key not in services:
            continue
        routed = services[key].get("loadBalancer") is not None
        for spec in body.get("ports") or []:
            port = parse_port(spec)
            if port is None or port.protocol != "tcp" or port.published is None:
                continue
            if port.host_ip in LOOPBACK:
                continue
            if routed and port.container == services[key]["containerPort"]:
                continue
            if key in web and port == web[key][0]:
                continue
            if routed and port.container == 443:
                add(
                    "changed",
                    f"services.{name}.ports",
                    f"{port.text}: the ALB serves "
                    "HTTPS on 443 once loadBalancers.public has certificateArn, and "
                    "forwards to the routed port; TLS in the container is not needed",
                )
                continue
            add(
                "unmapped",
                f"services.{name}.ports",
                f"{port.text}: not reachable "
                "from outside the VPC (the public ALB carries one HTTP port per "
                "service; raw TCP needs a network load balancer)",
            )


def add_load_balancer(stack: StackImport) -> None:
    """The public ALB in the config, and the certificate its HTTPS listener needs."""
    stack.config[f"{PROJECT}:loadBalancers"] = {LB_NAME: {"type": "application"}}
    stack.add(
        "input",
        f"loadBalancers.{LB_NAME}.certificateArn",
        "HTTPS needs an ACM certificate for your domain: request or import one in ACM "
        "and set its ARN here (the load balancer then redirects HTTP to HTTPS); "
        "without it the load balancer serves plain HTTP, which prod policy refuses",
    )


def _source_name(doc: dict[str, Any], key: str) -> str:
    names = [str(n) for n in doc["services"]]
    return next(n for n, k in unique_keys(names).items() if k == key)
