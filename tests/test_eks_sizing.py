"""EKS capacity: Fargate pod size rounding, node maxPods and allocatable, bin-packing, all with
figures computed by hand from the published rules."""

from __future__ import annotations

import pytest

from offline.eks.fargate import FargateSizeError, pod_size
from offline.eks.nodes import (
    Pod,
    cheapest,
    fits_somewhere,
    kube_reserved_milli,
    max_pods,
    pack,
    shape,
    spread,
    surge,
    unavailable,
)


@pytest.mark.parametrize(
    ("cpu_milli", "memory_mib", "vcpu", "memory_gb"),
    [
        (250, 512, 0.25, 1),  # 512 + 256 = 768 MiB: 0.5 GB is too small
        (250, 256, 0.25, 0.5),  # 256 + 256 = 512 MiB fits exactly
        (1000, 8192, 2, 9),  # AWS's example: 8 GB + 256 MB needs 9 GB, which needs 2 vCPU
        (500, 3072, 0.5, 4),  # 3328 MiB -> 4 GB
        (600, 1024, 1, 2),  # 0.6 vCPU rounds up to 1 vCPU, whose smallest memory is 2 GB
        (4000, 30 * 1024, 8, 32),  # 30.25 GB is above 4 vCPU's 30 GB; 8 vCPU steps by 4 GB
        (100, 70, 0.25, 0.5),  # CoreDNS: 326 MiB
        (0, 0, 0.25, 0.5),  # no requests: the smallest combination
    ],
)
def test_fargate_pod_is_billed_at_the_next_size_above_its_requests_plus_256_mb(
    cpu_milli, memory_mib, vcpu, memory_gb
):
    size = pod_size(cpu_milli, memory_mib)
    assert (size.vcpu, size.memory_gb) == (vcpu, memory_gb)


def test_fargate_pod_above_the_largest_size_is_refused():
    with pytest.raises(FargateSizeError):
        pod_size(16000, 120 * 1024)


def test_max_pods_follows_the_eni_formula_and_prefix_delegation_caps():
    assert max_pods(3, 10, 2) == 29  # m7g.large: 3 x (10 - 1) + 2, as eni-max-pods.txt
    assert max_pods(3, 6, 2) == 17  # t3.medium
    assert max_pods(3, 10, 2, prefix_delegation=True) == 110  # 3 x 9 x 16 + 2 = 434, capped
    assert max_pods(15, 50, 96, prefix_delegation=True) == 250  # above 30 vCPUs


def test_kube_reserved_cpu_bands():
    assert kube_reserved_milli(1000) == 60
    assert kube_reserved_milli(2000) == 70  # 60 + 1% of the second core
    assert kube_reserved_milli(4000) == 80  # + 0.5% of cores 3-4
    assert kube_reserved_milli(8000) == 90  # + 0.25% of the 4 cores above


def test_node_allocatable_subtracts_kube_reserved_and_the_eviction_threshold():
    node = shape("m7g.large", 2, 8)
    assert node.max_pods == 29
    assert node.allocatable_milli == 2000 - 70
    assert node.allocatable_mib == 8192 - (11 * 29 + 255) - 100  # 7518


def test_pods_spread_round_robin_over_the_zones():
    pods = [Pod("a", 100, 100)] * 3 + [Pod("b", 100, 100)] * 2
    by_zone = spread(pods, 2)
    assert [len(z) for z in by_zone] == [3, 2]
    assert [p.owner for p in by_zone[1]] == ["a", "b"]


def test_bin_packing_by_hand():
    # 4 pods of 1 vCPU / 2 GiB over 2 AZs. m7g.large leaves 1930m - 25m (aws-node) = 1905m,
    # so one pod per node: 4 nodes. m7g.xlarge leaves 3920m - 25m = 3895m: 3 pods fit, 2 per
    # AZ, so 2 nodes.
    pods = spread([Pod("api", 1000, 2048)] * 4, 2)
    large, xlarge = shape("m7g.large", 2, 8), shape("m7g.xlarge", 4, 16)
    assert len(pack(pods, large) or []) == 4
    assert len(pack(pods, xlarge) or []) == 2
    # Same money (4 x 0.0816 = 2 x 0.1632): the fewer nodes win.
    choice = cheapest(pods, [(large, 0.0816), (xlarge, 0.1632)])
    assert choice is not None and choice.shape.instance_type == "m7g.xlarge"
    assert choice.count == 2
    # A cheaper large makes it win.
    choice = cheapest(pods, [(large, 0.07), (xlarge, 0.1632)])
    assert choice is not None and choice.shape.instance_type == "m7g.large"


def test_a_pod_larger_than_the_node_is_not_packed():
    assert pack([[Pod("big", 3000, 1024)]], shape("m7g.large", 2, 8)) is None
    assert cheapest([[Pod("big", 3000, 1024)]], [(shape("m7g.large", 2, 8), 0.08)]) is None


def test_surge_room_on_packed_nodes():
    nodes = pack([[Pod("api", 1000, 2048)]], shape("m7g.large", 2, 8)) or []
    assert fits_somewhere(nodes, [Pod("api", 900, 2048)])  # 1905m - 1000m = 905m free
    assert not fits_somewhere(nodes, [Pod("api", 1000, 2048)])


def test_surge_rounds_up_and_unavailable_rounds_down():
    assert surge(3, 150) == 2  # 1.5 -> 2 (maxSurge percentages round up)
    assert unavailable(3, 50) == 1  # 1.5 -> 1 (maxUnavailable percentages round down)
    assert surge(3, 200) == 3 and unavailable(3, 100) == 0
