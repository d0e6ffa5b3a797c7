"""How many EC2 or ECS Managed Instances hosts hold a set of tasks, the way ECS places them.

Used by the cost model (instances to price) and the deploy model (does a deployment's surge
fit on the running hosts, or must one be launched first). The rules, each from AWS's pages
(docs/model-basis.md):

- Placement strategy: our services spread over Availability Zones, then binpack on memory
  (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-strategies.html);
  Managed Instances services are spread over AZs by the service scheduler and packed onto
  larger instances (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ManagedInstances.html).
- A host holds tasks while their CPU units and memory fit what it registered; the agent
  registers less memory than the type's nominal size (REGISTERED_MEMORY_SHARE, [est]).
- Managed scaling keeps CapacityProviderReservation = instances needed / instances running
  x 100 at targetCapacity, so the group runs ceil(needed x 100 / targetCapacity) instances,
  within its min and max size
  (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html).

Not modelled: ENI limits of awsvpc tasks per instance (trunking changes them) and placement
constraints (our services set none).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .prices import InstanceType

REGISTERED_MEMORY_SHARE = 0.94  # [est] the OS and agent keep part of the nominal memory


@dataclass(frozen=True)
class Tasks:
    """`count` tasks of one service, each `vcpu` and `memory_gib` (the task-level sizes)."""

    service: str
    vcpu: float
    memory_gib: float
    count: int


def fits(task: Tasks, host: InstanceType) -> bool:
    return task.vcpu <= host.vcpu and task.memory_gib <= host.memory_gib * REGISTERED_MEMORY_SHARE


def hosts_needed(groups: Sequence[Tasks], host: InstanceType, zones: int) -> int:
    """Instances of `host` that hold the tasks: each service spread evenly over the zones
    (the remainder to the least-filled zones), then first-fit decreasing by memory per zone."""
    zones = max(zones, 1)
    per_zone: list[list[Tasks]] = [[] for _ in range(zones)]
    for group in groups:
        if group.count <= 0:
            continue
        base, extra = divmod(group.count, zones)
        order = sorted(range(zones), key=lambda z: (sum(t.memory_gib for t in per_zone[z]), z))
        for rank, zone in enumerate(order):
            n = base + (1 if rank < extra else 0)
            per_zone[zone].extend([Tasks(group.service, group.vcpu, group.memory_gib, 1)] * n)
    total = 0
    cpu_cap, mem_cap = host.vcpu, host.memory_gib * REGISTERED_MEMORY_SHARE
    for tasks in per_zone:
        bins: list[list[float]] = []  # [cpu used, memory used]
        for task in sorted(tasks, key=lambda t: (-t.memory_gib, -t.vcpu)):
            for used in bins:
                if used[0] + task.vcpu <= cpu_cap + 1e-9 and used[1] + task.memory_gib <= mem_cap:
                    used[0] += task.vcpu
                    used[1] += task.memory_gib
                    break
            else:
                bins.append([task.vcpu, task.memory_gib])
        total += len(bins)
    return total


def managed_scaling_size(needed: int, target_capacity: int, low: int, high: int) -> int:
    """Instances managed scaling settles on for `needed` busy instances."""
    wanted = math.ceil(needed * 100 / max(target_capacity, 1) - 1e-9) if needed else 0
    return min(max(wanted, low), max(high, low))
