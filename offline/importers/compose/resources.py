"""Compose task size and count: `deploy.resources`, `cpus`, `mem_limit`, `mem_reservation` -> the
cheapest Fargate size that covers them; `deploy.replicas` (or `scale`) -> desiredCount."""

from __future__ import annotations

import math
import re
from typing import Any

from ..common import fargate_size, scalar_text
from ..findings import Add
from .tables import MEMORY_UNITS

_MEMORY = re.compile(r"^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$", re.IGNORECASE)


def memory_mib(value: Any) -> int | None:
    """Compose byte value (`1.5G`, `512m`, `1gb`, bytes) in MiB, rounded up."""
    m = _MEMORY.match(scalar_text(value).strip())
    if not m:
        return None
    return math.ceil(float(m.group(1)) * MEMORY_UNITS[m.group(2).lower()] / 1024**2)


def cpu_units(value: Any) -> int | None:
    """Compose cpus (`0.5`) in ECS cpu units (1 vCPU = 1024)."""
    try:
        return math.ceil(float(scalar_text(value)) * 1024)
    except ValueError:
        return None


def size(add: Add, where: str, body: dict[str, Any]) -> tuple[int, int]:
    """(cpu, memory) of the task: the cheapest Fargate size covering every limit and reservation."""
    resources = ((body.get("deploy") or {}).get("resources")) or {}
    limits, reserved = resources.get("limits") or {}, resources.get("reservations") or {}
    cpus = [
        cpu_units(v)
        for v in (limits.get("cpus"), reserved.get("cpus"), body.get("cpus"))
        if v is not None
    ]
    mems = [
        memory_mib(v)
        for v in (
            limits.get("memory"),
            reserved.get("memory"),
            body.get("mem_limit"),
            body.get("mem_reservation"),
        )
        if v is not None
    ]
    if None in cpus or None in mems:
        add(
            "unmapped",
            f"{where}.deploy.resources",
            "cpus or memory is not a number Compose accepts; sized 256 cpu / 512 MiB",
        )
    cpu_need = max([c for c in cpus if c is not None], default=0)
    mem_need = max([m for m in mems if m is not None], default=0)
    if reserved.get("devices"):
        add(
            "unmapped",
            f"{where}.deploy.resources.reservations.devices",
            "Fargate has no GPUs or devices; GPU tasks need EC2 capacity (cluster.ec2Capacity)",
        )
    try:
        cpu, memory = fargate_size(cpu_need, mem_need)
    except ValueError as exc:
        add("unmapped", f"{where}.deploy.resources", f"{exc}; sized 256 cpu / 512 MiB")
        return 256, 512
    if (cpu_need or mem_need) and (cpu, memory) != (cpu_need, mem_need):
        add(
            "changed",
            f"{where}.deploy.resources",
            f"asks for {cpu_need or 'any'} cpu "
            f"units and {mem_need or 'any'} MiB; the cheapest Fargate size covering it "
            f"is {cpu} cpu / {memory} MiB",
        )
    return cpu, memory


def replicas(add: Add, where: str, body: dict[str, Any]) -> int | None:
    """desiredCount from deploy.replicas or scale; None when unset or not a task count."""
    deploy = body.get("deploy") or {}
    count = deploy.get("replicas", body.get("scale"))
    if count is None:
        return None
    if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
        return count
    add("unmapped", f"{where}.deploy.replicas", f"{count!r} is not a task count")
    return None
