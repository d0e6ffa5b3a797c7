"""A plan's work grows with the stack, not with its square: lookups that ran once per service or
per resource over the whole stack (or the whole tz database) now run once. No timings here:
each test counts the expensive step (benchmarks/plan_command.py prints the times)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from components.config import parse_stack_config
from components.specs import common
from policy.rules.base import Resource, Stack


def _service(i: int) -> dict[str, Any]:
    return {
        "image": "public.ecr.aws/nginx/nginx:1.27",
        "containerPort": 80,
        "loadBalancer": {"name": "public", "pathPatterns": [f"/s{i}/*"]},
        "autoscaling": {
            "minCount": 1,
            "maxCount": 2,
            "cpuTarget": 60,
            "schedules": [
                {
                    "name": "night",
                    "schedule": "cron(0 20 ? * * *)",
                    "timezone": "Asia/Seoul",
                    "minCount": 0,
                    "maxCount": 0,
                },
                {
                    "name": "day",
                    "schedule": "cron(0 8 ? * * *)",
                    "timezone": "Europe/Berlin",
                    "minCount": 1,
                    "maxCount": 2,
                },
            ],  # fmt: skip
        },
    }


def test_the_tz_database_is_listed_once_however_many_schedules(monkeypatch):
    listed = []
    real = zoneinfo.available_timezones

    def counting() -> set[str]:
        listed.append(1)
        return real()

    monkeypatch.setattr(zoneinfo, "available_timezones", counting)
    common._time_zones.cache_clear()
    config = {
        "aws:region": "eu-west-1",
        "ecs-platform:network": {"cidrBlock": "10.20.0.0/16", "availabilityZones": 2},
        "ecs-platform:loadBalancers": {"public": {"type": "application"}},
        "ecs-platform:services": {f"svc{i}": _service(i) for i in range(5)},
    }
    parsed = parse_stack_config(config, stack="t", source="Pulumi.t.yaml", project_defaults={})
    assert len(parsed.services) == 5
    assert len(listed) == 1
    with pytest.raises(ValueError, match="not an IANA time zone"):
        common.check_time_zone("Mars/Olympus")
    assert len(listed) == 1
    common._time_zones.cache_clear()


class CountingSequence(Sequence[Resource]):
    """A stack's resource list that counts how often it is walked from the start."""

    def __init__(self, items: list[Resource]) -> None:
        self.items = items
        self.walks = 0

    def __iter__(self) -> Iterator[Resource]:
        self.walks += 1
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: Any) -> Any:
        return self.items[i]


def _stack(n: int) -> tuple[Stack, CountingSequence]:
    items = [Resource("aws:ec2/vpc:Vpc", "vpc", "urn:vpc", {})]
    for i in range(n):
        sg = Resource("aws:ec2/securityGroup:SecurityGroup", f"sg{i}", f"urn:sg{i}", {},
                      dependencies=("urn:vpc",))  # fmt: skip
        rule = Resource(
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            f"rule{i}",
            f"urn:rule{i}",
            {},
            dependencies=(f"urn:sg{i}", f"urn:sg{i}", "urn:vpc"),
        )
        items += [sg, rule]
    resources = CountingSequence(items)
    return Stack(resources), resources


def test_stack_lookups_walk_the_resources_once_per_index_not_once_per_call():
    stack, resources = _stack(50)
    for i in range(50):
        sg = stack.get(f"urn:sg{i}")
        assert sg is not None and sg.name == f"sg{i}"
        (rule,) = stack.dependents(sg)
        assert stack.deps(rule, "aws:ec2/securityGroup:SecurityGroup") == [sg, sg]
        assert len(stack.of_type("aws:ec2/securityGroup:SecurityGroup")) == 50
    assert resources.walks <= 3  # one walk per index: by URN, by dependency, by type


def test_indexed_lookups_answer_as_a_scan_of_the_stack_does():
    stack, resources = _stack(5)
    items = resources.items
    vpc = items[0]
    assert stack.get("urn:missing") is None
    assert stack.dependents(vpc) == [r for r in items if vpc.urn in r.dependencies]
    ingress = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
    assert stack.dependents(vpc, ingress) == [r for r in items[1:] if r.type == ingress]
    both = stack.of_type(ingress, "aws:ec2/vpc:Vpc")
    assert both == [r for r in items if r.type in (ingress, "aws:ec2/vpc:Vpc")]
    assert stack.of_type("aws:s3/bucket:Bucket") == []
