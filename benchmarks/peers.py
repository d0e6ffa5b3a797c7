"""Deploy speed and cost of one app under our defaults and under the peers' defaults.

Run: .venv/bin/python benchmarks/peers.py
The same app (4 tasks of 0.5 vCPU / 1 GB x86, one internet-facing ALB, us-east-1) is planned
offline with each peer's defaults as read from its own source (below: CDK ecs-patterns and its
2-AZ Vpc with a NAT gateway per AZ, awsx's 3-AZ Vpc with one NAT per AZ, terraform-aws-modules
ecs's 66% minimum healthy and Container Insights, Copilot's public subnets and 60 s drain; the AWS
API's 300 s deregistration delay and 30 s x 5 health checks where a peer keeps them), expressed
in our stack config, and priced and timed by the same models (offline/cost.py, offline/deploy.py).
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

# name -> (network, service overrides, loadBalancer overrides, cluster overrides)
PEERS: dict[str, tuple[dict, dict, dict, dict]] = {
    "ours (defaults)": ({"availabilityZones": 2}, {}, {}, {}),
    "AWS CDK ecs-patterns": (
        {"availabilityZones": 2, "natGateways": "perAz"}, {"minHealthyPercent": 50}, AWS_LB, {},
    ),
    "pulumi-awsx": ({"availabilityZones": 3, "natGateways": "perAz"}, {}, AWS_LB, {}),
    "terraform-aws-modules/ecs": (
        {"availabilityZones": 2, "natGateways": "single"}, {"minHealthyPercent": 66}, AWS_LB,
        {"containerInsights": "enabled"},
    ),
    "AWS Copilot": (
        {"availabilityZones": 2, "natGateways": "none"}, {"assignPublicIp": True},
        {**AWS_LB, "deregistrationDelaySeconds": 60}, {},
    ),
}  # fmt: skip


def stack(network: dict, service: dict, lb: dict, cluster: dict) -> dict:
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
        }
    }


def main() -> None:
    print(
        f"{'settings':<28} {'deploy min':>10} {'worst min':>9} {'fresh min':>9} {'USD/month':>10}"
    )
    for name, parts in PEERS.items():
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "Pulumi.peer.yaml"
            path.write_text(yaml.safe_dump(stack(*parts)))
            p = plan("peer", path)
        d = deploy.estimate(p)
        (web,) = d.services
        print(
            f"{name:<28} {web.minutes:>10.1f} {web.worst_case_seconds / 60:>9.1f} "
            f"{d.fresh_stack_seconds / 60:>9.1f} {cost.estimate(p).monthly_usd:>10.2f}"
        )


if __name__ == "__main__":
    main()
