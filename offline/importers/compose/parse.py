"""Read a Compose file: check it is one, find its variables, and substitute them per service.

A value that needs a variable neither the `.env` file nor `--env-file` gives is kept as
`Unresolved` (it names the missing variables), so each mapping step can report it by key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..common import load_yaml
from ..findings import Kind, SourceError, StackImport
from .interpolation import interpolate, project_env


class Unresolved(str):
    """A value that needs a variable from the shell or .env file Compose would read."""

    missing: tuple[str, ...] = ()

    @classmethod
    def of(cls, text: str, missing: tuple[str, ...]) -> Unresolved:
        out = cls(text)
        out.missing = missing
        return out


@dataclass
class ComposeFile:
    """A parsed Compose file, its variables and the stack its import fills."""

    doc: dict[str, Any]
    base_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    stack: StackImport = field(default_factory=lambda: StackImport(config={}))

    @property
    def top_secrets(self) -> dict[str, Any]:
        return self.doc.get("secrets") or {}

    def add(self, kind: Kind, where: str, message: str) -> None:
        self.stack.add(kind, where, message)


def read_compose(path: Path, env_files: list[Path] | None) -> ComposeFile:
    """The Compose file at `path` with the variables Compose would read (SourceError if none)."""
    doc = load_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("services"), dict):
        raise SourceError(f"{path}: not a Compose file (no services: mapping)")
    if not doc["services"]:
        raise SourceError(f"{path}: no services to import")
    for env_file in env_files or []:
        if not env_file.is_file():
            raise SourceError(f"{env_file}: no such env file (--env-file)")
    env, note = project_env(path, env_files)
    source = ComposeFile(doc, path.parent, env)
    if note:
        source.stack.notes.append(note)
    return source


def interpolated(source: ComposeFile, where: str, body: dict[str, Any]) -> dict[str, Any]:
    """The service with variables substituted; values missing a variable are Unresolved."""
    defaulted: dict[str, list[str]] = {}

    def walk(value: Any, key: str) -> Any:
        if isinstance(value, dict):
            return {k: walk(v, key) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        if not isinstance(value, str):
            return value
        text, used, missing = interpolate(value, source.env)
        defaulted.setdefault(key, []).extend(u for u in used if u not in defaulted[key])
        return Unresolved.of(text, tuple(missing)) if missing else text

    body = {k: walk(v, str(k)) for k, v in body.items()}
    for key, names in defaulted.items():
        if names:
            listed = ", ".join(f"${{{n}}}" for n in names)
            source.add(
                "changed",
                f"{where}.{key}",
                f"used the default written in the file "
                f"for {listed} (Compose reads it from the shell or .env)",
            )
    return body


def unresolved(value: Any) -> bool:
    if isinstance(value, list):
        return any(isinstance(v, Unresolved) for v in value)
    return isinstance(value, Unresolved)


def pairs(value: Any) -> dict[str, Any]:
    """Compose's list (`A=b`, `A`) or mapping form of environment / args."""
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    out: dict[str, Any] = {}
    for item in value or []:
        key, sep, val = str(item).partition("=")
        if sep:
            out[key] = Unresolved.of(val, item.missing) if isinstance(item, Unresolved) else val
        else:
            out[key] = None
    return out
