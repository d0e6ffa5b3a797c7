"""Ownership between service stacks of one platform, and the pattern logic under it: covering
and overlap of ALB path and host patterns are evaluated (checked here against the patterns'
meaning), never compared as text; two teams' rules that could match one request, or share a
priority on one listener, are refused naming both claims."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.config import ConfigError
from components.config.patterns import covers, overlaps, scope_overlap
from offline.stackfiles import load_stack

from .support import platform_config, service_config, web_service, write_project

ROOT = Path(__file__).resolve().parent.parent


def shared_platform() -> dict[str, Any]:
    """team-a granted /a/* and /shared/*; every other team (the "*" grant) /shared/* too."""
    return platform_config(**{
        "team-a": {"loadBalancer": "public", "priorities": {"from": 1000, "to": 1999},
                   "paths": ["/a/*", "/shared/*"]},
        "team-b": {"loadBalancer": "public", "priorities": {"from": 2000, "to": 2999},
                   "paths": ["/b/*"]},
        "*": {"loadBalancer": "public", "priorities": {"from": 40000, "to": 49999},
              "paths": ["/shared/*"]},
    })  # fmt: skip


def test_two_teams_claiming_overlapping_paths_are_refused_naming_both(tmp_path):
    write_project(tmp_path, {
        "platform-dev": shared_platform(),
        "team-a": service_config(services={"web": web_service("/shared/*")}),
        "team-c": service_config(services={"api": web_service("/shared/api/*")}),
    })  # fmt: skip
    with pytest.raises(ConfigError) as info:
        load_stack("team-c", project_dir=tmp_path)
    err = info.value
    assert err.path == "services.api.loadBalancer.pathPatterns"
    assert (
        "'/shared/api/*' overlaps '/shared/*' claimed by Pulumi.team-a.yaml services.web "
        "(team team-a) on public" in err.message
    )
    with pytest.raises(ConfigError, match=r"claimed by Pulumi\.team-c\.yaml services\.api"):
        load_stack("team-a", project_dir=tmp_path)


def test_same_paths_on_disjoint_hosts_do_not_collide(tmp_path):
    platform = platform_config(**{
        "team-a": {"loadBalancer": "public", "priorities": {"from": 1000, "to": 1999},
                   "hosts": ["a.example.com"]},
        "team-b": {"loadBalancer": "public", "priorities": {"from": 2000, "to": 2999},
                   "hosts": ["b.example.com"]},
    })  # fmt: skip
    a = web_service("/api/*", loadBalancer={"hostHeaders": ["a.example.com"]})
    b = web_service("/api/*", loadBalancer={"hostHeaders": ["B.Example.com"]})
    write_project(tmp_path, {"platform-dev": platform,
                             "team-a": service_config(services={"api": a}),
                             "team-b": service_config(services={"api": b})})  # fmt: skip
    assert load_stack("team-a", project_dir=tmp_path).config.grant is not None
    assert load_stack("team-b", project_dir=tmp_path).config.grant is not None


def test_two_teams_with_the_same_priority_on_one_listener_are_refused(tmp_path):
    write_project(tmp_path, {
        "platform-dev": platform_config(),
        "team-x": service_config(services={"web": web_service(
            "/team-x/*", loadBalancer={"priority": 40001})}),
        "team-y": service_config(services={"app": web_service(
            "/team-y/*", loadBalancer={"priority": 40001})}),
    })  # fmt: skip
    with pytest.raises(ConfigError) as info:
        load_stack("team-y", project_dir=tmp_path)
    assert info.value.path == "services.app.loadBalancer.priority"
    assert (
        "40001 is also the priority of Pulumi.team-x.yaml services.web (team team-x)"
        in info.value.message
    )


def test_stacks_of_another_platform_are_not_siblings(tmp_path):
    write_project(tmp_path, {
        "platform-dev": platform_config(),
        "platform-prod": platform_config(),
        "team-a": service_config(services={"web": web_service("/a/*")}),
        "team-a-prod": service_config({"stack": "platform-prod"}, team="team-a",
                                      services={"web": web_service("/a/*")}),
    })  # fmt: skip
    assert load_stack("team-a", project_dir=tmp_path).config.grant is not None


def test_a_platform_stack_that_is_not_a_platform_is_refused(tmp_path):
    single = {**platform_config(), "ecs-platform:stackKind": "single", "ecs-platform:teams": {}}
    write_project(
        tmp_path,
        {"platform-dev": single, "team-a": service_config(services={"web": web_service("/a/*")})},
    )
    with pytest.raises(ConfigError, match="is a single stack, not a platform stack"):
        load_stack("team-a", project_dir=tmp_path)


def test_the_cli_exits_2_with_one_line_for_a_collision(tmp_path):
    write_project(tmp_path, {
        "platform-dev": shared_platform(),
        "team-a": service_config(services={"web": web_service("/shared/*")}),
        "team-c": service_config(services={"web": web_service("/shared/*")}),
    })  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "offline", "plan", "--stack", "team-c", "--config-file",
         str(tmp_path / "Pulumi.team-c.yaml")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "services.web.loadBalancer.pathPatterns" in line
    assert "claimed by Pulumi.team-a.yaml services.web (team team-a)" in line


# -- the patterns ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outer", "inner"),
    [("/a/*", "/a/api/*"), ("/a/*", "/a/b"), ("/*", "/x?y/*"), ("/a?c", "/abc"),
     ("*.a.example.com", "api.a.example.com"), ("*.a.example.com", "*.x.a.example.com"),
     ("/a/*/c", "/a/b/c"), ("/*/b/*", "/x/b/y/*")],
)  # fmt: skip
def test_covers(outer, inner):
    assert covers(outer, inner)


@pytest.mark.parametrize(
    ("outer", "inner"),
    [("/a/*", "/ab"), ("/a/*", "/*"), ("/a/api/*", "/a/*"), ("*.a.example.com", "a.example.com"),
     ("/a?c", "/a*c"), ("/a/b", "/a/b/")],
)  # fmt: skip
def test_does_not_cover(outer, inner):
    assert not covers(outer, inner)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("/a/*", "/*/b", True), ("/a/*", "/b/*", False), ("/shared/*", "/shared/*", True),
     ("/x?z", "/x*", True), ("/a", "/b", False), ("*.example.com", "api.example.org", False)],
)  # fmt: skip
def test_overlaps(a, b, expected):
    assert overlaps(a, b) is expected


def test_hosts_compare_case_insensitively_paths_do_not():
    assert scope_overlap(["API.example.com"], ["/x"], ["api.EXAMPLE.com"], ["/x"]) is not None
    assert scope_overlap([], ["/X"], [], ["/x"]) is None
    assert scope_overlap([], [], ["a.example.com"], []) is not None  # any host, any path


def matches(pattern: str, text: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, flags=re.DOTALL) is not None


ALPHABET = "ab/"
patterns_ = st.text(alphabet="ab/*?", max_size=4)


def strings(max_len: int) -> list[str]:
    return ["".join(p) for n in range(max_len + 1) for p in itertools.product(ALPHABET, repeat=n)]


@settings(max_examples=200, deadline=None)
@given(a=patterns_, b=patterns_)
def test_overlaps_is_exactly_a_common_match(a, b):
    # A shortest common string is no longer than the two patterns' lengths together.
    witness = any(matches(a, s) and matches(b, s) for s in strings(len(a) + len(b)))
    assert overlaps(a, b) is witness


@settings(max_examples=200, deadline=None)
@given(a=patterns_, b=patterns_, text=st.text(alphabet=ALPHABET, max_size=8))
def test_covers_is_sound(a, b, text):
    if covers(a, b) and matches(b, text):
        assert matches(a, text)
