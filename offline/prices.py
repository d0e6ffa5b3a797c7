"""Price lookup for one region from offline/prices.yaml, with the fallback stated on each price.

`PriceBook(region).get("nat", "gatewayHour")` returns a `Price` that carries where it came from:
the source and its date, and the region it was actually read from. A price the region lacks is
read from the file's fallback region (`fallback` set), so a line priced that way can say so; a
region the file does not list at all is priced entirely at the fallback region, and
`PriceBook.warnings` says that once for the whole plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PRICES_PATH = Path(__file__).resolve().parent / "prices.yaml"


class PriceError(LookupError):
    """No price for an item in the region or the fallback region."""


@dataclass(frozen=True)
class Price:
    usd: float
    unit: str
    source: str  # "title (date)"
    region: str  # where the figure was read
    fallback: bool  # True when `region` is not the region asked for
    note: str = ""

    def describe(self) -> str:
        """'$0.045/gateway-hour, us-east-1 fallback, derived: ...' for a report line."""
        parts = [f"${self.usd:g}/{self.unit}"]
        if self.fallback:
            parts.append(f"{self.region} price (none found for this region)")
        if self.note:
            parts.append(self.note)
        return ", ".join(parts)


@cache
def _document(path: Path = PRICES_PATH) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


class PriceBook:
    """Prices of one region, falling back to the file's fallback region item by item."""

    def __init__(self, region: str, path: Path = PRICES_PATH) -> None:
        doc = _document(path)
        self.region = region
        self.hours_per_month: float = float(doc["hoursPerMonth"])
        self.fallback_region: str = doc["fallbackRegion"]
        self._sources: dict[str, dict[str, str]] = doc["sources"]
        self._regions: dict[str, dict[str, dict[str, dict[str, Any]]]] = doc["regions"]
        self.known_region = region in self._regions
        self.instance_types: dict[str, dict[str, Any]] = doc.get("instanceTypes", {})

    @property
    def warnings(self) -> list[str]:
        if self.known_region:
            return []
        known = ", ".join(sorted(self._regions))
        return [
            f"no prices for region {self.region} in offline/prices.yaml (it has {known}); "
            f"every line is priced at {self.fallback_region}'s rates"
        ]

    def get(self, group: str, item: str) -> Price:
        for region in (self.region, self.fallback_region):
            entry = self._regions.get(region, {}).get(group, {}).get(item)
            if entry is not None:
                fallback = region != self.region
                source = self._sources[entry["source"]]
                return Price(
                    usd=float(entry["usd"]),
                    unit=str(entry["unit"]),
                    source=f"{source['title']} ({source['date']})",
                    region=region,
                    fallback=fallback,
                    note=str(entry.get("note", "")),
                )
        raise PriceError(
            f"no {group}.{item} price for {self.region} or {self.fallback_region} in "
            "offline/prices.yaml"
        )

    def has(self, group: str, item: str) -> bool:
        return any(
            item in self._regions.get(r, {}).get(group, {})
            for r in (self.region, self.fallback_region)
        )

    def monthly(self, price: Price, quantity: float) -> float:
        """USD for `quantity` units per hour over a month (730 h)."""
        return price.usd * quantity * self.hours_per_month
