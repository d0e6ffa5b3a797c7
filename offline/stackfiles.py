"""Read Pulumi.yaml and Pulumi.<stack>.yaml the way the Pulumi CLI does, without the CLI.

The CLI hands the program one flat map of `namespace:key` -> value: the stack file's `config:`
plus, for keys the stack does not set, the `default:`/`value:` declared in Pulumi.yaml. It
refuses a stack that lacks a declared key with no default, and a value whose type does not
match the declaration. This module does the same, so the offline plan sees exactly what
`pulumi up` would pass to `__main__.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from components.config import (
    PROJECT,
    PROJECT_DIR,
    ConfigError,
    StackConfig,
    parse_stack_config,
    project_values,
)

_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "integer": int}


@dataclass(frozen=True)
class StackFile:
    source: str  # file name used in messages
    values: dict[str, Any]  # flat config as the CLI would pass it
    config: StackConfig


def stack_path(stack: str) -> Path:
    return PROJECT_DIR / f"Pulumi.{stack}.yaml"


def read_config_mapping(path: Path) -> dict[str, Any]:
    """The `config:` mapping of a stack file, with `secure:` values replaced by a marker."""
    source = path.name
    try:
        # libyaml's loader when present: same SafeLoader rules, a tenth of the time on big stacks
        doc = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except FileNotFoundError:
        raise ConfigError(source, "", f"no such stack file: {path}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "?"
        raise ConfigError(source, "", f"not valid YAML ({where}: {exc})") from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict) or not isinstance(doc.get("config", {}), dict):
        raise ConfigError(source, "config", "a stack file is a mapping with a config: mapping")
    out: dict[str, Any] = {}
    for key, value in (doc.get("config") or {}).items():
        key = str(key)
        if ":" not in key:
            key = f"{PROJECT}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            value = "[secret]"
        out[key] = value
    return out


def apply_project_config(values: dict[str, Any], stack: str, source: str) -> dict[str, Any]:
    """Fill declared defaults and enforce declared types, as the Pulumi CLI does."""
    doc = yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text()) or {}
    merged = dict(values)
    for key, decl in (doc.get("config") or {}).items():
        full = key if ":" in key else f"{PROJECT}:{key}"
        if not isinstance(decl, dict):
            merged.setdefault(full, decl)
            continue
        if full not in merged:
            for field in ("value", "default"):
                if field in decl:
                    merged[full] = decl[field]
                    break
            else:
                raise ConfigError(
                    source,
                    key,
                    f"Stack '{stack}' is missing configuration value '{key}' (declared in "
                    "Pulumi.yaml without a default)",
                )
        expected = _TYPES.get(decl.get("type", ""))
        value = merged[full]
        if expected is not None and not isinstance(value, expected):
            raise ConfigError(
                source, key, f"expected {decl['type']} (declared in Pulumi.yaml), got {value!r}"
            )
    return merged


def load_stack(stack: str, config_file: Path | None = None) -> StackFile:
    path = config_file or stack_path(stack)
    source = path.name if config_file is None else str(config_file)
    values = apply_project_config(read_config_mapping(path), stack, source)
    config = parse_stack_config(
        values, stack=stack, source=source, project_defaults=project_values()
    )
    return StackFile(source=source, values=values, config=config)
