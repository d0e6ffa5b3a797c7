"""Team grants and stack kinds: the shapes a platform or service stack refuses, each with one
line naming the file, the key, the value and what is allowed (ConfigError, exit 2), and
listener rule priorities derived inside a team's range."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.config import ConfigError, exit_on_config_error
from components.config.priorities import rule_priorities
from components.specs.service import ServiceSpec
from offline.stackfiles import load_stack

from .support import (
    config,
    plan_in,
    platform_config,
    service_config,
    web_service,
    write_project,
)


def refused(tmp_path: Path, stack: str, stacks: dict[str, dict[str, Any]]) -> ConfigError:
    write_project(tmp_path, stacks)
    with pytest.raises(ConfigError) as info:
        plan_in(tmp_path, stack)
    return info.value


def team_a(tmp_path: Path, platform: dict[str, Any] | None = None, **svc: Any) -> ConfigError:
    """team-a's service stack with one service (`svc` over the defaults), refused."""
    path = svc.pop("path", "/a/*")
    stacks = {
        "platform-dev": platform or platform_config(),
        "team-a": service_config(services={"web": web_service(path, **svc)}),
    }
    return refused(tmp_path, "team-a", stacks)


# -- keys per stack kind --------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["network", "cluster", "loadBalancers"])
def test_a_service_stack_refuses_the_platforms_parts(tmp_path, key):
    values = {"network": {"cidrBlock": "10.9.0.0/16"}, "cluster": {"containerInsights": "enabled"},
              "loadBalancers": {"public": {}}}  # fmt: skip
    cfg = service_config(**{key: values[key]})
    err = refused(tmp_path, "team-a", {"platform-dev": platform_config(), "team-a": cfg})
    assert err.source.startswith("Pulumi.team-a.yaml:") and err.path == key
    assert "belongs to the platform stack; set it in Pulumi.<platform>.yaml" in err.message


@pytest.mark.parametrize("key", ["services", "workers", "scheduledTasks"])
def test_a_platform_stack_refuses_workloads(tmp_path, key):
    cfg = {**platform_config(), f"ecs-platform:{key}": {"web": web_service("/*")}}
    err = refused(tmp_path, "platform-dev", {"platform-dev": cfg})
    assert err.path == key and err.source.startswith("Pulumi.platform-dev.yaml:")
    assert "a platform stack holds no workloads; they go in a service stack" in err.message


def test_a_single_stack_refuses_teams(tmp_path):
    cfg = {**platform_config(), "ecs-platform:stackKind": "single"}
    err = refused(tmp_path, "dev", {"dev": cfg})
    assert err.path == "teams" and "granted by a platform stack" in err.message


def test_a_service_stack_needs_a_platform(tmp_path):
    cfg = service_config(services={"web": web_service("/a/*")})
    del cfg["ecs-platform:platform"]
    err = refused(tmp_path, "team-a", {"team-a": cfg})
    assert err.path == "platform" and "required in a service stack" in err.message


def test_a_service_stack_runs_on_fargate_only(tmp_path):
    err = team_a(tmp_path, capacityProviders=[{"provider": "EC2", "weight": 1}])
    assert err.path == "services.web.capacityProviders[0].provider"
    assert "FARGATE and FARGATE_SPOT only" in err.message


# -- grants in the platform stack -----------------------------------------------------------------


def grant(frm: int, to: int, **extra: Any) -> dict[str, Any]:
    return {"loadBalancer": "public", "priorities": {"from": frm, "to": to}, **extra}


def test_named_grants_with_overlapping_priority_ranges_are_refused_naming_both(tmp_path):
    cfg = platform_config(**{"team-a": grant(1000, 1999, paths=["/a/*"]),
                             "team-b": grant(1500, 2500, paths=["/b/*"])})  # fmt: skip
    err = refused(tmp_path, "platform-dev", {"platform-dev": cfg})
    assert err.path == "teams.team-b.priorities"
    assert "1500-2500 overlaps 1000-1999 granted to team team-a" in err.message


def test_named_grants_with_overlapping_scopes_are_refused_naming_both(tmp_path):
    cfg = platform_config(**{"team-a": grant(1000, 1999, paths=["/shop/*"]),
                             "team-b": grant(2000, 2999, paths=["/shop/cart/*"])})  # fmt: skip
    err = refused(tmp_path, "platform-dev", {"platform-dev": cfg})
    assert err.path == "teams.team-b.paths"
    assert "'/shop/cart/*' overlaps '/shop/*' granted to team team-a" in err.message


