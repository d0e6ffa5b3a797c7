"""The comparison's own figures (offline/eks/data.yaml): EKS prices, Fargate pod sizes, node
reservations and limits, system pods and creation times, each with its public source.

Prices that ECS and EKS share (Fargate, EC2, ELB, NAT, IPv4, EBS) are not here: they come from
the repository's price book (offline/prices.py) so both sides use the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA_PATH = Path(__file__).resolve().parent / "data.yaml"


@cache
def document(path: Path = DATA_PATH) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


@dataclass(frozen=True)
class Figure:
    """One sourced figure: its value, unit, where it was read and whether it is an estimate."""

    value: float
    unit: str
    source: str
    estimate: bool = False
    note: str = ""

    def describe(self) -> str:
        mark = " [est]" if self.estimate else ""
        return f"{self.value:g} {self.unit}{mark} ({self.source})"


def kubernetes_version() -> str:
    return str(document()["kubernetes"]["version"])


def price(key: str) -> Figure:
    entry = document()["prices"][key]
    return Figure(
        float(entry["usd"]), str(entry["unit"]), f"{entry['url']}, read {entry['read']}",
        note=str(entry.get("note", "")),
    )  # fmt: skip


def create_seconds(key: str) -> Figure:
    block = document()["create"]
    return Figure(float(block[key]), "s", block["url"])


def estimate(key: str) -> Figure:
    entry = document()["estimates"][key]
    return Figure(float(entry["value"]), "s", str(entry["note"]), estimate=True)


def fargate_sizes() -> list[tuple[float, list[float]]]:
    """(vCPU, memory GB options) in ascending vCPU order."""
    out: list[tuple[float, list[float]]] = []
    for vcpu, options in document()["fargatePod"]["sizes"].items():
        if isinstance(options, dict):
            mems = [float(m) for m in range(options["from"], options["to"] + 1, options["step"])]
        else:
            mems = [float(m) for m in options]
        out.append((float(vcpu), mems))
    return sorted(out)


def fargate_reserved_mib() -> int:
    return int(document()["fargatePod"]["kubernetesReservedMib"])


def fargate_source() -> str:
    return str(document()["fargatePod"]["url"])


@dataclass(frozen=True)
class SystemPod:
    name: str
    replicas: int
    cpu_milli: int
    memory_mib: int
    source: str


def system_pods() -> list[SystemPod]:
    return [
        SystemPod(p["name"], int(p["replicas"]), int(p["cpuMilli"]), int(p["memoryMib"]), p["url"])
        for p in document()["systemPods"]
    ]


def nodes() -> dict[str, Any]:
    return document()["nodes"]


def instance_network(instance_type: str) -> tuple[int, int] | None:
    """(network interfaces, IPv4 addresses per interface), or None when not listed."""
    pair = nodes()["network"]["types"].get(instance_type)
    return None if pair is None else (int(pair[0]), int(pair[1]))
