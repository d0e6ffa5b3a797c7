"""Deploy time and cost of one app under our defaults and under the peers' defaults.

Run: .venv/bin/python benchmarks/peers.py
The same app (4 tasks of 0.5 vCPU / 1 GB x86, a 250 MB image, one internet-facing ALB,
us-east-1) is planned offline with each peer's defaults expressed in our stack config, and
timed and priced by the same models (offline/deploy.py, offline/cost.py). The peers' defaults
(docs/model-basis.md, "Peers"): CDK ecs-patterns, pulumi-awsx, terraform-aws-modules/ecs and
Copilot leave the target group at ELB's 300 s drain and 30 s health checks (Copilot: 60 s
drain), and none of them wires deployment alarms, so none of them bakes before COMPLETED; ours
does (alarm rollback on), and the COMPLETED column counts that bake.

No fresh-stack column: it would time our program's resources under each peer's settings, not
the peers' own templates (CloudFormation for CDK and Copilot, Terraform modules), so it said
the same for all five; how long each tool's own stack takes to create is not modelled here.
"""

from __future__ import annotations

import copy
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from offline import cost, deploy
from offline.engine import plan

APP: dict[str, Any] = {
    "image": "public.ecr.aws/nginx/nginx:1.27",
    "cpu": 512,
    "memory": 1024,
    "containerPort": 80,
    "desiredCount": 4,
    "loadBalancer": {"name": "public"},
}
AWS_LB = {
    "deregistrationDelaySeconds": 300,
    "healthCheck": {"intervalSeconds": 30, "timeoutSeconds": 6, "healthyThreshold": 5},
}
NO_ALARMS = {"alarms": {"enabled": False}}  # the peers wire no deployment alarms

# name -> (network, service overrides, loadBalancer overrides, cluster overrides, dashboard)
PEERS: dict[str, tuple[dict, dict, dict, dict, bool]] = {
    "ours (defaults)": ({"availabilityZones": 2}, {}, {}, {}, True),
    "AWS CDK ecs-patterns": (
        {"availabilityZones": 2, "natGateways": "perAz"},
        {"minHealthyPercent": 50, **NO_ALARMS}, AWS_LB, {}, False,
    ),
    "pulumi-awsx": (
        {"availabilityZones": 3, "natGateways": "perAz"}, NO_ALARMS, AWS_LB, {}, False,
    ),
    "terraform-aws-modules/ecs": (
        {"availabilityZones": 2, "natGateways": "single"},
        {"minHealthyPercent": 66, **NO_ALARMS}, AWS_LB, {"containerInsights": "enabled"}, False,
    ),
    "AWS Copilot": (
        {"availabilityZones": 2, "natGateways": "none"},
        {"assignPublicIp": True, **NO_ALARMS},
        {**AWS_LB, "deregistrationDelaySeconds": 60}, {}, False,
    ),
}  # fmt: skip


def stack(network: dict, service: dict, lb: dict, cluster: dict, dashboard: bool) -> dict:
    svc = copy.deepcopy(APP) | service
    svc["loadBalancer"] = {**svc["loadBalancer"], **lb}
    return {
        "config": {
            "aws:region": "us-east-1",
            "ecs-platform:network": {"cidrBlock": "10.20.0.0/16", **network},
            "ecs-platform:cluster": {
                "containerInsights": "disabled",
                "capacityProviders": [{"provider": "FARGATE", "weight": 1}],
                **cluster,
            },
            "ecs-platform:loadBalancers": {"public": {"type": "application"}},
            "ecs-platform:services": {"web": svc},
            "ecs-platform:observability": {"dashboard": dashboard},
        }
    }


def main() -> None:
    print(
        f"{'settings':<28} {'steady min':>10} {'COMPLETED':>9} {'worst min':>9} {'USD/month':>10}"
    )
    for name, parts in PEERS.items():
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "Pulumi.peer.yaml"
            path.write_text(yaml.safe_dump(stack(*parts)))
            p = plan("peer", path)
        (web,) = deploy.estimate(p).services
        print(
            f"{name:<28} {web.minutes:>10.1f} {web.completed_seconds / 60:>9.1f} "
            f"{web.worst_case_seconds / 60:>9.1f} {cost.estimate(p).monthly_usd:>10.2f}"
        )
    print(
        "COMPLETED: rolloutState COMPLETED, after the alarm bake for stacks with deployment alarms"
    )


if __name__ == "__main__":
    main()
