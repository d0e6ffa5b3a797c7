"""What the mapping steps share: one environment's stack, findings and load balancers, and one
workload's manifest as deployed there (findings name the key where it is written)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..common import resource_key
from ..findings import Kind, StackImport
from .parse import Manifest, for_environment


class Environment:
    """One Copilot environment: the stack config being built and what it holds so far."""

    def __init__(self, name: str, region: str | None, account: str | None) -> None:
        self.name = name
        self.region = region
        self.account = account
        self.stack = StackImport(config={})
        self.load_balancers: dict[str, dict[str, Any]] = {}
        self.certificates: dict[str, str] = {}  # "public" / "private" -> ACM ARN

    def add(self, kind: Kind, where: str, message: str, source: str = "") -> None:
        self.stack.add(kind, where, message, source)


class Workload:
    """One workload manifest merged with its override for the environment."""

    def __init__(self, env: Environment, manifest: Manifest) -> None:
        self.env = env
        self.src = manifest.path
        self.doc, self.override = for_environment(manifest, env.name)
        name = str(self.doc.get("name") or Path(manifest.path).parent.name)
        self.key = resource_key(name)
        if self.key != name:
            self.add(
                "changed",
                "name",
                f"{name} is named {self.key} (names here are 1-24 "
                "lowercase letters, digits and hyphens)",
            )

    def where(self, path: str) -> str:
        """The key's path as written: under environments.<env> when the override sets it."""
        node: Any = self.override
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                return path
            node = node[part]
        return f"environments.{self.env.name}.{path}"

    def add(self, kind: Kind, path: str, message: str) -> None:
        self.env.add(kind, self.where(path), message, self.src)
