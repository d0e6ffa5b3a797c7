"""The shapes a user writes first all plan with exit 0 (and no apply-time violation): the
smallest stack, an NLB-only TCP service, an EC2-only cluster, a worker and a job without a
load balancer, a blue/green HTTPS service, several services joined by Service Connect."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from offline.__main__ import main

REGION = {"aws:region": "ap-northeast-2"}
NETWORK = {"ecs-platform:network": {"cidrBlock": "10.50.0.0/16", "availabilityZones": 2,
                                    "natGateways": "single"}}  # fmt: skip
IMAGE = "public.ecr.aws/nginx/nginx:1.27"
CERT = "arn:aws:acm:ap-northeast-2:123456789012:certificate/0b6d2e4f-8a1c-4d3e-9f5a-7c2b1e0d9a8f"

SHAPES: dict[str, dict[str, Any]] = {
    "nlb-only-tcp-service": {
        **REGION, **NETWORK,
        # TCP to the tasks; the listener terminates TLS (a plain TCP listener is refused by
        # the policy pack's lb-listener-encrypted in every environment).
        "ecs-platform:loadBalancers": {"mqtt": {"type": "network", "certificateArn": CERT}},
        "ecs-platform:services": {
            "broker": {"image": IMAGE, "containerPort": 8883, "loadBalancer": {"name": "mqtt"}}
        },
    },
    "ec2-only-cluster": {
        **REGION, **NETWORK,
        "ecs-platform:cluster": {
            "capacityProviders": [{"provider": "EC2", "weight": 1}],
            "ec2Capacity": {"instanceType": "m7g.large", "minSize": 1, "maxSize": 3},
        },
        "ecs-platform:services": {
            "api": {"image": IMAGE, "cpu": 512, "memory": 1024, "cpuArchitecture": "ARM64"}
        },
    },
    "worker-and-job-without-a-load-balancer": {
        **REGION, **NETWORK,
        "ecs-platform:workers": {
            "thumbs": {"image": IMAGE, "scaling": {"minCount": 0, "maxCount": 2,
                                                   "backlogPerTask": 10}}
        },
        "ecs-platform:scheduledTasks": {"report": {"image": IMAGE, "schedule": "rate(1 hour)"}},
    },
    "blue-green-https-service": {
        **REGION, **NETWORK,
        "ecs-platform:loadBalancers": {"public": {"type": "application", "certificateArn": CERT}},
        "ecs-platform:services": {
            "web": {"image": IMAGE, "containerPort": 80, "desiredCount": 2,
                    "loadBalancer": {"name": "public"},
                    "deployment": {"strategy": "BLUE_GREEN", "bakeTimeMinutes": 5}}
        },
    },
    "several-services-with-service-connect": {
        **REGION, **NETWORK,
        "ecs-platform:loadBalancers": {"public": {"type": "application", "certificateArn": CERT}},
        "ecs-platform:services": {
            "web": {"image": IMAGE, "containerPort": 80, "loadBalancer": {"name": "public"},
                    "serviceConnect": {"expose": False, "calls": ["api", "search"]}},
            "api": {"image": IMAGE, "containerPort": 8080,
                    "serviceConnect": {"dnsName": "api", "port": 80, "calls": ["search"]}},
            "search": {"image": IMAGE, "containerPort": 9200,
                       "serviceConnect": {"appProtocol": "http2"}},
        },
    },
}  # fmt: skip


def plan_exit(cfg: dict[str, Any], tmp_path, capsys) -> tuple[int, dict, str]:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(yaml.safe_dump({"config": cfg}))
    code = main(["plan", "--stack", "dev", "--config-file", str(path), "--json"])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if out.out else {}), out.err


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_each_valid_shape_plans_with_exit_0_and_no_apply_time_violation(name, tmp_path, capsys):
    code, doc, err = plan_exit(SHAPES[name], tmp_path, capsys)
    assert code == 0, err
    assert doc["checks"]["violations"] == []


def test_the_smallest_stack_region_and_one_image_plans(tmp_path, capsys):
    code, _doc, err = plan_exit(
        {**REGION, "ecs-platform:services": {"web": {"image": IMAGE}}}, tmp_path, capsys
    )
    assert code == 0, err
