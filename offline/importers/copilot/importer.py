"""The Copilot import in its steps: parse the application, then per environment map the
environment manifest and each workload (by its type), and assemble the stack config."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from components.config import PROJECT

from ..findings import ImportResult, StackImport
from .container import container
from .context import Environment, Workload
from .environment import environment_manifest
from .jobs import map_job
from .parse import Manifest, read_application
from .services import map_service
from .tables import DEFAULT_STACK, OTHER_TYPES, WORKLOAD_CONFIG_KEYS, WORKLOAD_TYPES
from .workers import map_worker

# Copilot workload type -> the mapping step that turns its container spec into its entry.
MAPPERS: dict[str, Callable[[Workload, dict[str, Any]], dict[str, Any] | None]] = {
    "Load Balanced Web Service": partial(map_service, internal=False),
    "Backend Service": partial(map_service, internal=True),
    "Worker Service": map_worker,
    "Scheduled Job": map_job,
}


def import_copilot(
    directory: Path,
    *,
    region: str | None = None,
    account: str | None = None,
    environments: tuple[str, ...] = (),
) -> ImportResult:
    """Read a Copilot application; one stack per environment."""
    app = read_application(directory, environments)
    stacks = {
        name: _stack(Environment(name, region, account), app.environments.get(name), app.workloads)
        for name in app.names
    }
    if app.names == [DEFAULT_STACK]:
        stacks[DEFAULT_STACK].add(
            "input",
            "environments",
            "no environment found (no environment manifests or "
            "overrides): this config is for whichever stack you name; use --env NAME",
        )
    return ImportResult(tool="import-copilot", source=str(app.root), stacks=stacks)


def _stack(env: Environment, manifest: Manifest | None, workloads: list[Manifest]) -> StackImport:
    """One environment's stack config: its environment manifest and every workload in it."""
    cfg = env.stack.config
    if env.region:
        cfg["aws:region"] = env.region
    else:
        env.add(
            "input",
            "aws:region",
            "Copilot keeps the region outside the manifests; pass --region or set aws:region",
        )
    cluster = environment_manifest(env, manifest)
    imported: dict[str, dict[str, Any]] = {key: {} for key in WORKLOAD_CONFIG_KEYS.values()}
    for workload in workloads:
        _add_workload(env, workload, imported)
    if imported["workers"] and cluster.get("containerInsights") == "disabled":
        cluster["containerInsights"] = "enabled"
        env.add(
            "changed",
            "observability.container_insights",
            "false in the environment manifest; enabled, because worker autoscaling reads "
            "the running task count from Container Insights",
        )
    if cluster:
        cfg[f"{PROJECT}:cluster"] = cluster
    if env.load_balancers:
        cfg[f"{PROJECT}:loadBalancers"] = env.load_balancers
    for key, entries in imported.items():
        if entries:
            cfg[f"{PROJECT}:{key}"] = entries
    return env.stack


def _add_workload(
    env: Environment, manifest: Manifest, imported: dict[str, dict[str, Any]]
) -> None:
    """Map one workload into `imported` (by config key), or report why it is not."""
    kind = str(manifest.doc.get("type", ""))
    if kind in OTHER_TYPES:
        env.add("unmapped", "type", f"{kind} {OTHER_TYPES[kind]}", manifest.path)
        return
    if kind not in WORKLOAD_TYPES:
        env.add(
            "unmapped",
            "type",
            f"{kind or 'missing'}: not a Copilot workload "
            f"type this importer reads ({', '.join(WORKLOAD_TYPES)})",
            manifest.path,
        )
        return
    try:
        workload = Workload(env, manifest)
        spec = container(workload)
        if spec is not None:
            spec = MAPPERS[kind](workload, spec)
    except (AttributeError, TypeError, ValueError, KeyError) as exc:
        # Real manifests hold shapes Copilot's docs do not show; say so, do not crash.
        env.add(
            "unmapped",
            "",
            f"unexpected manifest shape ({type(exc).__name__}: {exc}); workload skipped",
            manifest.path,
        )
        return
    if spec is None:
        return
    target = imported[WORKLOAD_CONFIG_KEYS[kind]]
    if workload.key in target:
        env.add(
            "unmapped",
            "name",
            f"{workload.key} is already imported from another manifest; skipped",
            manifest.path,
        )
        return
    target[workload.key] = spec
