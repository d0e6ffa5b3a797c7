"""Price lookup for one region from offline/prices.yaml, every price carrying its source.

`PriceBook(region).get("nat", "gatewayHour")` returns a `Price` with the source's title, public
URL and date, and the region it was read from. Lookup order: the region, then `global` (prices
AWS publishes once for every region). A price neither has is a guess: it is read from the
file's fallback region, flagged (`fallback`), and recorded so the plan can list every guess in
a warning (`PriceBook.warnings`), never silently. The basis of every figure is restated in
docs/model-basis.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PRICES_PATH = Path(__file__).resolve().parent / "prices.yaml"
BASIS_DOC = "docs/model-basis.md"


class PriceError(LookupError):
    """No price for an item in the region, `global` or the fallback region."""


@dataclass(frozen=True)
class Price:
    usd: float
    unit: str
    source: str  # "title (date)"
    url: str
    region: str  # where the figure was read ("global" for one-price-everywhere items)
    fallback: bool  # True when guessed from another region
    note: str = ""

    def describe(self) -> str:
        """'$0.045/gateway-hour' plus a GUESSED mark and the entry's note for a report line."""
        parts = [f"${self.usd:g}/{self.unit}"]
        if self.fallback:
            parts.append(f"GUESSED from {self.region} (no price for this region)")
        if self.note:
            parts.append(self.note)
        return ", ".join(parts)


@dataclass(frozen=True)
class InstanceType:
    name: str
    vcpu: float
    memory_gib: float
    arch: str
    burstable: bool


@cache
def _document(path: Path = PRICES_PATH) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


class PriceBook:
    """Prices of one region; guesses from the fallback region are recorded, not hidden."""

    def __init__(self, region: str, path: Path = PRICES_PATH) -> None:
        doc = _document(path)
        self.region = region
        self.hours_per_month: float = float(doc["hoursPerMonth"])
        self.fallback_region: str = doc["fallbackRegion"]
        self._sources: dict[str, dict[str, str]] = doc["sources"]
        self._global: dict[str, dict[str, dict[str, Any]]] = doc.get("global", {})
        self._regions: dict[str, dict[str, dict[str, dict[str, Any]]]] = doc["regions"]
        self.known_region = region in self._regions
        self.instance_types = {
            name: InstanceType(
                name,
                float(spec["vcpu"]),
                float(spec["memoryGib"]),
                str(spec["arch"]),
                bool(spec.get("burstable", False)),
            )
            for name, spec in doc.get("instanceTypes", {}).items()
        }
        self.guessed: dict[str, Price] = {}  # "group.item" -> the fallback price used

    @property
    def warnings(self) -> list[str]:
        """One line for an unlisted region, then one per guessed price actually used."""
        out = []
        if not self.known_region:
            known = ", ".join(sorted(self._regions))
            out.append(
                f"GUESSED PRICES: offline/prices.yaml has no prices for {self.region} (it has "
                f"{known}); every regional price below is {self.fallback_region}'s"
            )
        elif self.guessed:
            items = ", ".join(
                f"{key} ({price.describe().split(',')[0]})"
                for key, price in sorted(self.guessed.items())
            )
            out.append(
                f"GUESSED PRICES: no {self.region} price in offline/prices.yaml for {items}; "
                f"{self.fallback_region}'s used (lines marked *; add the region's price with "
                f"its source, see {BASIS_DOC})"
            )
        return out

    def _entry(self, table: dict[str, Any], group: str, item: str) -> dict[str, Any] | None:
        return table.get(group, {}).get(item)

    def _price(self, entry: dict[str, Any], region: str, fallback: bool) -> Price:
        source = self._sources[entry["source"]]
        return Price(
            usd=float(entry["usd"]),
            unit=str(entry["unit"]),
            source=f"{source['title']} ({source['date']})",
            url=str(source["url"]),
            region=region,
            fallback=fallback,
            note=str(entry.get("note", "")),
        )

    def get(self, group: str, item: str) -> Price:
        entry = self._entry(self._regions.get(self.region, {}), group, item)
        if entry is not None:
            return self._price(entry, self.region, False)
        entry = self._entry(self._global, group, item)
        if entry is not None:
            return self._price(entry, "global", False)
        entry = self._entry(self._regions.get(self.fallback_region, {}), group, item)
        if entry is not None:
            price = self._price(entry, self.fallback_region, True)
            self.guessed[f"{group}.{item}"] = price
            return price
        raise PriceError(
            f"no {group}.{item} price for {self.region}, global or {self.fallback_region} in "
            "offline/prices.yaml"
        )

    def has(self, group: str, item: str, *, guess: bool = True) -> bool:
        """Whether a price exists (`guess=False`: in this region or global only)."""
        tables = [self._regions.get(self.region, {}), self._global]
        if guess:
            tables.append(self._regions.get(self.fallback_region, {}))
        return any(self._entry(t, group, item) is not None for t in tables)

    def monthly(self, price: Price, quantity: float) -> float:
        """USD for `quantity` units per hour over a month (730 h)."""
        return price.usd * quantity * self.hours_per_month
