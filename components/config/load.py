"""Loading a stack's config: raw key/value config (as Pulumi hands it over) -> `StackConfig`.

`load_stack_config()` is what `__main__.py` calls under `pulumi up`; it is the only reader of
`pulumi.Config`. `parse_stack_config()` is the same parser for the offline engine and the tests,
fed from the YAML files directly. Both merge project-level values from `Pulumi.yaml` under the
stack's values with the same rules (`deep_merge`), so they agree on the result. A problem
raises `ConfigError`; `exit_on_config_error` turns it into one line on stderr and exit code 2.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pydantic import ValidationError

from ..specs.common import PROJECT, suggest
from . import ownership
from .errors import ConfigError, describe
from .model import StackConfig
from .stack_kind_rules import check_keys

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
REGION_PATTERN = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")

# Top-level keys: `ecs-platform:<key>` -> StackConfig field alias.
TOP_LEVEL_KEYS = (
    "network",
    "cluster",
    "loadBalancers",
    "services",
    "scheduledTasks",
    "workers",
    "observability",
    "assumptions",
    "protection",
    "policyLevel",
    "images",
    "stackKind",
    "teams",
    "team",
    "platform",
)


def check_region(region: Any, source: str) -> str:
    """`aws:region` as given, or a ConfigError saying what a region looks like."""
    if not isinstance(region, str) or not REGION_PATTERN.match(region):
        raise ConfigError(
            source,
            "aws:region",
            f"{region!r} is not an AWS region like ap-northeast-2"
            if region is not None
            else "required: set aws:region (pulumi config set aws:region ap-northeast-2)",
        )
    return region


def deep_merge(base: Any, override: Any) -> Any:
    """Project-level value `base` under stack-level `override`.

    Rules: mappings merge key by key (recursively); any other value, lists included, replaces
    the base; a key set to null in the override removes that key from the result.
    """
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        merged = dict(base)
        for key, value in override.items():
            if value is None:
                merged.pop(key, None)
            elif key in merged:
                merged[key] = deep_merge(merged[key], value)
            else:
                merged[key] = _drop_nulls(value)
        return merged
    return _drop_nulls(override)


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    return value


def project_values(project_file: Path = PROJECT_DIR / "Pulumi.yaml") -> dict[str, Any]:
    """Project-level values (`default:` or `value:`) of our keys declared in Pulumi.yaml."""
    doc = yaml.safe_load(project_file.read_text()) or {}
    out: dict[str, Any] = {}
    for key, decl in (doc.get("config") or {}).items():
        short = key.split(":", 1)[1] if key.startswith(f"{PROJECT}:") else key
        if ":" in short or not isinstance(decl, Mapping):
            continue
        for field in ("value", "default"):
            if field in decl:
                out[short] = decl[field]
    return out


def parse_stack_config(
    raw: Mapping[str, Any],
    *,
    stack: str,
    source: str,
    project_defaults: Mapping[str, Any] | None = None,
    project_dir: Path | None = None,
    resolve_platform: bool = True,
) -> StackConfig:
    """Validate flattened config (`{"ecs-platform:network": {...}, "aws:region": ...}`).

    Values may be JSON strings (as `pulumi.Config` stores objects) or decoded values. A service
    stack is then completed from its platform and checked against it and its sibling stacks
    (ownership.py), reading their stack files from `project_dir` (default: the repository);
    `resolve_platform=False` skips that (how the siblings themselves are read).
    """
    defaults = project_values() if project_defaults is None else project_defaults
    values: dict[str, Any] = {}
    for full_key, value in raw.items():
        namespace, _, key = full_key.partition(":")
        if namespace != PROJECT:
            continue
        if key not in TOP_LEVEL_KEYS:
            raise ConfigError(
                source,
                key,
                f"unknown key ecs-platform:{key}{suggest(key, TOP_LEVEL_KEYS)}; "
                f"known: {', '.join(TOP_LEVEL_KEYS)}",
            )
        values[key] = _decode(value)
    for key in TOP_LEVEL_KEYS:
        if key in defaults:
            values[key] = deep_merge(defaults[key], values.get(key, defaults[key]))
    check_keys(values, source)
    region = check_region(_decode(raw.get("aws:region")), source)
    try:
        config = StackConfig.model_validate({**values, "region": region, "stack": stack})
    except ValidationError as exc:
        path, message = describe(exc, StackConfig)
        raise ConfigError(source, path, message) from None
    if config.stack_kind != "service" or not resolve_platform:
        return config

    def parse(raw: Mapping[str, Any], name: str, file: str) -> StackConfig:
        return parse_stack_config(
            raw, stack=name, source=file, project_defaults=defaults, resolve_platform=False
        )

    return ownership.resolve(config, project_dir or PROJECT_DIR, source, parse)


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def load_stack_config() -> StackConfig:
    """The running stack's config, read through Pulumi (under `pulumi up` or the mock engine)."""
    from pulumi.runtime.config import CONFIG, get_config_env

    raw = {**get_config_env(), **CONFIG.get()}
    stack = pulumi.get_stack()
    project_dir = project_directory()
    try:
        return parse_stack_config(
            raw, stack=stack, source=f"Pulumi.{stack}.yaml", project_dir=project_dir
        )
    except ConfigError as exc:  # point at the key's line when the stack file is here
        from ..stack_yaml import locate_in_file

        raise locate_in_file(exc, project_dir / f"Pulumi.{stack}.yaml") from None


def project_directory() -> Path:
    """Where Pulumi.yaml and the stack files are: Pulumi's root directory (under `pulumi up`
    in examples/platform-teams, that folder), else the repository."""
    root = pulumi.get_root_directory()
    return Path(root) if root else PROJECT_DIR


@contextmanager
def exit_on_config_error() -> Iterator[None]:
    """Print a ConfigError as one line on stderr and exit 2 (no traceback)."""
    try:
        yield
    except ConfigError as exc:
        sys.stderr.write(f"{exc}\n")
        sys.stderr.flush()
        raise SystemExit(2) from None
