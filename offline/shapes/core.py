"""The walker: a value against a botocore shape (unknown or missing members, types, enums,
lengths, ranges, patterns), and the helpers the per-service tables are written with."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from .. import shape_models

# botocore ships no type hints; its Shape objects are handled as Any here.
Shape = Any


def shape(service: str, name: str) -> Shape:
    return shape_models.shape(service, name)  # botocore's shape, from a small cache


def validate(value: Any, shp: Shape, path: str) -> list[str]:
    """Mismatches between `value` and the botocore shape, each prefixed with its path."""
    kind = shp.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected an object for {shp.name}, got {value!r}"]
        errors = []
        for key in shp.required_members:
            if key not in value:
                errors.append(f"{path}: missing required member {key}")
        for key, item in value.items():
            member = shp.members.get(key)
            if member is None:
                errors.append(f"{path}: unknown member {key!r} of {shp.name}")
            elif item is not None:
                errors += validate(item, member, f"{path}.{key}")
        return errors
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {value!r}"]
        errors = _length(len(value), shp, path)
        for i, item in enumerate(value):
            errors += validate(item, shp.member, f"{path}[{i}]")
        return errors
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected a map, got {value!r}"]
        return [e for k, v in value.items() for e in validate(v, shp.value, f"{path}.{k}")]
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected a string, got {value!r}"]
        if shp.enum and value not in shp.enum:
            shown = ", ".join(shp.enum[:12]) + (", ..." if len(shp.enum) > 12 else "")
            return [f"{path}: {value!r} is not one of {shown} ({shp.name})"]
        return _length(len(value), shp, path) + _pattern(value, shp, path)
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            return [f"{path}: expected an integer, got {value!r}"]
        return _range(value, shp, path)
    if kind in ("double", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return [f"{path}: expected a number, got {value!r}"]
        return _range(value, shp, path)
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected true/false, got {value!r}"]
    return []


def _length(n: int, shp: Shape, path: str) -> list[str]:
    lo, hi = shp.metadata.get("min"), shp.metadata.get("max")
    if lo is not None and n < lo:
        return [f"{path}: length {n} is below the minimum {lo} ({shp.name})"]
    if hi is not None and n > hi:
        return [f"{path}: length {n} is above the maximum {hi} ({shp.name})"]
    return []


@cache
def _compiled(pattern: str) -> re.Pattern[str] | None:
    """A botocore (Java) pattern in Python's dialect; None where the dialects differ
    (\\p{...} classes, surrogate pairs), which are then not checked."""
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _pattern(value: str, shp: Shape, path: str) -> list[str]:
    pattern = shp.metadata.get("pattern")
    compiled = _compiled(pattern) if pattern else None
    if compiled is None or compiled.fullmatch(value):
        return []
    return [f"{path}: {value!r} does not match {pattern} ({shp.name})"]


def _range(v: float, shp: Shape, path: str) -> list[str]:
    lo, hi = shp.metadata.get("min"), shp.metadata.get("max")
    if lo is not None and v < lo:
        return [f"{path}: {v} is below the minimum {lo} ({shp.name})"]
    if hi is not None and v > hi:
        return [f"{path}: {v} is above the maximum {hi} ({shp.name})"]
    return []


def values_at(obj: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Values at a dotted path where `[]` walks every list item: `a[].b` -> ('a[0].b', v)."""
    parts = path.split(".")

    def walk(node: Any, i: int, where: str) -> Iterator[tuple[str, Any]]:
        if node is None:
            return
        if i == len(parts):
            yield where, node
            return
        part = parts[i]
        many = part.endswith("[]")
        key = part[:-2] if many else part
        if not isinstance(node, dict) or key not in node or node[key] is None:
            return
        child = node[key]
        here = f"{where}.{key}" if where else key
        if many:
            for j, item in enumerate(child if isinstance(child, list) else []):
                yield from walk(item, i + 1, f"{here}[{j}]")
        else:
            yield from walk(child, i + 1, here)

    yield from walk(obj, 0, "")


Check = tuple[str, Callable[[Any, str], list[str]]]


def api(service: str, shape_name: str) -> Callable[[Any, str], list[str]]:
    return lambda value, where: validate(value, shape(service, shape_name), where)


def between(low: int, high: int, what: str) -> Callable[[Any, str], list[str]]:
    """A whole number in a documented range, for values AWS takes as strings (load balancer,
    target group and SQS attributes), whose shapes carry no range."""

    def check(value: Any, where: str) -> list[str]:
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return []
        return [f"{where}: {what} must be {low}..{high}, got {value!r}"]

    return check


def run_checks(checks: list[Check], type_: str, inputs: dict[str, Any], name: str) -> list[str]:
    errors: list[str] = []
    for path, check in checks:
        for where, value in values_at(inputs, path):
            errors += [f"{name} ({type_}): {e}" for e in check(value, where)]
    return errors
