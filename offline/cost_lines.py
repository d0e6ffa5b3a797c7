"""Cost lines and the ledger the priced families (offline/cost_*.py) write them into.

A `CostLine` is one priced resource or group (a service's tasks, a load balancer, the alarms of
a component...), its monthly USD at the baseline, the range min..max where autoscaling moves
it, and a `basis` naming every figure it used with its price's unit. A line priced with a
guessed price (another region's) is marked `fallback`; the report lists the guesses first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from components.specs.assumptions import AssumptionsSpec

from .engine import Captured, Plan
from .prices import BASIS_DOC, Price, PriceBook
from .topology import Graph, ServiceView, services

NOT_INCLUDED = [
    "data transfer out and cross-AZ traffic",
    "S3 storage and requests (load balancer access logs)",
    "WAF web ACLs and their rules (associated, not created, by this stack)",
    "ECR storage, Secrets Manager secrets, Route 53, Cloud Map, EventBridge Scheduler and SQS "
    "requests",
    "Container Insights performance-log ingestion",
    "Savings Plans, reserved capacity and free tiers",
]


@dataclass(frozen=True)
class CostLine:
    urn: str
    item: str
    monthly_usd: float
    basis: str
    min_usd: float | None = None  # with autoscaling: the cost at the minimum...
    max_usd: float | None = None  # ...and at the maximum
    fallback: bool = False  # a price was guessed from another region

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "urn": self.urn,
            "item": self.item,
            "monthlyUsd": round(self.monthly_usd, 2),
            "basis": self.basis,
        }
        if self.fallback:
            out["fallbackPrice"] = True
        if self.min_usd is not None and self.max_usd is not None:
            out["rangeUsd"] = [round(self.min_usd, 2), round(self.max_usd, 2)]
        return out


@dataclass
class CostReport:
    region: str
    lines: list[CostLine]
    warnings: list[str] = field(default_factory=list)

    @property
    def monthly_usd(self) -> float:
        return sum(line.monthly_usd for line in self.lines)

    @property
    def range_usd(self) -> tuple[float, float]:
        low = sum(line.monthly_usd if line.min_usd is None else line.min_usd for line in self.lines)
        high = sum(
            line.monthly_usd if line.max_usd is None else line.max_usd for line in self.lines
        )
        return low, high

    def to_json(self) -> dict[str, Any]:
        low, high = self.range_usd
        return {
            "monthlyUsd": round(self.monthly_usd, 2),
            "rangeUsd": [round(low, 2), round(high, 2)],
            "currency": "USD",
            "region": self.region,
            "lines": [line.to_json() for line in self.lines],
            "warnings": self.warnings,
            "notIncluded": NOT_INCLUDED,
            "basis": BASIS_DOC,
        }


class Ledger:
    """What every family needs: the graph, the region's prices, the assumptions, the lines."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.graph = Graph(plan.resources)
        self.prices = PriceBook(plan.region)
        self.a: AssumptionsSpec = plan.config.assumptions
        self.hours = self.prices.hours_per_month
        self.lines: list[CostLine] = []
        self.warnings: list[str] = []
        self._guessed = False  # a price of the line being built was guessed

    @cached_property
    def views(self) -> list[ServiceView]:
        """The plan's ECS services, read once for every family and the deploy model."""
        return services(self.graph)

    def add(
        self,
        r: Captured,
        item: str,
        usd: float,
        basis: str,
        low: float | None = None,
        high: float | None = None,
    ) -> None:
        self.lines.append(CostLine(r.urn, item, usd, basis, low, high, self._guessed))
        self._guessed = False

    def price(self, group: str, item: str) -> Price:
        price = self.prices.get(group, item)
        self._guessed = self._guessed or price.fallback
        return price

    def hourly(self, group: str, item: str, quantity: float) -> tuple[float, str]:
        price = self.price(group, item)
        return self.prices.monthly(price, quantity), price.describe()

    def report(self) -> CostReport:
        return CostReport(self.prices.region, self.lines, self.prices.warnings + self.warnings)
