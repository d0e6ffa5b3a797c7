"""A Copilot workload's main container -> image or build, task size, architecture, command,
entrypoint, environment, secrets and health check: what every workload kind starts from."""

from __future__ import annotations

import posixpath
from typing import Any

from ..common import command_list, fargate_size, is_fargate_pair, scalar_text
from ..tables import COMMAND_FIELDS
from .context import Workload
from .health import container_check
from .secrets import secrets, variables
from .tables import BUILD_KEYS, DEFAULT_SIZE, IMAGE_KEYS, PLATFORM_ARCHITECTURES, UNMAPPED


def container(w: Workload) -> dict[str, Any] | None:
    """The container spec; None when the workload has no image to run (it is skipped)."""
    doc = w.doc
    image = doc.get("image") or {}
    if not isinstance(image, dict):
        image = {"location": image}
    spec = _image_or_build(w, image)
    if spec is None:
        return None
    for key in image:
        if key in IMAGE_KEYS:
            continue
        w.add("unmapped", f"image.{key}", "not in the container config")
    spec["cpu"], spec["memory"] = _size(w)
    arch = _platform(w, doc.get("platform"))
    if arch:
        spec["cpuArchitecture"] = arch
    for key, field in COMMAND_FIELDS:
        if doc.get(key) is not None:
            spec[field] = command_list(doc[key])
    environment = variables(w, "variables", doc.get("variables"))
    if environment:
        spec["environment"] = environment
    found = secrets(w, "secrets", doc.get("secrets"))
    if found:
        spec["secrets"] = found
    health = container_check(w, "image.healthcheck", image.get("healthcheck"))
    if health:
        spec["healthCheck"] = health
    return spec


def _image_or_build(w: Workload, image: dict[str, Any]) -> dict[str, Any] | None:
    location, build = image.get("location"), image.get("build")
    if location is not None:
        text = str(location)
        if "${" in text:
            w.add(
                "input",
                "image.location",
                f"{text}: fill in the variables Copilot reads from the shell; workload skipped",
            )
            return None
        return {"image": text}
    if build is not None:
        converted = _build(w, build)
        if converted is None:
            return None
        return {"build": converted}
    w.add("unmapped", "image", "neither image.location nor image.build; skipped")
    return None


def _build(w: Workload, build: Any) -> dict[str, Any] | None:
    if isinstance(build, str):
        build = {"dockerfile": build}
    if not isinstance(build, dict) or not (build.get("dockerfile") or build.get("context")):
        w.add("unmapped", "image.build", f"{build!r} is not a Dockerfile path; skipped")
        return None
    dockerfile = posixpath.normpath(str(build.get("dockerfile") or "Dockerfile"))
    if build.get("context") is not None:
        context = posixpath.normpath(str(build["context"]))
        dockerfile = posixpath.relpath(dockerfile, context)
    else:
        context = posixpath.dirname(dockerfile) or "."
        dockerfile = posixpath.basename(dockerfile)
    out: dict[str, Any] = {"context": context, "dockerfile": dockerfile}
    if build.get("target") is not None:
        out["target"] = str(build["target"])
    args = build.get("args")
    if isinstance(args, dict) and args:
        out["args"] = {str(k): scalar_text(v) for k, v in args.items()}
    for key in build:
        if key not in BUILD_KEYS:
            w.add("unmapped", f"image.build.{key}", "not in the build config")
    return out


def _size(w: Workload) -> tuple[int, int]:
    """(cpu, memory): the manifest's when Fargate runs it, else the cheapest size covering it."""
    cpu = w.doc.get("cpu", DEFAULT_SIZE[0])
    memory = w.doc.get("memory", DEFAULT_SIZE[1])
    if not (isinstance(cpu, int) and isinstance(memory, int)):
        w.add("unmapped", "cpu", f"{cpu!r}/{memory!r} are not numbers; sized 256/512")
        cpu, memory = DEFAULT_SIZE
    if is_fargate_pair(cpu, memory):
        return cpu, memory
    try:
        size = fargate_size(cpu, memory)
    except ValueError as exc:
        w.add("unmapped", "cpu", f"{exc}; sized 256/512")
        size = DEFAULT_SIZE
    w.add(
        "changed",
        "cpu",
        f"{cpu} cpu / {memory} MiB is not a Fargate size; the "
        f"cheapest one covering it is {size[0]} / {size[1]}",
    )
    return size


def _platform(w: Workload, platform: Any) -> str | None:
    if platform is None:
        return None
    if isinstance(platform, dict):
        platform = f"{platform.get('osfamily')}/{platform.get('architecture')}"
    text = str(platform).lower()
    if text in PLATFORM_ARCHITECTURES:
        return PLATFORM_ARCHITECTURES[text]
    w.add("unmapped", "platform", f"{platform}: {UNMAPPED['platform']}")
    return None