def test_grants_on_disjoint_hosts_may_share_paths(tmp_path):
    cfg = platform_config(**{"team-a": grant(1000, 1999, hosts=["a.example.com"]),
                             "team-b": grant(2000, 2999, hosts=["b.example.com"])})  # fmt: skip
    write_project(tmp_path, {"platform-dev": cfg})
    assert plan_in(tmp_path, "platform-dev").outputs["platform"]["teams"]


@pytest.mark.parametrize(
    ("value", "message"),
    [({"from": 3000, "to": 2000}, "3000 is above to 2000"),
     ({"from": 0, "to": 2000}, "below the minimum 1"),
     ({"from": 1, "to": 50001}, "above the maximum 50000")],
)  # fmt: skip
def test_a_priority_range_is_inside_1_to_50000_and_ordered(tmp_path, value, message):
    cfg = platform_config(**{"team-a": {"loadBalancer": "public", "priorities": value}})
    err = refused(tmp_path, "platform-dev", {"platform-dev": cfg})
    assert err.path.startswith("teams.team-a.priorities") and message in err.message


def test_a_grant_names_an_alb_of_the_platform(tmp_path):
    cfg = platform_config(
        **{"team-a": {"loadBalancer": "internal", "priorities": {"from": 1, "to": 9}}}
    )
    err = refused(tmp_path, "platform-dev", {"platform-dev": cfg})
    assert err.path == "teams.team-a.loadBalancer" and "known: public" in err.message


def test_a_team_name_is_a_resource_key_or_star(tmp_path):
    cfg = platform_config(**{"Team A": grant(1, 9)})
    err = refused(tmp_path, "platform-dev", {"platform-dev": cfg})
    assert "is not a team name" in err.message


# -- a service stack inside its grant --------------------------------------------------------------


def test_a_declared_priority_outside_the_range_is_refused(tmp_path):
    err = team_a(tmp_path, loadBalancer={"priority": 2500})
    assert err.path == "services.web.loadBalancer.priority"
    assert "2500 is outside team team-a's range 1000-1999" in err.message
    assert "Pulumi.platform-dev.yaml teams.team-a.priorities" in err.message


def test_a_path_not_covered_by_the_grant_is_refused(tmp_path):
    err = team_a(tmp_path, path="/b/*")
    assert err.path == "services.web.loadBalancer.pathPatterns"
    assert "'/b/*' is not covered by team team-a's paths ['/a/*']" in err.message


def test_a_host_not_covered_by_the_grant_is_refused(tmp_path):
    stacks = {
        "platform-dev": platform_config(),
        "team-b": service_config(services={"shop": web_service(
            "/b/*", loadBalancer={"hostHeaders": ["shop.a.example.com"]})}),
    }  # fmt: skip
    err = refused(tmp_path, "team-b", stacks)
    assert err.path == "services.shop.loadBalancer.hostHeaders"
    assert "'shop.a.example.com' is not covered by team team-b's hosts" in err.message


def test_any_host_is_refused_when_the_grant_names_hosts(tmp_path):
    stacks = {"platform-dev": platform_config(),
              "team-b": service_config(services={"shop": web_service("/b/*")})}  # fmt: skip
    err = refused(tmp_path, "team-b", stacks)
    assert err.path == "services.shop.loadBalancer.hostHeaders" and "any host" in err.message


def test_a_port_not_granted_is_refused(tmp_path):
    err = team_a(tmp_path, containerPort=9090)
    assert err.path == "services.web.containerPort"
    assert "9090 is not among team team-a's ports [8080]" in err.message


def test_a_team_without_a_grant_and_no_star_grant_is_refused(tmp_path):
    platform = platform_config(**{"team-b": grant(2000, 2999, paths=["/b/*"])})
    stacks = {"platform-dev": platform,
              "team-x": service_config(services={"web": web_service("/x/*")})}  # fmt: skip
    err = refused(tmp_path, "team-x", stacks)
    assert err.path == "team"
    assert "'team-x' has no grant in Pulumi.platform-dev.yaml teams (granted: team-b" in err.message


