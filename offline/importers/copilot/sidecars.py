"""Copilot `sidecars`, `image.depends_on` and `storage` -> the task's sidecar containers, the app
container's start order and its volumes: the task keys services, workers and jobs all take."""

from __future__ import annotations

from typing import Any

from ..common import command_list, resource_key
from ..tables import COMMAND_FIELDS
from .context import Workload
from .health import container_check
from .routing import port_number
from .secrets import secrets, variables
from .storage import storage
from .tables import SIDECAR_KEYS


def task_containers(w: Workload, spec: dict[str, Any], app_port: int | None, config: str) -> None:
    """Storage, sidecars and the app container's dependsOn into `spec` (`config`: its shape)."""
    storage(w, spec, config)
    found = sidecars(w, app_port)
    if found:
        spec["sidecars"] = found
    image = w.doc.get("image")
    depends = depends_on(w, image.get("depends_on") if isinstance(image, dict) else None, found)
    if depends:
        spec["dependsOn"] = depends


def sidecars(w: Workload, app_port: int | None) -> dict[str, Any]:
    """Sidecars by name; each pullable one maps, with a port no other container uses."""
    out: dict[str, Any] = {}
    used = {app_port} if app_port else set()
    for name, body in (w.doc.get("sidecars") or {}).items():
        at = f"sidecars.{name}"
        if not isinstance(body, dict):
            continue
        key = resource_key(str(name))
        if key == "app":
            w.add("unmapped", at, "app is the main container's name here")
            continue
        image = body.get("image")
        if isinstance(image, dict):
            image = image.get("location")
        if not isinstance(image, str) or "${" in image:
            w.add(
                "input",
                f"{at}.image",
                f"{image!r}: needs a pullable image (fill in ${{...}} variables); sidecar left out",
            )
            continue
        sidecar: dict[str, Any] = {"image": image}
        port = port_number(body.get("port"))
        if port is not None and port not in used:
            sidecar["ports"] = [port]
            used.add(port)
        elif body.get("port") is not None:
            w.add(
                "unmapped",
                f"{at}.port",
                f"{body['port']}: only TCP ports not used by another container of the task map",
            )
        out[key] = {**sidecar, **_container(w, at, body)}
    return out


def _container(w: Workload, at: str, body: dict[str, Any]) -> dict[str, Any]:
    """A sidecar's command, entryPoint, environment, secrets, essential and healthCheck."""
    sidecar: dict[str, Any] = {}
    for src, field in COMMAND_FIELDS:
        if body.get(src) is not None:
            sidecar[field] = command_list(body[src])
    env = variables(w, f"{at}.variables", body.get("variables"))
    if env:
        sidecar["environment"] = env
    found = secrets(w, f"{at}.secrets", body.get("secrets"))
    if found:
        sidecar["secrets"] = found
    if isinstance(body.get("essential"), bool):
        sidecar["essential"] = body["essential"]
    health = container_check(w, f"{at}.healthcheck", body.get("healthcheck"))
    if health:
        sidecar["healthCheck"] = health
    for extra in body:
        if extra not in SIDECAR_KEYS:
            w.add("unmapped", f"{at}.{extra}", "not in the sidecar config")
    return sidecar


def depends_on(w: Workload, depends: Any, imported: dict[str, Any]) -> list[dict[str, str]]:
    """image.depends_on -> dependsOn of the app container, for the sidecars imported here."""
    out = []
    for name, condition in (depends or {}).items():
        key = resource_key(str(name))
        if key not in imported:
            w.add("unmapped", f"image.depends_on.{name}", "not a sidecar imported here")
            continue
        out.append({"container": key, "condition": str(condition).upper()})
    return out
