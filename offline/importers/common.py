"""Helpers shared by the importers: a YAML 1.2 loader, durations, names, sizes, commands."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import yaml

from components.concepts import secrets
from components.config import ConfigError
from components.specs.common import NAME_PATTERN
from components.specs.container import ENV_NAME_PATTERN
from components.specs.fargate import FARGATE_SIZES, smallest_fit
from components.stack_yaml import index_keys

from .findings import SourceError


class Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema scalars, as Compose and Copilot (go-yaml v3) read them.

    PyYAML follows YAML 1.1: `on`/`no` become booleans (Copilot's `on:` schedule key, an env
    value `on`) and `22:22` becomes the integer 1342. Here only true/false are booleans and only
    plain decimal, 0o and 0x numbers are numbers.
    """


_YAML11_TAGS = {
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
}
Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _YAML11_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    if text.startswith("0o"):
        return int(text[2:], 8)
    return int(text, 0) if text.startswith("0x") else int(text, 10)


Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def load_yaml(path: Path) -> Any:
    """Parse a YAML file the way Compose and Copilot do; unreadable input is a SourceError."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise SourceError(f"{path}: not UTF-8 text") from None
    loader = Yaml12Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        # Compose and Copilot refuse a key given twice; a silent last-one-wins would hide it.
        index_keys(node, ("",), {}, str(path))
        return loader.construct_document(node)
    except ConfigError as exc:
        raise SourceError(str(exc)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "?"
        problem = getattr(exc, "problem", None) or str(exc)
        raise SourceError(f"{path}: not valid YAML ({where}: {problem})") from None
    finally:
        loader.dispose()


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)")
_UNIT_SECONDS = {
    "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600, "d": 86400,
}  # fmt: skip


def duration_seconds(value: Any) -> float | None:
    """Go/Compose duration (`1m30s`, `10s`, `96h`, `500ms`) in seconds; None if not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    pos, total = 0, 0.0
    for m in _DURATION_PART.finditer(text):
        if m.start() != pos:
            return None
        total += float(m.group(1)) * _UNIT_SECONDS[m.group(2)]
        pos = m.end()
    return total if pos == len(text) else None


def resource_key(name: str) -> str:
    """A source name as one of our resource keys (lowercase, hyphens, at most 24 characters)."""
    key = re.sub(r"[^a-z0-9-]+", "-", name.lower())
    key = re.sub(r"-{2,}", "-", key).strip("-")
    if not key or not key[0].isalpha():
        key = f"s-{key}".rstrip("-")
    key = key[:24].rstrip("-")
    assert re.match(NAME_PATTERN, key), key
    return key


def unique_keys(names: list[str]) -> dict[str, str]:
    """Source name -> resource key, unique: a clash gets -2, -3 ... appended."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        key = resource_key(name)
        candidate, n = key, 2
        while candidate in taken:
            suffix = f"-{n}"
            candidate = key[: 24 - len(suffix)].rstrip("-") + suffix
            n += 1
        taken.add(candidate)
        out[name] = candidate
    return out


def valid_env_name(name: str) -> bool:
    return re.match(ENV_NAME_PATTERN, name) is not None


def secret_reason(name: str, value: str) -> str | None:
    """Why an environment value looks like a secret, or None (the config check's and the
    policy's own definition: components.concepts.secrets)."""
    return secrets.secret_reason(name, value)


def command_list(value: Any) -> list[str] | None:
    """Compose/Copilot command or entrypoint (string in shell words, or a list) as a list."""
    if value is None:
        return None
    if isinstance(value, list):
        return [scalar_text(v) for v in value]
    if isinstance(value, str):
        try:
            return shlex.split(value)
        except ValueError:
            return value.split()
    return [scalar_text(value)]


def scalar_text(value: Any) -> str:
    """A YAML scalar as the string a container sees (true -> "true", 1.0 -> "1.0")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def fargate_size(cpu_units: int, memory_mib: int) -> tuple[int, int]:
    """The cheapest Fargate (cpu, memory) that gives at least this much of both."""
    return smallest_fit(max(cpu_units, 0), max(memory_mib, 0))


def is_fargate_pair(cpu: int, memory: int) -> bool:
    return memory in FARGATE_SIZES.get(cpu, ())
