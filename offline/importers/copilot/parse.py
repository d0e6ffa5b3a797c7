"""Read a Copilot application: find its manifests, tell workloads from environments, name the
environments, and merge each workload's `environments.<env>` override the way Copilot does."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..common import load_yaml
from ..findings import SourceError
from .tables import AUTOSCALING_KEYS, DEFAULT_STACK


@dataclass
class Manifest:
    path: str  # relative to the copilot directory
    doc: dict[str, Any]


@dataclass
class Application:
    """The manifests of a copilot/ directory (or of one manifest file)."""

    root: Path
    workloads: list[Manifest]
    environments: dict[str, Manifest]  # environment name -> its environment manifest
    names: list[str]  # every environment to emit a stack for, in order


def read_application(directory: Path, extra: tuple[str, ...] = ()) -> Application:
    """The application at `directory`: the copilot/ directory, the workspace holding it, or
    one manifest. `extra`: environments to emit beyond those the manifests name."""
    if directory.is_file():  # one manifest: copilot/<workload>/manifest.yml
        root, files = directory.parent.parent, [directory]
    else:
        root = directory / "copilot" if (directory / "copilot").is_dir() else directory
        if not root.is_dir():
            raise SourceError(
                f"{directory}: no such directory or manifest; give the copilot/ directory, the "
                "workspace holding it, or one manifest.yml"
            )
        files = sorted(root.glob("**/manifest.y*ml"))
    workloads: list[Manifest] = []
    env_manifests: dict[str, Manifest] = {}
    for path in files:
        rel = path.relative_to(root).as_posix()
        doc = load_yaml(path)
        if not isinstance(doc, dict):
            raise SourceError(f"{path}: a manifest is a mapping")
        if doc.get("type") == "Environment" or rel.startswith("environments/"):
            env_manifests[str(doc.get("name") or path.parent.name)] = Manifest(rel, doc)
        else:
            workloads.append(Manifest(rel, doc))
    if not workloads and not env_manifests:
        raise SourceError(f"{root}: no Copilot manifests (*/manifest.yml)")
    names: list[str] = [*env_manifests]
    for w in workloads:
        overrides = w.doc.get("environments")
        names += [str(e) for e in overrides] if isinstance(overrides, dict) else []
    names += list(extra)
    return Application(
        root, workloads, env_manifests, list(dict.fromkeys(names)) or [DEFAULT_STACK]
    )


def for_environment(manifest: Manifest, env: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the workload as deployed to `env`, the override `environments.<env>` applied to it)."""
    base = {k: v for k, v in manifest.doc.items() if k != "environments"}
    overrides = manifest.doc.get("environments")
    override = (overrides or {}).get(env) if isinstance(overrides, dict) else None
    override = override if isinstance(override, dict) else {}
    doc: dict[str, Any] = merge(copy.deepcopy(base), override)
    if "count" in override:
        doc["count"] = merge_count(copy.deepcopy(base.get("count")), override["count"])
    return doc, override


def merge(base: Any, override: Any) -> Any:
    """Copilot's override rule: mappings merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for key, value in override.items():
            out[key] = merge(base.get(key), value) if key in base else value
        return out
    return base if override is None else override


def merge_count(base: Any, override: Any) -> Any:
    """Copilot's override rule for `count`: `spot` and autoscaling exclude each other.

    An override that sets `spot` drops the base's range, metrics and cooldown; one that sets a
    range or a metric drops the base's `spot` (Copilot's advancedCountTransformer). Everything
    else merges like any map.
    """
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return merge(base, override)
    kept = dict(base)
    if override.get("spot") is not None:
        for key in AUTOSCALING_KEYS:
            kept.pop(key, None)
    if any(override.get(k) is not None for k in AUTOSCALING_KEYS if k != "cooldown"):
        kept.pop("spot", None)
    return merge(kept, override)
