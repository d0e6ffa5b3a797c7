"""What an apply-time rule is, what it reports, and how a plan is checked against the table."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from .graph import Graph, Node


@dataclass(frozen=True)
class Violation:
    """One resource breaking one rule: what AWS would do, and the page that says so."""

    rule: str
    urn: str | None
    resource: str
    message: str
    url: str

    def line(self) -> str:
        return f"{self.rule}: {self.resource}: {self.message} ({self.url})"


@dataclass(frozen=True)
class AwsRule:
    """A cross-resource rule AWS enforces at apply time (or a mistake AWS accepts silently).

    `check` yields (node, message) pairs. `pack`: the policy pack registers it too (rules that
    need stack outputs, which a preview does not have, run offline only).
    """

    id: str
    title: str
    url: str
    reason: str
    check: Callable[[Graph], Iterable[tuple[Node | None, str]]]
    pack: bool = True

    def run(self, graph: Graph) -> list[Violation]:
        return [
            Violation(
                self.id,
                node.urn if node is not None else None,
                node.name if node is not None else "(stack)",
                message,
                self.url,
            )
            for node, message in self.check(graph)
        ]


@dataclass
class CheckReport:
    """The `checks` section of a plan: the rules run and what they found."""

    rules: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "rules": len(self.rules),
            "violations": [asdict(v) for v in self.violations],
        }

    def render(self) -> list[str]:
        lines = [
            f"Apply-time AWS rules ({len(self.rules)} checked): {len(self.violations)} violation(s)"
        ]
        lines += [f"  [apply-time] {v.line()}" for v in self.violations]
        return lines


def run(rules: Iterable[AwsRule], graph: Graph) -> CheckReport:
    report = CheckReport()
    for rule in rules:
        report.rules.append(rule.id)
        report.violations += rule.run(graph)
    report.violations.sort(key=lambda v: (v.rule, v.resource, v.message))
    return report
