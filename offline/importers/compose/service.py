"""One Compose service -> one entry of `ecs-platform:services`, through each mapping step in turn
(image, size, platform, ports, count, commands, environment, secrets, health check, settings),
then the report of the keys none of them took."""

from __future__ import annotations

from typing import Any

from .container import commands, settings
from .environment import environment, secrets
from .health import healthcheck
from .image import image_or_build, platform
from .parse import ComposeFile
from .ports import PortMapping, container_ports, http_port, ports
from .report import unmapped
from .resources import replicas, size


def map_service(
    source: ComposeFile, where: str, body: dict[str, Any]
) -> tuple[dict[str, Any] | None, PortMapping | None]:
    """(service spec or None when it cannot run, the published port that serves HTTP)."""
    add = source.add
    out: dict[str, Any] = {}
    image = image_or_build(add, where, body)
    if image is None:
        return None, None
    out.update(image)
    out["cpu"], out["memory"] = size(add, where, body)
    arch = platform(add, where, body.get("platform"))
    if arch:
        out["cpuArchitecture"] = arch
    found = ports(add, where, body)
    http = http_port(body, found)
    out.update(container_ports(found, http))
    count = replicas(add, where, body)
    if count is not None:
        out["desiredCount"] = count
    out.update(commands(add, where, body))
    variables = environment(add, source.base_dir, where, body)
    if variables:
        out["environment"] = variables
    secrets(add, source.top_secrets, where, body.get("secrets"))
    health = healthcheck(add, f"{where}.healthcheck", body.get("healthcheck"))
    if health:
        out["healthCheck"] = health
    settings(add, where, body, out)
    unmapped(add, where, body)
    return out, http
