"""Compose `image`, `build` and `platform` -> the service's image or build, and its architecture."""

from __future__ import annotations

from typing import Any

from ..findings import Add
from .parse import Unresolved, pairs, unresolved
from .report import missing
from .tables import BUILD_KEYS, PLATFORM_ARCHITECTURES


def image_or_build(add: Add, where: str, body: dict[str, Any]) -> dict[str, Any] | None:
    """{"image": ...} or {"build": ...}; None when the service cannot run (it is skipped)."""
    image, build = body.get("image"), body.get("build")
    if build is not None:
        spec = _build(add, f"{where}.build", build)
        if spec is None:
            return None
        if image is not None:
            add(
                "changed",
                f"{where}.image",
                f"{image} is the tag Compose gives the "
                "image it builds; the build is imported (push the image to ECR from CI)",
            )
        return {"build": spec}
    if image is None:
        add("unmapped", where, "has neither image nor build; skipped")
        return None
    if unresolved(image):
        missing(add, f"{where}.image", image, "service skipped")
        return None
    return {"image": str(image)}


def _build(add: Add, where: str, build: Any) -> dict[str, Any] | None:
    if isinstance(build, str):
        build = {"context": build}
    if not isinstance(build, dict):
        add("unmapped", where, f"{build!r} is not a build context; service skipped")
        return None
    unknown = [build.get(k) for k in ("context", "dockerfile") if unresolved(build.get(k))]
    if unknown:
        names = tuple(dict.fromkeys(n for v in unknown for n in getattr(v, "missing", ())))
        missing(add, where, Unresolved.of("", names), "service skipped")
        return None
    spec: dict[str, Any] = {
        "context": str(build.get("context", ".")),
        "dockerfile": str(build.get("dockerfile", "Dockerfile")),
    }
    if build.get("target") is not None:
        spec["target"] = str(build["target"])
    args = build.get("args")
    if args:
        kept = _build_args(add, where, pairs(args))
        if kept:
            spec["args"] = kept
    for key in build:
        if key not in BUILD_KEYS:
            add(
                "unmapped",
                f"{where}.{key}",
                "not in the build spec (context, dockerfile, target, args)",
            )
    return spec


def _build_args(add: Add, where: str, args: dict[str, Any]) -> dict[str, Any]:
    """The build args with a value; the others are reported by name."""
    kept = {k: v for k, v in args.items() if v is not None and not unresolved(v)}
    for k in args:
        if k in kept:
            continue
        if unresolved(args[k]):
            missing(add, f"{where}.args.{k}", args[k])
        else:
            add(
                "input",
                f"{where}.args.{k}",
                "takes its value from the shell running Compose; set it in build.args",
            )
    return kept


def platform(add: Add, where: str, value: Any) -> str | None:
    """cpuArchitecture of a Compose platform (None: the default)."""
    if value is None:
        return None
    if str(value) in PLATFORM_ARCHITECTURES:
        return PLATFORM_ARCHITECTURES[str(value)]
    add("unmapped", f"{where}.platform", f"{value}: Fargate runs linux/amd64 or linux/arm64")
    return None
