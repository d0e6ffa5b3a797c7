"""EKS cost lines: what is re-priced for EKS (control plane, Fargate pods, node groups, load
balancers, networking Fargate needs) and what is carried over from the ECS plan."""

from __future__ import annotations

import pytest

from offline.eks.compare import compare
from offline.prices import PriceBook
from tests.support import REGION, config, mutate, plan_config

API = {
    "image": "public.ecr.aws/nginx/nginx:1.27",
    "cpu": 512,
    "memory": 1024,
    "cpuArchitecture": "ARM64",
    "containerPort": 8080,
    "desiredCount": 2,
    "loadBalancer": {"name": "public"},
}
STACK = config(
    network={"cidrBlock": "10.20.0.0/16", "availabilityZones": 2, "natGateways": "single"},
    loadBalancers={"public": {"type": "application"}},
    services={"api": API},
)


def lines(cfg: dict, variant: str) -> dict[str, object]:
    costs = compare(plan_config(cfg)).costs[variant]
    return {line.item: line for line in costs.lines}


def test_control_plane_is_priced_per_cluster_hour_with_extended_support_stated():
    (plane,) = [v for k, v in lines(STACK, "nodes").items() if k.startswith("EKS control plane")]
    assert plane.monthly_usd == pytest.approx(0.10 * 730)
    assert "$438.00/month" in plane.basis


def test_fargate_pods_are_priced_at_their_rounded_size_with_x86_prices():
    line = lines(STACK, "fargate")["api: Fargate pods"]
    book = PriceBook(REGION)
    # 0.5 vCPU / 1024 MiB + 256 MiB -> 0.5 vCPU / 2 GB; ARM64 is not offered on EKS Fargate
    hourly = (
        0.5 * book.get("fargate", "vcpuHourX86_64").usd
        + 2 * book.get("fargate", "gbHourX86_64").usd
    )
    assert line.monthly_usd == pytest.approx(2 * hourly * 730)
    assert "x86 only" in line.basis


def test_a_nat_less_stack_gets_a_nat_gateway_on_fargate_and_public_node_addresses():
    nat_less = mutate(STACK, "network.natGateways", "none")
    nat_less = mutate(nat_less, "services.api.assignPublicIp", True)
    fargate, nodes = lines(nat_less, "fargate"), lines(nat_less, "nodes")
    assert any(k.startswith("NAT gateway for the Fargate pods") for k in fargate)
    assert any("public IPv4 per node" in k for k in nodes)
    assert not any(
        k.startswith("NAT gateway for the Fargate pods") for k in lines(STACK, "fargate")
    )


def test_services_sharing_an_nlb_get_one_nlb_each():
    cfg = mutate(STACK, "loadBalancers.public.type", "network")
    cfg = mutate(cfg, "services.api.loadBalancer", {"name": "public", "listenerPort": 443})
    cfg = mutate(cfg, "services.mqtt", {**API, "containerPort": 8883,
                                       "loadBalancer": {"name": "public"}})  # fmt: skip
    (nlb,) = [k for k in lines(cfg, "nodes") if k.startswith("NLB public via")]
    assert nlb.endswith("(2 x NLB)")


def test_ecs_only_lines_are_replaced_and_the_rest_carried_over():
    found = lines(STACK, "nodes")
    carried = {k for k, v in found.items() if v.carried}
    assert any(k.startswith("NAT gateway") for k in carried)
    # the ECS tasks are re-priced; their CloudWatch alarms are carried (still billed on EKS)
    assert not any(k.startswith("api: ") and "alarm" not in k for k in carried)
    assert any(k.startswith("api: ") and "alarm" in k for k in carried)
    assert not any(k.startswith("ALB public (") for k in carried)  # so is the load balancer
    assert any(k.startswith("node group arm64-on-demand") for k in found)
