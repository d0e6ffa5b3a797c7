"""What an importer returns: stack configs plus findings about what did not map cleanly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["unmapped", "input", "changed"]
# How a mapping step reports a finding: add(kind, where, message).
Add = Callable[[Kind, str, str], None]

KIND_TITLES: dict[Kind, str] = {
    "unmapped": "Not mapped",
    "input": "Needs your input",
    "changed": "Mapped with a change",
}


class SourceError(Exception):
    """The input cannot be read at all (not YAML, not a Compose file, no manifests)."""


@dataclass(frozen=True)
class Finding:
    """One feature of the source that is not in the output as written there.

    `where` is the key path in the source file (`services.db.volumes`,
    `environments.prod.http.alias`), `source` the file when an import reads several.
    """

    kind: Kind
    where: str
    message: str
    source: str = ""

    def line(self) -> str:
        prefix = f"{self.source}: " if self.source else ""
        return f"{prefix}{self.where}: {self.message}"


@dataclass
class StackImport:
    """One stack's config (`ecs-platform:<key>` and `aws:*` keys) and its findings."""

    config: dict[str, Any]
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, kind: Kind, where: str, message: str, source: str = "") -> None:
        finding = Finding(kind, where, message, source)
        if finding not in self.findings:
            self.findings.append(finding)


@dataclass
class ImportResult:
    """Stacks by name. A Compose import has one stack; a Copilot import one per environment."""

    tool: str
    source: str
    stacks: dict[str, StackImport]
