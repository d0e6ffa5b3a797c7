"""The node groups an EKS cluster on managed nodes needs for the stack's pods.

One managed node group per CPU architecture and capacity type (ON_DEMAND, SPOT) in each AZ
the pods spread over. A workload's copies are its ECS counts rounded up to whole pods; the
share ECS places on Spot (FARGATE_SPOT, or Managed Instances on Spot) goes to the Spot group,
rounded to whole pods. The cluster's own pods (CoreDNS, the AWS Load Balancer Controller) go to
the on-demand group of the architecture with the most pods. Each group is sized for the
baseline with the cheapest instance type (offline/eks/nodes.py); the low and high counts are
packed on the same type.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..prices import PriceBook
from . import data
from .nodes import Choice, NodeShape, Pod, cheapest, pack, shape, spread
from .workloads import Workload

CAPACITY_TYPES = ("ON_DEMAND", "SPOT")


@dataclass(frozen=True)
class Group:
    arch: str
    capacity: str
    choice: Choice
    counts: tuple[int, int, int]  # nodes at baseline, low, high
    pods: int  # pods at baseline (services' and the cluster's)

    @property
    def name(self) -> str:
        return f"{self.arch.lower()}-{self.capacity.lower().replace('_', '-')}"


class CapacityError(ValueError):
    """No priced instance type holds a pod of the group."""


def node_workloads(workloads: list[Workload]) -> list[Workload]:
    """Workloads that run as pods all month (scheduled tasks and EXTERNAL ones do not)."""
    return [w for w in workloads if w.kind != "scheduled" and not w.external]


def _pods(
    workloads: list[Workload], at: int, arch: str, capacity: str, system_arch: str
) -> list[Pod]:
    out: list[Pod] = []
    for w in workloads:
        if w.arch != arch:
            continue
        copies = math.ceil(w.counts[at] - 1e-9)
        spot = round(copies * w.spot_share)
        n = spot if capacity == "SPOT" else copies - spot
        out += [Pod(w.name, w.request_milli, w.request_mib)] * n
    if capacity == "ON_DEMAND" and arch == system_arch:
        for sp in data.system_pods():
            out += [Pod(sp.name, sp.cpu_milli, sp.memory_mib)] * sp.replicas
    return out


def candidates(prices: PriceBook, arch: str, prefix: bool) -> list[tuple[NodeShape, float]]:
    """Priced, non-burstable instance types of this architecture with known network limits."""
    out = []
    for name, spec in sorted(prices.instance_types.items()):
        if spec.arch != arch or spec.burstable or not prices.has("ec2", name):
            continue
        if data.instance_network(name) is None:
            continue
        node = shape(name, int(spec.vcpu), spec.memory_gib, prefix)
        out.append((node, prices.get("ec2", name).usd))
    return out


def system_arch(workloads: list[Workload]) -> str:
    pods: dict[str, float] = {}
    for w in workloads:
        pods[w.arch] = pods.get(w.arch, 0.0) + w.counts[0]
    return max(sorted(pods), key=lambda a: pods[a]) if pods else "X86_64"


def groups(
    workloads: list[Workload], prices: PriceBook, zones: int, prefix: bool = False
) -> list[Group]:
    runs = node_workloads(workloads)
    home = system_arch(runs)
    out: list[Group] = []
    for arch in sorted({w.arch for w in runs} | {home}):
        for capacity in CAPACITY_TYPES:
            baseline = _pods(runs, 0, arch, capacity, home)
            if not baseline:
                continue
            by_zone = spread(baseline, zones)
            choice = cheapest(by_zone, candidates(prices, arch, prefix))
            if choice is None:
                largest = max(baseline, key=lambda p: (p.cpu_milli, p.memory_mib))
                raise CapacityError(
                    f"no {arch} instance type in offline/prices.yaml holds a {largest.owner} pod "
                    f"({largest.cpu_milli}m CPU, {largest.memory_mib} MiB)"
                )
            counts = [choice.count]
            for at in (1, 2):
                packed = pack(spread(_pods(runs, at, arch, capacity, home), zones), choice.shape)
                counts.append(len(packed) if packed is not None else choice.count)
            out.append(Group(arch, capacity, choice, (counts[0], counts[1], counts[2]),
                             len(baseline)))  # fmt: skip
    return out


def group_of(workload: Workload, found: list[Group]) -> list[Group]:
    """The groups a workload's pods run in (its architecture, both capacity types)."""
    return [g for g in found if g.arch == workload.arch]
