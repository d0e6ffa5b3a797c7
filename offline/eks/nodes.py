"""Managed node groups sized by bin-packing the pods' requests onto EC2 instance types.

Per node (the EKS AMI's kubelet settings, offline/eks/data.yaml `nodes`):
- maxPods = ENIs x (IPv4 per ENI - 1) + 2, or with prefix delegation
  ENIs x ((IPv4 per ENI - 1) x 16) + 2 capped at 110 (<= 30 vCPUs) or 250;
  two of them are the host-network DaemonSets (aws-node, kube-proxy);
- allocatable memory = memory - (11 x maxPods + 255 MiB kube-reserved) - 100 MiB eviction
  threshold; allocatable CPU = CPU - kube-reserved (6% of the first core, 1% of the second,
  0.5% of cores 3-4, 0.25% above); DaemonSet requests come off every node.

Packing: pods are spread over the AZs round-robin (the Deployments' zone spread, max skew 1),
then packed first-fit decreasing per AZ onto one instance type; the type with the lowest
monthly cost for the whole group wins (ties: fewer nodes, then name). Node capacity is the
instance's nominal memory: the kernel's own share is not modelled.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import data


@dataclass(frozen=True)
class NodeShape:
    instance_type: str
    vcpu: int
    memory_gib: float
    max_pods: int
    allocatable_milli: int
    allocatable_mib: int


@dataclass(frozen=True)
class Pod:
    owner: str
    cpu_milli: int
    memory_mib: int


@dataclass
class Node:
    zone: int
    free_milli: int
    free_mib: int
    free_pods: int
    pods: list[Pod] = field(default_factory=list)

    def fits(self, pod: Pod) -> bool:
        return (
            self.free_pods >= 1
            and pod.cpu_milli <= self.free_milli
            and pod.memory_mib <= self.free_mib
        )

    def place(self, pod: Pod) -> None:
        self.free_milli -= pod.cpu_milli
        self.free_mib -= pod.memory_mib
        self.free_pods -= 1
        self.pods.append(pod)


def max_pods(enis: int, ips_per_eni: int, vcpu: int, prefix_delegation: bool = False) -> int:
    """The EKS AMI's maxPods for an instance type (max-pods-calculator.sh)."""
    rules = data.nodes()["maxPods"]
    if not prefix_delegation:
        return enis * (ips_per_eni - 1) + 2
    pods = enis * ((ips_per_eni - 1) * int(rules["ipsPerPrefix"])) + 2
    cap = rules["prefixCapLarge"] if vcpu > rules["largeAboveVcpus"] else rules["prefixCapSmall"]
    return min(pods, int(cap))


def kube_reserved_milli(total_milli: int) -> int:
    """kube-reserved CPU: a percentage per band of the node's cores (nodeadm)."""
    reserved = 0.0
    start = 0
    for end, share in data.nodes()["cpuReservedBands"]:
        top = total_milli if end is None else min(total_milli, end)
        if top > start:
            reserved += (top - start) * share
        start = end if end is not None else start
    return int(reserved)


def kube_reserved_mib(pods: int) -> int:
    rules = data.nodes()
    return int(rules["memoryReservedPerPodMib"]) * pods + int(rules["memoryReservedBaseMib"])


def shape(instance_type: str, vcpu: int, memory_gib: float, prefix: bool = False) -> NodeShape:
    network = data.instance_network(instance_type)
    if network is None:
        raise KeyError(f"no network limits for {instance_type} in offline/eks/data.yaml")
    pods = max_pods(*network, vcpu, prefix)
    total_milli = vcpu * 1000
    total_mib = int(memory_gib * 1024)
    eviction = int(data.nodes()["evictionHardMemoryMib"])
    return NodeShape(
        instance_type=instance_type,
        vcpu=vcpu,
        memory_gib=memory_gib,
        max_pods=pods,
        allocatable_milli=total_milli - kube_reserved_milli(total_milli),
        allocatable_mib=total_mib - kube_reserved_mib(pods) - eviction,
    )


def _new_node(node: NodeShape, zone: int) -> Node:
    daemons = data.nodes()["daemonSets"]
    return Node(
        zone=zone,
        free_milli=node.allocatable_milli - sum(int(d["cpuMilli"]) for d in daemons),
        free_mib=node.allocatable_mib - sum(int(d["memoryMib"]) for d in daemons),
        free_pods=node.max_pods - 2,  # aws-node and kube-proxy (host network)
    )


def spread(pods: Iterable[Pod], zones: int) -> list[list[Pod]]:
    """Pods per AZ, round-robin in the given order (each owner's skew stays at most 1)."""
    out: list[list[Pod]] = [[] for _ in range(max(zones, 1))]
    for i, pod in enumerate(pods):
        out[i % len(out)].append(pod)
    return out


def pack(pods_by_zone: list[list[Pod]], node: NodeShape) -> list[Node] | None:
    """First-fit decreasing per AZ; None when a pod fits no empty node of this shape."""
    nodes: list[Node] = []
    for zone, pods in enumerate(pods_by_zone):
        zone_nodes: list[Node] = []
        for pod in sorted(pods, key=lambda p: (-p.cpu_milli, -p.memory_mib, p.owner)):
            target = next((n for n in zone_nodes if n.fits(pod)), None)
            if target is None:
                target = _new_node(node, zone)
                if not target.fits(pod):
                    return None
                zone_nodes.append(target)
            target.place(pod)
        nodes += zone_nodes
    return nodes


def fits_somewhere(nodes: list[Node], pods: list[Pod]) -> bool:
    """Whether extra pods (a rollout's surge) fit in the packed nodes' free room."""
    free = [Node(n.zone, n.free_milli, n.free_mib, n.free_pods) for n in nodes]
    for pod in sorted(pods, key=lambda p: (-p.cpu_milli, -p.memory_mib)):
        target = next((n for n in free if n.fits(pod)), None)
        if target is None:
            return False
        target.place(pod)
    return True


@dataclass(frozen=True)
class Choice:
    shape: NodeShape
    nodes: list[Node]
    hourly_usd: float

    @property
    def count(self) -> int:
        return len(self.nodes)


def cheapest(
    pods_by_zone: list[list[Pod]], candidates: list[tuple[NodeShape, float]]
) -> Choice | None:
    """The candidate (shape, hourly price) that holds the pods for the least money."""
    best: Choice | None = None
    for node, hourly in candidates:
        packed = pack(pods_by_zone, node)
        if packed is None:
            continue
        choice = Choice(node, packed, hourly)
        if best is None or (
            len(packed) * hourly,
            len(packed),
            node.instance_type,
        ) < (best.count * best.hourly_usd, best.count, best.shape.instance_type):
            best = choice
    return best


def surge(replicas: int, max_percent: int) -> int:
    """Kubernetes maxSurge from a percentage: rounded up (Deployment spec)."""
    return math.ceil(replicas * (max_percent - 100) / 100)


def unavailable(replicas: int, min_healthy_percent: int) -> int:
    """Kubernetes maxUnavailable from a percentage: rounded down (Deployment spec)."""
    return math.floor(replicas * (100 - min_healthy_percent) / 100)
