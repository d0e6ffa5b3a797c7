"""Config errors and their text: `ConfigError`, and pydantic's errors as one teaching line.

`describe(exc, model)` turns the first error of a pydantic `ValidationError` into a key path and
a message: `("services.web.cpu", "300 is not a Fargate CPU size; ...")`. The message names the
bad value and what is allowed: the model's keys for an unknown one ("did you mean"), the number
without quotes for a quoted one, the rule behind a name pattern. `ConfigError` carries it with
the file it came from, on one line.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Mapping
from typing import Any, Union

import pulumi
from pydantic import BaseModel, ValidationError

from ..specs.common import NAME_PATTERN, SpecError, suggest
from ..specs.container import CONTAINER_NAME_PATTERN, ENV_NAME_PATTERN


class ConfigError(pulumi.RunError):
    """A stack config problem: where (file and key path) and what is allowed instead.

    A RunError, so `pulumi up` shows the message without a traceback when a component finds
    a problem only a lookup reveals (e.g. more AZs than the region has).
    """

    def __init__(self, source: str, path: str, message: str) -> None:
        message = _one_line(message)
        path = _one_line(path)
        self.source, self.path, self.message = source, path, message
        super().__init__(f"{source}: {path}: {message}" if path else f"{source}: {message}")


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


# pydantic error type -> message; fields: the bad `value`, pydantic's `msg` (lower case) and the
# error's context (`expected`, `ge`, `le`, ...).
KIND_MESSAGES: dict[str, str] = {
    "missing": "required key is missing",
    "literal_error": "{value!r} is not allowed; use one of {expected}",
    "int_type": "{value!r} is not a whole number",
    "int_parsing": "{value!r} is not a whole number",
    "int_from_float": "{value!r} is not a whole number",
    "bool_type": "{value!r} is not true or false",
    "bool_parsing": "{value!r} is not true or false",
    "string_type": "{value!r} is not a string",
    "dict_type": "expected a mapping of keys to values, got {value!r}",
    "model_type": "expected a mapping of keys to values, got {value!r}",
    "model_attributes_type": "expected a mapping of keys to values, got {value!r}",
    "list_type": "expected a list, got {value!r}",
    "tuple_type": "expected a list, got {value!r}",
    "greater_than_equal": "{value} is below the minimum {ge}",
    "less_than_equal": "{value} is above the maximum {le}",
    "too_short": "{value!r}: {msg}",
    "too_long": "{value!r}: {msg}",
    "string_too_short": "{value!r}: {msg}",
    "string_too_long": "{value!r}: {msg}",
}

# String pattern -> what a value matching it is, for "'X' is not a valid <what>".
PATTERN_MEANINGS: dict[str, str] = {
    NAME_PATTERN: "name: 1 to 24 lowercase letters, digits and hyphens, starting with a letter "
    "(it becomes part of AWS resource names)",
    ENV_NAME_PATTERN: "environment variable name: letters, digits and underscores, not starting "
    "with a digit",
    CONTAINER_NAME_PATTERN: "container name: 1 to 255 letters, digits, underscores and hyphens "
    "(AWS RegisterTaskDefinition)",
}


class _Fields(dict[str, Any]):
    """Template fields; one the error does not carry reads as None."""

    def __missing__(self, key: str) -> None:
        return None


def describe(exc: ValidationError, model: type[BaseModel]) -> tuple[str, str]:
    """(key path, message) of the first error in `exc`, raised validating `model`."""
    err = exc.errors(include_url=False)[0]
    loc: list[str | int] = list(err["loc"])
    original = (err.get("ctx") or {}).get("error")
    if isinstance(original, SpecError):
        return _render(loc + list(original.field)), original.message
    return _render(loc), _message(err, model, loc)


def _message(err: Any, model: type[BaseModel], loc: list[str | int]) -> str:
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "value_error":
        original = ctx.get("error")
        return str(original) if original is not None else err["msg"]
    if kind == "extra_forbidden":
        allowed = allowed_keys(model, loc[:-1])
        message = f"unknown key{suggest(str(loc[-1]), allowed)}"
        return f"{message}; allowed: {', '.join(allowed)}" if allowed else message
    if kind == "int_type" and isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return f"{value!r} is a string (quoted); write the number without quotes: {int(value)}"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern"))
        meaning = PATTERN_MEANINGS.get(pattern, f"value (must match {pattern})")
        return f"{value!r} is not a valid {meaning}"
    template = KIND_MESSAGES.get(kind)
    if template is None:
        return err["msg"]
    return template.format_map(_Fields(ctx, value=value, msg=err["msg"].lower()))


def _render(loc: list[str | int]) -> str:
    out = ""
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z0-9_:@/-]+", part):
            out += ("." if out else "") + part
        else:
            out += f"[{part!r}]"  # keys with dots, spaces or control characters
    return out


def allowed_keys(model: type[BaseModel], loc: list[str | int]) -> list[str]:
    """Aliases accepted by the model found at `loc` below `model` (for 'did you mean')."""
    current: Any = model
    for part in loc:
        current = _strip_optional(current)
        origin = typing.get_origin(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = next(
                (f for n, f in current.model_fields.items() if (f.alias or n) == part), None
            )
            if field is None:
                return []
            current = field.annotation
        elif origin in (dict, Mapping):
            current = typing.get_args(current)[1]
        elif origin in (list, tuple):
            current = typing.get_args(current)[0]
        else:
            return []
    current = _strip_optional(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return sorted(f.alias or n for n, f in current.model_fields.items() if not f.exclude)
    return []


def _strip_optional(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _strip_optional(args[0])
    return annotation
