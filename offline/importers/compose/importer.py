"""The Compose import in its steps: parse the file, map each service, link the services (the
load balancer route, Service Connect, run-once tasks), report, and assemble the stack config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from components.config import PROJECT

from ..common import unique_keys
from ..findings import ImportResult
from .health import check_script_on_volume
from .parse import ComposeFile, interpolated, read_compose
from .ports import PortMapping
from .report import tidy
from .routing import add_load_balancer, route
from .run_once import to_task
from .service import map_service
from .service_connect import connect
from .tables import TOP_LEVEL_UNMAPPED


def import_compose(path: Path, env_files: list[Path] | None = None) -> ImportResult:
    """Read a Compose file; one stack holding loadBalancers, services and run-once tasks.

    Variables come from `env_files` (Compose's `--env-file`), else the `.env` beside the file.
    """
    source = read_compose(path, env_files)
    _convert(source)
    return ImportResult(tool="import-compose", source=str(path), stacks={"compose": source.stack})


def _convert(source: ComposeFile) -> None:
    doc, stack = source.doc, source.stack
    for key in doc:
        if key in TOP_LEVEL_UNMAPPED:
            source.add("unmapped", key, TOP_LEVEL_UNMAPPED[key])
    names = [str(n) for n in doc["services"]]
    keys = unique_keys(names)
    services, web = _services(source, keys)
    route(doc, services, web, source.add)
    tasks = _link(doc, keys, services, source)
    tidy(stack, names)
    if web:
        add_load_balancer(stack)
    stack.config[f"{PROJECT}:services"] = services
    if tasks:
        stack.config[f"{PROJECT}:scheduledTasks"] = tasks


def _services(
    source: ComposeFile, keys: dict[str, str]
) -> tuple[dict[str, dict[str, Any]], dict[str, tuple[PortMapping, int]]]:
    """(service specs by key, the HTTP port and file position of each web service)."""
    services: dict[str, dict[str, Any]] = {}
    web: dict[str, tuple[PortMapping, int]] = {}
    for order, (name, body) in enumerate(source.doc["services"].items()):
        name = str(name)
        where = f"services.{name}"
        if not isinstance(body, dict):
            source.add("unmapped", where, "not a mapping; skipped")
            continue
        if keys[name] != name:
            source.add(
                "changed",
                where,
                f"named {keys[name]} (names here are 1-24 lowercase letters, digits and hyphens)",
            )
        try:
            spec, http = map_service(source, where, interpolated(source, where, body))
        except (AttributeError, TypeError, ValueError, KeyError) as exc:
            # Real files hold shapes the Compose spec allows in ways not handled here.
            source.add(
                "unmapped",
                where,
                f"unexpected shape ({type(exc).__name__}: {exc}); service skipped",
            )
            continue
        if spec is None:
            continue
        services[keys[name]] = spec
        if http is not None:
            web[keys[name]] = (http, order)
    return services, web


def _link(
    doc: dict[str, Any],
    keys: dict[str, str],
    services: dict[str, dict[str, Any]],
    source: ComposeFile,
) -> dict[str, dict[str, Any]]:
    """Rewrite `services` for Service Connect; return the run-once scheduled tasks."""
    raw = {str(n): b for n, b in doc["services"].items() if isinstance(b, dict)}
    names = [n for n in raw if keys[n] in services]
    tasks: dict[str, dict[str, Any]] = {}
    for name in names:
        check_script_on_volume(source.add, name, raw[name])
        task = to_task(source.add, name, raw[name], keys[name], services)
        if task is not None:
            tasks[keys[name]] = task
    connect(raw, names, keys, services, source.add)
    return tasks
