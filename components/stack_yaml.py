"""Stack files as YAML: loaded at libyaml's speed, with the line of every key and no duplicates.

`load(text, source)` returns the document and a `Lines` index (key path -> 1-based line). A key
given twice in one mapping, at any depth (a second `api:` under `services`), is a `ConfigError`
naming the file, the line of the second one and the key, as the Pulumi CLI's own YAML reader
refuses it too. A YAML syntax error is one line: `file:line:column: not valid YAML: problem`.

`Lines.find("services.web.cpu")` turns the key path of a config error back into the line of the
deepest key the file spells (the line of `web:` when `cpu` is missing), so an error can say where
to look.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from .config import PROJECT, ConfigError

# libyaml's parser when present (a tenth of the pure-Python time on big stacks); the constructor
# and our walk over the node tree are Python either way.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE = "tag:yaml.org,2002:merge"

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Lines:
    """1-based line of each key path; paths below `config:` start with the full key."""

    by_path: dict[Path, int] = field(default_factory=dict)

    def of(self, *path: str | int) -> int | None:
        return self.by_path.get(path)

    def find(self, rendered: str) -> int | None:
        """Line of the deepest key of `rendered` (a config error's path, `services.web.cpu`,
        `services.web.sidecars['log.router']`, `aws:region`) that the file spells."""
        parts = list(_split(rendered))
        if not parts:
            return None
        head = str(parts[0])
        heads = [head] if ":" in head else [f"{PROJECT}:{head}", head]
        for first in heads:
            path: Path = ("config", first, *parts[1:])
            while len(path) > 1:
                if path in self.by_path:
                    return self.by_path[path]
                path = path[:-1]
        return None


def located(exc: ConfigError, lines: Lines) -> ConfigError:
    """The same error with the line of its key in the file (`file:line: key: message`)."""
    line = lines.find(exc.path) if exc.path else None
    if line is None or re.search(r":\d+$", exc.source):
        return exc
    return ConfigError(f"{exc.source}:{line}", exc.path, exc.message)


def locate_in_file(exc: ConfigError, path: Any) -> ConfigError:
    """`located()` with the lines of the stack file at `path`, when it exists and parses."""
    try:
        _, lines = load(path.read_text(), exc.source)
    except (OSError, ConfigError):
        return exc
    return located(exc, lines)


def _split(rendered: str) -> Iterator[str | int]:
    for m in re.finditer(r"\[(\d+)\]|\[(['\"])(.*?)\2\]|([^.\[\]]+)", rendered):
        if m.group(1) is not None:
            yield int(m.group(1))
        elif m.group(3) is not None:
            yield m.group(3)
        else:
            yield m.group(4)


def load(text: str, source: str) -> tuple[Any, Lines]:
    """(document, key lines) of a YAML text; ConfigError on a syntax error or a duplicate key."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, Lines()
        lines: dict[Path, int] = {}
        index_keys(node, (), lines, source)
        return loader.construct_document(node), Lines(lines)
    except yaml.MarkedYAMLError as exc:
        raise syntax_error(source, exc) from None
    except yaml.YAMLError as exc:
        raise ConfigError(source, "", f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()


def syntax_error(source: str, exc: yaml.MarkedYAMLError) -> ConfigError:
    """`file:line:column: not valid YAML: <problem> (<context>)` on one line."""
    mark = exc.problem_mark or exc.context_mark
    where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark is not None else source
    problem = exc.problem or "syntax error"
    context = f" ({exc.context})" if exc.context else ""
    return ConfigError(where, "", f"not valid YAML: {problem}{context}")


def index_keys(node: yaml.Node, path: Path, lines: dict[Path, int], source: str) -> None:
    """Record the line of every key below `node` into `lines`; a duplicate key raises
    ConfigError (`path[0]` is a root label left out of the key path in the message)."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                continue
            key = _key(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                name = ".".join(str(p) for p in (*path[1:], key_node.value))
                name = name.removeprefix(f"{PROJECT}:")
                raise ConfigError(
                    f"{source}:{line}",
                    name,
                    f"duplicate key (first at line {seen[key]}); a YAML mapping holds each key "
                    "once, and the later value would silently replace the earlier one",
                )
            seen[key] = line
            child = (*path, str(key_node.value))
            lines[child] = line
            index_keys(value_node, child, lines, source)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[(*path, i)] = item.start_mark.line + 1
            index_keys(item, (*path, i), lines, source)


def _key(node: yaml.Node) -> Any:
    """A comparable identity for a mapping key (scalars by tag and text, others by shape)."""
    if isinstance(node, yaml.ScalarNode):
        return (node.tag, node.value)
    return (node.tag, repr(yaml.serialize(node)))
