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

from components import stack_yaml
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


def stack_path(stack: str, project_dir: Path | None = None) -> Path:
    return (project_dir or PROJECT_DIR) / f"Pulumi.{stack}.yaml"


def read_config_mapping(path: Path, source: str | None = None) -> dict[str, Any]:
    """The `config:` mapping of a stack file, with `secure:` values replaced by a marker."""
    return read_stack_file(path, source)[0]


def read_stack_file(
    path: Path, source: str | None = None
) -> tuple[dict[str, Any], stack_yaml.Lines]:
    """(`config:` mapping, line of each key); duplicate keys and YAML errors are ConfigErrors."""
    source = source or path.name
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ConfigError(source, "", f"no such stack file: {path}") from None
    doc, lines = stack_yaml.load(text, source)
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
    return out, lines


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


def project_folder(config_file: Path | None, project_dir: Path | None) -> Path:
    """The project directory: `project_dir`, else the folder of `config_file`, else this
    repository (where a service stack's platform and sibling stack files are read)."""
    return project_dir or (config_file.resolve().parent if config_file else PROJECT_DIR)


def load_stack(
    stack: str, config_file: Path | None = None, project_dir: Path | None = None
) -> StackFile:
    """Stack `stack` of the project in `project_dir` (default: the repository), or the file
    `config_file`. A service stack's platform and sibling stacks are read from `project_dir`
    (or, for `config_file`, from the file's own folder)."""
    path = config_file or stack_path(stack, project_dir)
    source = path.name if config_file is None else str(config_file)
    raw, lines = read_stack_file(path, source)
    folder = project_folder(config_file, project_dir)
    try:
        values = apply_project_config(raw, stack, source)
        config = parse_stack_config(
            values,
            stack=stack,
            source=source,
            project_defaults=project_values(),
            project_dir=folder,
        )
    except ConfigError as exc:
        raise stack_yaml.located(exc, lines) from None
    return StackFile(source=source, values=values, config=config)