def test_the_star_grant_gives_each_team_its_own_path(tmp_path):
    ok = service_config(services={"web": web_service("/team-x/*")})
    other = service_config(services={"web": web_service("/team-y/*")})
    write_project(tmp_path, {"platform-dev": platform_config(), "team-x": ok, "team-y": other})
    assert load_stack("team-x", project_dir=tmp_path).config.grant is not None
    err = refused(tmp_path, "team-x", {"team-x": other})
    assert "'/team-y/*' is not covered by team team-x's paths ['/team-x/*']" in err.message
    assert 'Pulumi.platform-dev.yaml teams."*".paths' in err.message


def test_the_team_key_overrides_the_stack_name(tmp_path):
    cfg = service_config(team="team-a", services={"web": web_service("/a/*")})
    write_project(tmp_path, {"platform-dev": platform_config(), "a-prod": cfg})
    resolved = load_stack("a-prod", project_dir=tmp_path).config
    assert resolved.grant is not None and resolved.grant.priorities.from_ == 1000


def test_a_refused_service_stack_exits_2_with_one_line(tmp_path, capsys):
    err = team_a(tmp_path, containerPort=9090)
    with pytest.raises(SystemExit) as done, exit_on_config_error():
        raise err
    assert done.value.code == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("Pulumi.team-a.yaml") and "services.web.containerPort" in line


# -- derived priorities inside a range ------------------------------------------------------------


def svc(path: str) -> ServiceSpec:
    return ServiceSpec.model_validate(web_service(path))


@settings(max_examples=60, deadline=None)
@given(
    low=st.integers(1, 49_990),
    width=st.integers(0, 3000),
    paths=st.lists(st.sampled_from(["/*", "/a/*", "/a/b/*", "/c", "/c/d/e"]), min_size=1,
                   max_size=6),
)  # fmt: skip
def test_derived_priorities_stay_inside_the_range_and_are_unique(low, width, paths):
    high = min(low + width, 50_000)
    services = {f"s{i}": svc(p) for i, p in enumerate(paths)}
    if len(services) > high - low + 1:
        with pytest.raises(ValueError, match="no free listener rule priority"):
            rule_priorities(services, (low, high))
        return
    got = rule_priorities(services, (low, high), salt="team/")
    assert all(low <= p <= high for p in got.values())
    assert len(set(got.values())) == len(got)


def test_deeper_paths_get_lower_priorities_inside_the_range():
    got = rule_priorities({"web": svc("/a/*"), "api": svc("/a/api/*")}, (1000, 1999))
    assert got["api"] < got["web"]


@pytest.mark.parametrize("kind", [["service"], {"kind": "platform"}, "services"])
def test_a_stack_kind_that_is_not_one_of_the_three_is_one_config_error(kind):
    from components.config import parse_stack_config

    with pytest.raises(ConfigError) as info:  # parsed directly: no Pulumi.yaml type check first
        parse_stack_config(config(stackKind=kind), stack="test", source="Pulumi.test.yaml")
    assert info.value.path == "stackKind"
    assert all(kind in info.value.message for kind in ("single", "platform", "service"))


@pytest.mark.parametrize(
    ("reference", "local", "qualified"),
    [
        ("platform-dev", "platform-dev", "acme/ecs-platform/platform-dev"),
        ("corp/platform-dev", "platform-dev", "corp/ecs-platform/platform-dev"),
        ("corp/ecs-platform/platform-dev", "platform-dev", "corp/ecs-platform/platform-dev"),
        ("corp/network/platform-dev", None, "corp/network/platform-dev"),
    ],
)
def test_a_platform_stack_reference_is_read_one_way(reference, local, qualified):
    from components.specs.platform import StackName

    name = StackName.parse(reference)
    assert name.local() == local and name.qualified("acme") == qualified


def test_siblings_on_the_same_platform_spelled_another_way_still_collide(tmp_path):
    write_project(tmp_path, {
        "platform-dev": platform_config(**{"*": {
            "loadBalancer": "public", "priorities": {"from": 100, "to": 999},
            "paths": ["/shared/*"]}}),
        "team-a": service_config(services={"web": web_service("/shared/*")}),
        "team-b": service_config(platform={"stack": "acme/ecs-platform/platform-dev"},
                                 services={"api": web_service("/shared/*")}),
    })  # fmt: skip
    with pytest.raises(ConfigError, match="Pulumi.team-a.yaml services.web"):
        load_stack("team-b", project_dir=tmp_path)
