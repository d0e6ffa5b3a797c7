"""What an offline plan is: the captured resources of one run and what the stack exported.

`Captured` is one resource as the engine received it (type, name, parent, inputs, options,
dependencies); `Plan` is a stack's run: its config, resources, outputs and, for a service
stack, the platform outputs its StackReference was answered with. offline/engine.py makes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from components.config import StackConfig


@dataclass
class Captured:
    """One registered resource, as the engine received it."""

    urn: str
    type: str
    name: str
    parent: str | None
    inputs: dict[str, Any]
    custom: bool
    dependencies: list[str]
    options: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "inputs": self.inputs,
            "custom": self.custom,
            "dependencies": self.dependencies,
            "options": self.options,
        }


@dataclass
class Plan:
    stack: str
    project: str
    region: str
    account: str
    source: str
    config: StackConfig
    resources: list[Captured]
    outputs: dict[str, Any]
    stack_urn: str = ""
    invokes: list[str] = field(default_factory=list)
    secret_outputs: list[str] = field(default_factory=list)  # exported keys Pulumi keeps secret
    # a service stack: the outputs its StackReference was answered with (the platform's)
    referenced: dict[str, Any] = field(default_factory=dict)

    def of_type(self, type_: str) -> list[Captured]:
        return [r for r in self.resources if r.type == type_]

    def named(self, name: str, type_: str | None = None) -> Captured:
        found = [r for r in self.resources if r.name == name and (type_ in (None, r.type))]
        if len(found) != 1:
            raise KeyError(f"{len(found)} resources named {name!r} ({type_ or 'any type'})")
        return found[0]

    def children(self, parent: Captured) -> list[Captured]:
        return [r for r in self.resources if r.parent == parent.urn]


def normalize(value: Any) -> Any:
    """Integral floats back to ints (the wire carries every number as a double)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    return value
