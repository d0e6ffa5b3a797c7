"""Copilot `http` and `nlb` -> the service's loadBalancer route, and the environment's load
balancers it needs (`public` or `internal` ALB, `nlb`), each with its certificate if known."""

from __future__ import annotations

import math
import re
from typing import Any

from ..common import duration_seconds
from .context import Environment, Workload
from .health import target_group_check
from .tables import HTTP_KEYS, HTTP_UNMAPPED, NLB_KEYS, NLB_PROTOCOLS


def load_balancer(env: Environment, name: str, internal: bool, network: bool = False) -> None:
    """Add the load balancer `name` to the environment once, with its certificate if known."""
    if name in env.load_balancers:
        return
    lb: dict[str, Any] = {"type": "network" if network else "application"}
    if internal:
        lb["internal"] = True
    cert = env.certificates.get("private" if internal else "public")
    if cert:
        lb["certificateArn"] = cert
    elif not network:
        env.add(
            "input",
            f"loadBalancers.{name}.certificateArn",
            "no certificate in the environment manifest (http."
            f"{'private' if internal else 'public'}.certificates): HTTPS needs an ACM "
            "certificate ARN here; without it the load balancer serves plain HTTP, which "
            "prod policy refuses",
        )
    env.load_balancers[name] = lb


def http_route(
    w: Workload, spec: dict[str, Any], http: dict[str, Any], internal: bool, port: int
) -> None:
    """spec.loadBalancer: a listener rule on the public (or internal) ALB."""
    lb_name = "internal" if internal else "public"
    load_balancer(w.env, lb_name, internal)
    route: dict[str, Any] = {"name": lb_name}
    path = http.get("path")
    if path not in (None, "", "/"):
        clean = "/" + str(path).strip("/")
        route["pathPatterns"] = [clean, f"{clean}/*"]
    hosts = _aliases(http.get("alias"))
    if hosts:
        route["hostHeaders"] = hosts
    if hosts and _alias_zones(http.get("alias")) or http.get("hosted_zone"):
        w.add(
            "unmapped",
            "http.alias",
            "DNS records in Route 53 hosted zones are not "
            "managed here; point the names at the load balancer",
        )
    tg = target_group_check(w, http.get("healthcheck"), spec)
    if tg:
        route["healthCheck"] = tg
    delay = duration_seconds(http.get("deregistration_delay"))
    if delay is not None:
        route["deregistrationDelaySeconds"] = math.ceil(delay)
    target_port = http.get("target_port")
    if target_port is not None and target_port != port:
        w.add(
            "unmapped",
            "http.target_port",
            f"{target_port}: the load balancer routes to image.port ({port})",
        )
    container = http.get("target_container")
    if container is not None and container != w.doc.get("name"):
        w.add(
            "unmapped",
            "http.target_container",
            f"{container}: the load balancer routes to the main container",
        )
    for key in http:
        if key in HTTP_UNMAPPED:
            w.add("unmapped", f"http.{key}", HTTP_UNMAPPED[key])
        elif key not in HTTP_KEYS:
            w.add("unmapped", f"http.{key}", "not in the service config")
    spec["loadBalancer"] = route


def nlb_route(w: Workload, spec: dict[str, Any], nlb: dict[str, Any], port: int) -> None:
    """spec.loadBalancer: a TCP or TLS listener on the environment's network load balancer."""
    listener = str(nlb.get("port", ""))
    number, _, protocol = listener.partition("/")
    protocol = (protocol or "tcp").lower()
    if not number.isdigit() or protocol not in NLB_PROTOCOLS:
        w.add(
            "unmapped",
            "nlb.port",
            f"{listener}: only TCP and TLS listeners are in the config; no load balancer",
        )
        return
    load_balancer(w.env, "nlb", internal=False, network=True)
    route: dict[str, Any] = {"name": "nlb"}
    if int(number) != port:
        route["listenerPort"] = int(number)
    target_port = nlb.get("target_port")
    if target_port is not None and target_port != port:
        w.add(
            "unmapped",
            "nlb.target_port",
            f"{target_port}: the listener forwards to image.port ({port})",
        )
    if protocol == "tls" and "certificateArn" not in w.env.load_balancers["nlb"]:
        w.add(
            "input",
            "nlb.port",
            f"{listener}: TLS needs certificateArn on "
            "loadBalancers.nlb (an ACM certificate ARN); until then it listens TCP",
        )
    for key in nlb:
        if key not in NLB_KEYS:
            w.add("unmapped", f"nlb.{key}", "not in the network load balancer config")
    spec["loadBalancer"] = route


def port_number(value: Any) -> int | None:
    """A TCP port (`8080`, `8080/tcp`); None for any other protocol or value."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1 <= value <= 65535 else None
    if isinstance(value, str):
        number, _, protocol = value.partition("/")
        if number.isdigit() and (protocol or "tcp").lower() == "tcp":
            return int(number) if 1 <= int(number) <= 65535 else None
    return None


def _aliases(alias: Any) -> list[str]:
    items = alias if isinstance(alias, list) else [alias] if alias else []
    names = [str(a.get("name")) if isinstance(a, dict) else str(a) for a in items]
    return [n for n in names if re.fullmatch(r"[A-Za-z0-9*?.-]+", n)][:5]


def _alias_zones(alias: Any) -> bool:
    return isinstance(alias, list) and any(
        isinstance(a, dict) and a.get("hosted_zone") for a in alias
    )
