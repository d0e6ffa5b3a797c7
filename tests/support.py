"""Test harness: plan a config dict with the offline engine (the same one `make plan` uses)."""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.config import ConfigError
from offline.engine import Captured, Plan, plan

REGION = "ap-northeast-2"
ACCOUNT = "123456789012"

BASE: dict[str, Any] = {
    "aws:region": REGION,
    "ecs-platform:network": {"cidrBlock": "10.20.0.0/16", "availabilityZones": 2},
}

_cache: dict[str, Plan] = {}

# The tests' own stack files: frozen copies of the examples, so the shipped Pulumi.*.yaml stay
# the team's to edit. Plan them with fixture_plan(); the shipped ones only get invariants.
FIXTURE_STACKS = Path(__file__).resolve().parent / "fixtures" / "stacks"


def fixture_path(stack: str) -> Path:
    return FIXTURE_STACKS / f"Pulumi.{stack}.yaml"


def fixture_doc(stack: str) -> dict[str, Any]:
    return yaml.safe_load(fixture_path(stack).read_text())


def fixture_plan(stack: str) -> Plan:
    """The plan of tests/fixtures/stacks/Pulumi.<stack>.yaml as stack <stack> (cached)."""
    key = f"fixture:{stack}"
    if key not in _cache:
        _cache[key] = plan(stack, fixture_path(stack))
    return _cache[key]


def config(**keys: Any) -> dict[str, Any]:
    """BASE plus top-level keys: config(services={...}) sets ecs-platform:services."""
    out = copy.deepcopy(BASE)
    for key, value in keys.items():
        out[key if ":" in key else f"ecs-platform:{key}"] = value
    return out


def mutate(cfg: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Copy of `cfg` with the dotted path (below ecs-platform:) set; value DELETE removes it."""
    out = copy.deepcopy(cfg)
    top, *rest = path.split(".")
    key = top if ":" in top else f"ecs-platform:{top}"
    if not rest:
        if value is DELETE:
            out.pop(key, None)
        else:
            out[key] = value
        return out
    node = out.setdefault(key, {})
    for part in rest[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    last: Any = int(rest[-1]) if isinstance(node, list) else rest[-1]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return out


DELETE = object()


def plan_config(cfg: dict[str, Any], stack: str = "test") -> Plan:
    key = json.dumps([stack, cfg], sort_keys=True)
    if key not in _cache:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"Pulumi.{stack}.yaml"
            path.write_text(yaml.safe_dump({"config": cfg}))
            _cache[key] = plan(stack, path)
    return _cache[key]


def config_error(cfg: dict[str, Any], stack: str = "test") -> ConfigError:
    with pytest.raises(ConfigError) as info:
        plan_config(cfg, stack)
    return info.value


def only(plan_: Plan, type_: str) -> Captured:
    found = plan_.of_type(type_)
    assert len(found) == 1, f"expected one {type_}, got {[r.name for r in found]}"
    return found[0]


# -- platform and team service stacks ------------------------------------------------------

PLATFORM_REGION = "us-east-1"


def platform_config(**teams: Any) -> dict[str, Any]:
    """A platform stack: a 10.40.0.0/16 network, one internet-facing ALB `public`, `teams`."""
    return {
        "aws:region": PLATFORM_REGION,
        "ecs-platform:stackKind": "platform",
        "ecs-platform:network": {"cidrBlock": "10.40.0.0/16", "availabilityZones": 2},
        "ecs-platform:loadBalancers": {"public": {"type": "application"}},
        "ecs-platform:teams": teams
        or {
            "team-a": {"loadBalancer": "public", "priorities": {"from": 1000, "to": 1999},
                       "paths": ["/a/*"], "ports": [8080]},
            "team-b": {"loadBalancer": "public", "priorities": {"from": 2000, "to": 2999},
                       "paths": ["/b/*"], "hosts": ["*.b.example.com"], "ports": [8080, 9090]},
            "*": {"loadBalancer": "public", "priorities": {"from": 40000, "to": 49999},
                  "paths": ["/{team}/*"]},
        },
    }  # fmt: skip


def web_service(path: str, **extra: Any) -> dict[str, Any]:
    """A small service routed on the platform's ALB `public` by `path`."""
    lb = {"name": "public", "pathPatterns": [path], **extra.pop("loadBalancer", {})}
    return {
        "image": "public.ecr.aws/nginx/nginx:1.27",
        "containerPort": 8080,
        "cpu": 256,
        "memory": 512,
        "loadBalancer": lb,
        **extra,
    }


def service_config(platform: Any = None, **keys: Any) -> dict[str, Any]:
    """A service stack on `platform` (default: the stack platform-dev), plus top-level keys."""
    out: dict[str, Any] = {
        "aws:region": PLATFORM_REGION,
        "ecs-platform:stackKind": "service",
        "ecs-platform:platform": platform or {"stack": "platform-dev"},
    }
    for key, value in keys.items():
        out[key if ":" in key else f"ecs-platform:{key}"] = value
    return out


def write_project(folder: Path, stacks: dict[str, dict[str, Any]]) -> Path:
    """Pulumi.<stack>.yaml for each of `stacks` in `folder` (a project directory)."""
    for stack, cfg in stacks.items():
        (folder / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": cfg}))
    return folder


def plan_in(folder: Path, stack: str, platform: Plan | None = None) -> Plan:
    """Plan `stack` of the project in `folder`; a service stack reads `platform`'s outputs."""
    outputs = {platform.stack: platform.outputs} if platform is not None else None
    return plan(stack, project_dir=folder, stack_outputs=outputs)
