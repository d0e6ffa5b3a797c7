"""Services that call each other by Compose name -> Service Connect.

A service that names another as a host (`depends_on`, `links`, or a value such as
`http://api:8080`, `db:5432`, `REDIS_HOST=cache`) calls it: on ECS the two meet through Service
Connect (`serviceConnect.calls` on the caller, the callee's port exposed under its Compose
name), which is what Compose's service-name DNS gave them.
"""

from __future__ import annotations

import re
from typing import Any

from ..common import scalar_text
from ..findings import Add
from .tables import HTTP_APP_PORTS, IMAGE_PORTS


def called(source_names: list[str], body: dict[str, Any], me: str) -> list[str]:
    """The other services `body` reaches by Compose name, in file order."""
    refs: set[str] = set()
    depends = body.get("depends_on") or []
    refs.update(map(str, depends.keys() if isinstance(depends, dict) else depends))
    refs.update(str(link).split(":", 1)[0] for link in body.get("links") or [])
    text = _texts(body.get("environment")) + _texts(body.get("command"))
    for name in source_names:
        host = re.escape(name)
        if re.search(rf"(^|[\s=/@,;\"'])({host})($|[\s:/,;\"'?])", text, re.MULTILINE):
            refs.add(name)
    return [n for n in source_names if n in refs and n != me]


def default_port(body: dict[str, Any]) -> int | None:
    image = str(body.get("image") or "")
    repo = image.split("@", 1)[0].rsplit(":", 1)[0] if "/" in image or ":" in image else image
    return IMAGE_PORTS.get(repo.rsplit("/", 1)[-1])


def connect(
    raw: dict[str, dict[str, Any]],
    names: list[str],
    keys: dict[str, str],
    services: dict[str, dict[str, Any]],
    add: Add,
) -> None:
    """Rewrite `services` in place: callees exposed under their name, callers calling them.

    `raw`: the Compose service bodies by name; `names`: the imported ones, in file order.
    """
    calls = {
        keys[n]: [keys[c] for c in called(names, raw[n], n) if keys[c] in services]
        for n in names
        if keys[n] in services
    }
    servers = {server for callees in calls.values() for server in callees}
    for server in sorted(servers):
        name = next(n for n in names if keys[n] == server)
        _expose(add, name, server, raw[name], services[server])
    exposed = {server for server in servers if "serviceConnect" in services[server]}
    for client, callees in calls.items():
        callees = [c for c in callees if c in exposed]
        if not callees:
            continue
        service_connect = services[client].setdefault("serviceConnect", {"expose": False})
        service_connect["calls"] = callees
        name = next(n for n in names if keys[n] == client)
        add(
            "changed",
            f"services.{name}.depends_on" if raw[name].get("depends_on") else f"services.{name}",
            f"calls {', '.join(callees)} by name: mapped to Service Connect (serviceConnect."
            "calls), reachable as in Compose; ECS starts services independently, so the app "
            "should retry its first connections",
        )


def _expose(add: Add, name: str, server: str, body: dict[str, Any], spec: dict[str, Any]) -> None:
    """Expose a called service under its Compose name (it needs a port)."""
    if "containerPort" not in spec:
        port = default_port(body)
        if port is None:
            add(
                "input",
                f"services.{name}",
                "other services call it by name, but it declares no port: add "
                "containerPort and serviceConnect: {} so they can reach it",
            )
            return
        spec["containerPort"] = port
        add(
            "changed",
            f"services.{name}.ports",
            f"declares none; containerPort {port} is the image's documented port",
        )
    service_connect: dict[str, Any] = {}
    if name != server and re.fullmatch(r"[a-z0-9]([a-z0-9.-]{0,62}[a-z0-9])?", name):
        service_connect["dnsName"] = name
    if spec["containerPort"] not in HTTP_APP_PORTS:
        service_connect["appProtocol"] = None  # plain TCP (a database, a cache)
    spec["serviceConnect"] = service_connect


def _texts(value: Any) -> str:
    if isinstance(value, dict):
        return "\n".join(f"{k}={scalar_text(v)}" for k, v in value.items() if v is not None)
    if isinstance(value, list):
        return "\n".join(scalar_text(v) for v in value)
    return scalar_text(value) if value is not None else ""
