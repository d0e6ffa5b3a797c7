"""botocore's API shapes for offline/shapes.py, without parsing a whole service model per plan.

A shape check needs a handful of shapes, but botocore loads a service's whole model to give
one: ec2's is 4,000 shapes of JSON, and parsing the models of the services a plan touches took
a tenth of a plan of the production stack. Here each shape asked for is looked up in a small
cache file per service that holds the shapes asked for so far, each with every shape it refers
to, exactly as botocore's model has them. A shape the cache lacks (a new check, a new botocore)
loads the full model once through botocore and joins the file. The cache is keyed by botocore's
version, so an upgrade starts afresh; it lives in `$XDG_CACHE_HOME/ecs-platform` (else
`~/.cache/ecs-platform`), and a cache that cannot be read or written only costs the full load.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import botocore
from botocore.loaders import Loader
from botocore.model import ServiceModel

CACHE_DIR = (
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    / "ecs-platform"
    / f"botocore-{botocore.__version__}"
)


def shape(service: str, name: str) -> Any:
    """botocore's Shape `name` of `service` (e.g. "ecs", "ContainerDefinitions")."""
    return _shape(service, name)


@cache
def _shape(service: str, name: str) -> Any:
    model = _cached(service)
    if model is None or name not in model["shapes"]:
        model = _add(service, name, model)
    return ServiceModel(model, service).shape_for(name)


def _path(service: str) -> Path:
    return CACHE_DIR / f"{service}.json"


def _cached(service: str) -> dict[str, Any] | None:
    try:
        model = json.loads(_path(service).read_text())
    except (OSError, ValueError):
        return None
    ok = isinstance(model, dict) and isinstance(model.get("shapes"), dict) and "metadata" in model
    return model if ok else None


@cache
def _full(service: str) -> dict[str, Any]:
    return Loader().load_service_model(service, "service-2")


def _add(service: str, name: str, model: dict[str, Any] | None) -> dict[str, Any]:
    """The cached shapes plus `name` and its closure, from the full model; saved if possible."""
    full = _full(service)
    if name not in full["shapes"]:
        return full  # botocore's own error for an unknown shape follows
    shapes = dict(model["shapes"]) if model else {}
    shapes.update({n: full["shapes"][n] for n in closure(full["shapes"], name)})
    updated = {"metadata": full["metadata"], "shapes": shapes}
    _save(_path(service), updated)
    return updated


def closure(shapes: dict[str, Any], name: str) -> set[str]:
    """`name` and every shape its members, list items and map keys/values refer to."""
    found: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.add(current)
        definition = shapes[current]  # a KeyError for a name the model lacks, as botocore's
        refs = [definition.get(k) for k in ("member", "key", "value")]
        refs += list((definition.get("members") or {}).values())
        todo += [ref["shape"] for ref in refs if isinstance(ref, dict) and "shape" in ref]
    return found


def _save(path: Path, model: dict[str, Any]) -> None:
    """Write atomically (a concurrent plan reads the old file or the new one, never half)."""
    written = ""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False) as tmp:
            written = tmp.name
            json.dump(model, tmp)
        os.replace(written, path)
    except OSError:  # read-only home or full disk: the next plan loads the full model again
        if written:
            with contextlib.suppress(OSError):
                os.unlink(written)
