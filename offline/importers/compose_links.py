"""What a Compose file says between its services: who calls whom by name, what runs only once,
and which health checks need a file from a volume.

- A service that names another as a host (`depends_on`, `links`, or a value such as
  `http://api:8080`, `db:5432`, `REDIS_HOST=cache`) calls it: on ECS the two meet through
  Service Connect (`serviceConnect.calls` on the caller, the callee's port exposed under its
  Compose name), which is what Compose's service-name DNS gave them.
- A container that does not restart (`restart: "no"` or `on-failure`, or a restart policy of
  `none`/`on-failure`), or a port-less seed/migration/init job, is run-once work: it becomes a
  scheduled task whose schedule is disabled, to run by hand (`aws ecs run-task`) or on a schedule
  you give it, instead of an always-on service that ECS would restart forever.
- A health check that runs a script from a mounted volume fails on ECS (no host paths): flagged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .common import scalar_text

# Well-known server images and the port they listen on when the Compose file declares none
# (each image's documentation on Docker Hub).
IMAGE_PORTS = {
    "redis": 6379,
    "valkey": 6379,
    "postgres": 5432,
    "mysql": 3306,
    "mariadb": 3306,
    "mongo": 27017,
    "memcached": 11211,
    "rabbitmq": 5672,
    "elasticsearch": 9200,
    "opensearch": 9200,
    "zookeeper": 2181,
    "nats": 4222,
}
HTTP_APP_PORTS = {80, 3000, 4000, 5000, 8000, 8008, 8080, 8081, 8888, 9000, 9090}
_RUN_ONCE_NAME = re.compile(r"(^|[-_])(seed\w*|migrat\w*|init|setup|bootstrap)([-_]|$)")
# The per-task schedule of a run-once job: never invoked while `enabled` is false.
RUN_ONCE_SCHEDULE = "rate(1 day)"

Add = Callable[[str, str, str], None]


def run_once(name: str, body: dict[str, Any]) -> bool:
    restart = body.get("restart")
    policy = ((body.get("deploy") or {}).get("restart_policy") or {}).get("condition")
    if restart is not None:
        return str(restart).lower() in ("no", "false", "on-failure") or str(restart).startswith(
            "on-failure:"
        )
    if policy is not None:
        return str(policy) in ("none", "on-failure")
    ports = body.get("ports") or body.get("expose")
    return not ports and bool(_RUN_ONCE_NAME.search(name.lower()))


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


def script_on_volume(body: dict[str, Any]) -> tuple[str, str] | None:
    """(script path, volume) when the health check runs a file from one of the volumes."""
    check = body.get("healthcheck")
    if not isinstance(check, dict):
        return None
    test = check.get("test")
    words = " ".join(map(str, test)) if isinstance(test, list) else str(test or "")
    for volume in body.get("volumes") or []:
        if isinstance(volume, dict):
            source, target = str(volume.get("source", "")), str(volume.get("target", ""))
        else:
            parts = scalar_text(volume).split(":")
            source, target = (parts[0], parts[1]) if len(parts) > 1 else ("", parts[0])
        if not target.startswith("/"):
            continue
        for word in re.findall(r"/[^\s;&|'\"]+", words):
            if word == target or word.startswith(target.rstrip("/") + "/"):
                return word, f"{source}:{target}" if source else target
    return None


def link(
    doc: dict[str, Any],
    keys: dict[str, str],
    services: dict[str, dict[str, Any]],
    add: Add,
) -> dict[str, dict[str, Any]]:
    """Rewrite `services` in place for Service Connect; return the run-once scheduled tasks."""
    raw = {str(n): b for n, b in doc["services"].items() if isinstance(b, dict)}
    names = [n for n in raw if keys[n] in services]
    tasks: dict[str, dict[str, Any]] = {}
    for name in names:
        body = raw[name]
        where = f"services.{name}"
        script = script_on_volume(body)
        if script is not None:
            add(
                "input",
                f"{where}.healthcheck",
                f"runs {script[0]} from the volume {script[1]}, which is not mapped (no host "
                "paths on ECS): COPY the script into the image, or the check fails and ECS "
                "replaces the task",
            )
        if run_once(name, body):
            spec = {
                k: v
                for k, v in services.pop(keys[name]).items()
                if k not in ("containerPort", "ports", "desiredCount", "loadBalancer")
            }
            tasks[keys[name]] = {**spec, "schedule": RUN_ONCE_SCHEDULE, "enabled": False}
            add(
                "changed",
                f"{where}.restart" if "restart" in body else where,
                f"runs once: imported as scheduledTasks.{keys[name]} with its schedule "
                "disabled; run it by hand (aws ecs run-task with its task definition) or set "
                "schedule and enabled: true",
            )
    calls = {
        keys[n]: [keys[c] for c in called(names, raw[n], n) if keys[c] in services]
        for n in names
        if keys[n] in services
    }
    servers = {server for callees in calls.values() for server in callees}
    for server in sorted(servers):
        name = next(n for n in names if keys[n] == server)
        spec = services[server]
        if "containerPort" not in spec:
            port = default_port(raw[name])
            if port is None:
                add(
                    "input",
                    f"services.{name}",
                    "other services call it by name, but it declares no port: add "
                    "containerPort and serviceConnect: {} so they can reach it",
                )
                continue
            spec["containerPort"] = port
            add(
                "changed",
                f"services.{name}.ports",
                f"declares none; containerPort {port} is the image's documented port",
            )
        connect: dict[str, Any] = {}
        if name != server and re.fullmatch(r"[a-z0-9]([a-z0-9.-]{0,62}[a-z0-9])?", name):
            connect["dnsName"] = name
        if spec["containerPort"] not in HTTP_APP_PORTS:
            connect["appProtocol"] = None  # plain TCP (a database, a cache)
        spec["serviceConnect"] = connect
    exposed = {server for server in servers if "serviceConnect" in services[server]}
    for client, callees in calls.items():
        callees = [c for c in callees if c in exposed]
        if not callees:
            continue
        connect = services[client].setdefault("serviceConnect", {"expose": False})
        connect["calls"] = callees
        name = next(n for n in names if keys[n] == client)
        add(
            "changed",
            f"services.{name}.depends_on" if raw[name].get("depends_on") else f"services.{name}",
            f"calls {', '.join(callees)} by name: mapped to Service Connect (serviceConnect."
            "calls), reachable as in Compose; ECS starts services independently, so the app "
            "should retry its first connections",
        )
    return tasks


def _texts(value: Any) -> str:
    if isinstance(value, dict):
        return "\n".join(f"{k}={scalar_text(v)}" for k, v in value.items() if v is not None)
    if isinstance(value, list):
        return "\n".join(scalar_text(v) for v in value)
    return scalar_text(value) if value is not None else ""
