"""Compose `ports` and `expose` -> containerPort and ports, and which published port serves HTTP.

Only single TCP ports map. The HTTP port (the one the load balancer routes to) is a published
port on a conventional web port, or one the healthcheck fetches with curl or wget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..common import scalar_text
from ..findings import Add
from .tables import HTTP_PORTS, LOOPBACK


@dataclass(frozen=True)
class PortMapping:
    container: int
    published: int | None
    protocol: str
    host_ip: str
    text: str


def port_text(spec: Any) -> str:
    """A port entry as written (short syntax, or the long syntax's keys on one line)."""
    if isinstance(spec, dict):
        return ", ".join(f"{k}: {scalar_text(v)}" for k, v in spec.items())
    return scalar_text(spec)


def parse_port(spec: Any) -> PortMapping | None:
    """Compose short (`[ip:][host:]container[/proto]`) or long port syntax; None if a range."""
    text = port_text(spec)
    if isinstance(spec, dict):
        try:
            container = int(spec["target"])
            published = int(spec["published"]) if spec.get("published") is not None else None
        except (KeyError, TypeError, ValueError):
            return None
        return PortMapping(
            container,
            published,
            str(spec.get("protocol", "tcp")).lower(),
            str(spec.get("host_ip", "")),
            text,
        )
    value, _, protocol = text.partition("/")
    parts = value.rsplit(":", 2)
    if not all(re.fullmatch(r"\d+", p) for p in parts[-2:] if p) or not parts[-1]:
        return None
    published = int(parts[-2]) if len(parts) >= 2 and parts[-2] else None
    host_ip = parts[0].strip("[]") if len(parts) == 3 else ""
    return PortMapping(int(parts[-1]), published, (protocol or "tcp").lower(), host_ip, text)


def ports(add: Add, where: str, body: dict[str, Any]) -> list[PortMapping]:
    """The service's TCP ports (published and exposed); the others are reported."""
    out: list[PortMapping] = []
    for spec in body.get("ports") or []:
        port = parse_port(spec)
        if port is None:
            add(
                "unmapped",
                f"{where}.ports",
                f"{port_text(spec)}: port ranges and unparsable ports are not mapped",
            )
            continue
        if port.protocol != "tcp":
            add(
                "unmapped",
                f"{where}.ports",
                f"{port.text}: {port.protocol.upper()} "
                "ports are not in the service config (TCP only)",
            )
            continue
        if port.host_ip in LOOPBACK:
            add(
                "unmapped",
                f"{where}.ports",
                f"{port.text}: published on the host's loopback only (local access); not exposed",
            )
        out.append(port)
    for spec in body.get("expose") or []:
        text = scalar_text(spec)
        value, _, protocol = text.partition("/")
        if not value.isdigit() or (protocol or "tcp").lower() != "tcp":
            add("unmapped", f"{where}.expose", f"{text}: only single TCP ports map")
            continue
        out.append(PortMapping(int(value), None, "tcp", "", text))
    return out


def http_port(body: dict[str, Any], found: list[PortMapping]) -> PortMapping | None:
    """The published port that serves HTTP, if any: the one the ALB routes to."""
    checked = _healthcheck_ports(body.get("healthcheck"))
    web = [
        p
        for p in found
        if p.published is not None
        and p.host_ip not in LOOPBACK
        and (p.container in HTTP_PORTS or p.published in HTTP_PORTS or p.container in checked)
    ]
    web.sort(key=lambda p: (p.published not in (80, 443), p.published == 443, p.published))
    return web[0] if web else None


def container_ports(found: list[PortMapping], http: PortMapping | None) -> dict[str, Any]:
    """containerPort (the HTTP port, else the first TCP port) and the other ports."""
    out: dict[str, Any] = {}
    tcp = list(dict.fromkeys(p.container for p in found if p.protocol == "tcp"))
    first = http.container if http is not None else (tcp[0] if tcp else None)
    if first is not None:
        out["containerPort"] = first
        rest = [p for p in tcp if p != first]
        if rest:
            out["ports"] = rest
    return out


def _healthcheck_ports(check: Any) -> set[int]:
    """Ports the healthcheck fetches over HTTP (curl/wget http://host:port, localhost:port)."""
    if not isinstance(check, dict):
        return set()
    test = check.get("test")
    text = " ".join(map(str, test)) if isinstance(test, list) else str(test or "")
    if not re.search(r"\b(curl|wget)\b", text):
        return set()
    found = {int(p) for p in re.findall(r"(?:localhost|127\.0\.0\.1|0\.0\.0\.0):(\d+)", text)}
    if re.search(r"https?://(localhost|127\.0\.0\.1)(/|\s|$|\")", text):
        found.add(80)
    return found
