"""EKS deploy time: a Deployment's rolling update and a fresh cluster, with hand-computed figures
(default assumptions: Fargate launch 20 s, on a node 10 s, image pull 250 MB / 10 MB/s = 25 s,
app start 10 s, a new target needs healthyThreshold checks; estimates in offline/eks/data.yaml:
scheduling 2 s, controller reconcile 5 s, node launch 90 s)."""

from __future__ import annotations

from typing import Any

from components.specs.assumptions import AssumptionsSpec
from components.specs.load_balancer import LoadBalancerSpec
from components.specs.service import ServiceSpec
from offline.eks.capacity import Group
from offline.eks.nodes import Choice, Pod, pack, shape
from offline.eks.timing import fresh_stack, network_seconds, rollout
from offline.eks.workloads import Workload, collect, containers
from tests.support import config, plan_config

DEFAULTS = AssumptionsSpec()
# The hand computations below count the target group's healthy threshold of checks.
THRESHOLD = AssumptionsSpec.model_validate({"newTargetHealthChecks": "healthyThreshold"})
BALANCED = {
    "image": "public.ecr.aws/nginx/nginx:1.27",
    "cpu": 512,
    "memory": 1024,
    "containerPort": 8080,
    "loadBalancer": {
        "name": "public",
        "healthCheck": {"intervalSeconds": 10, "timeoutSeconds": 5, "healthyThreshold": 3},
        "deregistrationDelaySeconds": 20,
    },
    "stopTimeoutSeconds": 10,
    "minHealthyPercent": 50,
    "maxPercent": 150,
}
PLAIN = {"image": "public.ecr.aws/docker/library/busybox:1.37", "cpu": 512, "memory": 1024}


def workload(raw: dict[str, Any], replicas: int, arch: str = "X86_64") -> Workload:
    spec = ServiceSpec.model_validate({**raw, "desiredCount": replicas, "cpuArchitecture": arch})
    lb = LoadBalancerSpec() if spec.load_balancer is not None else None
    return Workload(
        name="api",
        kind="service",
        spec=spec,
        task_cpu=512,
        task_memory=1024,
        counts=(replicas, replicas, replicas),
        replicas=replicas,
        spot_share=0.0,
        load_balancer_name="public" if lb else None,
        load_balancer=lb,
        containers=containers(spec, 512, 1024),
    )


def test_rolling_update_behind_an_alb_on_fargate():
    r = rollout(workload(BALANCED, 2), THRESHOLD, fargate=True)
    # surge ceil(2 x 50%) = 1, unavailable floor(2 x 50%) = 1: one wave of 2
    # new pod: 2 scheduling + 20 launch + 25 pull + 10 app + 10 readiness period
    #          + 5 registration + 3 x 10 health checks + 5 readiness gate = 107
    # old pod: 20 preStop drain + 10 stop = 30
    assert (r.waves, r.new_seconds, r.old_seconds) == (1, 107, 30)
    assert (r.ready_seconds, r.seconds) == (107, 137)


def test_one_passing_check_for_a_new_target_when_assumed():
    one = AssumptionsSpec.model_validate({"newTargetHealthChecks": "one"})
    assert rollout(workload(BALANCED, 2), one, fargate=True).new_seconds == 107 - 20


def test_small_surge_rolls_in_waves_and_old_pods_drain_behind_the_last_wave():
    w = workload({**PLAIN, "minHealthyPercent": 100, "maxPercent": 125}, 4)
    r = rollout(w, DEFAULTS, fargate=False)
    # surge ceil(4 x 25%) = 1: 4 waves; new pod 2 + 10 + 25 + 10 = 47; old pod 30 (stop)
    assert (r.waves, r.new_seconds, r.old_seconds) == (4, 47, 30)
    assert r.seconds == 4 * 47 + 30
    quick = AssumptionsSpec.model_validate({"appShutdownSeconds": 2})
    assert rollout(w, quick, fargate=False).seconds == 4 * 47 + 2


def test_without_surge_old_pods_stop_as_their_replacements_start():
    w = workload({**PLAIN, "minHealthyPercent": 50, "maxPercent": 100}, 4)
    # surge 0, unavailable 2: 2 waves of 47 s; the last old pods stop 47 + 30 s in
    assert rollout(w, DEFAULTS, fargate=False).seconds == max(2 * 47, 47 + 30)
    slow = workload({**PLAIN, "minHealthyPercent": 50, "maxPercent": 100,
                     "stopTimeoutSeconds": 60}, 4)  # fmt: skip
    assert rollout(slow, DEFAULTS, fargate=False).seconds == 47 + 60


def test_a_surge_that_does_not_fit_the_nodes_waits_for_a_new_node():
    w = workload({**PLAIN, "minHealthyPercent": 100, "maxPercent": 200}, 1, arch="ARM64")
    node = shape("m7g.large", 2, 8)
    full = pack([[Pod("other", 1800, 1024)]], node) or []  # 1905m - 1800m: no room for 500m
    roomy = pack([[Pod("other", 100, 1024)]], node) or []
    group = Group("ARM64", "ON_DEMAND", Choice(node, full, 0.08), (1, 1, 1), 1)
    assert rollout(w, DEFAULTS, False, [group]).new_seconds == 47 + 90
    group = Group("ARM64", "ON_DEMAND", Choice(node, roomy, 0.08), (1, 1, 1), 1)
    assert rollout(w, DEFAULTS, False, [group]).new_seconds == 47


def test_a_deployment_with_no_replicas_has_nothing_to_roll():
    assert rollout(workload(PLAIN, 0), DEFAULTS, fargate=True).seconds == 0


def test_fresh_cluster_on_fargate_is_network_then_control_plane_then_the_load_balancer():
    cfg = config(
        network={"cidrBlock": "10.20.0.0/16", "availabilityZones": 2, "natGateways": "single"},
        loadBalancers={"public": {"type": "application"}},
        services={"api": {**BALANCED, "desiredCount": 2}},
    )
    plan = plan_config(cfg)
    fresh = fresh_stack(plan, collect(plan), THRESHOLD, fargate=True)
    # controller: 2 OIDC + 12 IAM role + 10 chart + (20 + 25) pod = 69; then the ALB chain
    # 116 + 18 + 2 + 2 = 138 (207 in all) outlasts the first pod (72 s), then 3 x 10 health
    # checks and the 5 s readiness gate.
    assert fresh.seconds == network_seconds(plan) + 544 + 18 + 207 + 35
    assert [step for step, _ in fresh.path][1:3] == ["EKS control plane", "Fargate profile"]
    nodes = fresh_stack(plan, collect(plan), THRESHOLD, fargate=False)
    # on nodes: node group 160 s, controller pod 10 + 25: 59 + 138 = 197
    assert nodes.seconds == network_seconds(plan) + 544 + 160 + 197 + 35
