"""Generate docs/config-reference.md from the StackConfig models (kept in sync by a test)."""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, Union

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from components.config import PROJECT, PROJECT_DIR, StackConfig

DOCS_PATH = PROJECT_DIR / "docs" / "config-reference.md"


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (Union, types.UnionType):
        names = [_type_name(a) for a in args if a is not type(None)]
        return " \\| ".join(names)
    if origin is Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"map of name → {_type_name(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    return getattr(annotation, "__name__", str(annotation))


def _default(field: Any) -> str:
    if field.default_factory is not None:
        value = field.default_factory()
        if isinstance(value, BaseModel):
            return "defaults"
        return f"`{value!r}`" if value not in ({}, []) else "empty"
    if field.default is PydanticUndefined:
        return "**required**"
    if field.default is None:
        return "unset"
    return f"`{field.default!r}`"


def _models(model: type[BaseModel], seen: dict[str, type[BaseModel]]) -> None:
    for field in model.model_fields.values():
        stack = [field.annotation]
        while stack:
            ann = stack.pop()
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                if ann.__name__ not in seen:
                    seen[ann.__name__] = ann
                    _models(ann, seen)
            else:
                stack.extend(typing.get_args(ann))


def reference() -> str:
    out = [
        "# Stack config reference",
        "",
        "Generated from `components/specs/` by `python -m offline schema`; do not edit by hand.",
        f"Keys live under `{PROJECT}:` in `Pulumi.<stack>.yaml` (and as project-level defaults in",
        "`Pulumi.yaml`, merged under the stack's values: maps merge key by key, lists replace,",
        "`null` removes). Rules across keys (Fargate cpu/memory pairs, CIDR overlaps, listener",
        "rule priorities, egress for private tasks) are listed in the README.",
        "",
        "## Top-level keys",
        "",
        "| key | type | default | description |",
        "|---|---|---|---|",
    ]
    for name, field in StackConfig.model_fields.items():
        if field.exclude:
            continue
        key = f"`{PROJECT}:{field.alias or name}`"
        out.append(
            f"| {key} | {_type_name(field.annotation)} | {_default(field)} | "
            f"{field.description or ''} |"
        )
    seen: dict[str, type[BaseModel]] = {}
    _models(StackConfig, seen)
    for model_name, model in seen.items():
        doc = next(iter((model.__doc__ or "").strip().splitlines()), "")
        out += ["", f"## {model_name}", "", doc, "", "| key | type | default | description |",
                "|---|---|---|---|"]  # fmt: skip
        for name, field in model.model_fields.items():
            if field.exclude:
                continue
            description = (field.description or "").replace("|", "\\|")
            out.append(
                f"| `{field.alias or name}` | {_type_name(field.annotation)} | "
                f"{_default(field)} | {description} |"
            )
    return "\n".join(out) + "\n"
