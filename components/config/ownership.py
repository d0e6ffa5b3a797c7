"""Ownership: what a service stack may claim on its platform's load balancers.

`resolve(config, project_dir, source)` completes a service stack's config with what its platform
says (the team's grant, the platform's load balancers and VPC CIDR) and checks, when the
platform's stack file is in the project directory:

- the team has a grant (`teams.<team>` or `teams."*"`, with `{team}` replaced);
- each service's rule goes on the granted ALB, its priority is inside the granted range, its
  hosts and paths are covered by granted patterns (patterns.py: evaluated, not compared as
  text) and its containerPort is a granted port;
- no other service stack of the same platform in the project directory (its sibling
  `Pulumi.*.yaml` files) has a rule that could match the same request, or the same priority,
  on the same listener.

The resolved config also takes from the platform what the workloads read of it: Container
Insights and, unless the team names its own, the alarm topic.

A brownfield platform (an existing listener by ARN) grants everything on its one listener,
named `platform`. Each refusal is one ConfigError naming the file, the key, the value, what is
allowed and, for a collision, both claims (files, services, patterns).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..specs.load_balancer import LoadBalancerSpec
from ..specs.platform import ANY_TEAM, BROWNFIELD_LOAD_BALANCER, StackName, TeamGrantSpec
from . import patterns
from .errors import ConfigError

if TYPE_CHECKING:
    from .model import StackConfig

Parse = Callable[[Mapping[str, Any], str, str], "StackConfig"]  # (raw, stack, source)


@dataclass(frozen=True)
class Claim:
    """One service's listener rule, as a sibling check compares it."""

    source: str
    team: str
    service: str
    load_balancer: str
    hosts: tuple[str, ...]
    paths: tuple[str, ...]
    priority: int


def stack_file_values(path: Path) -> dict[str, Any]:
    """A stack file's `config:` as the flat mapping the parser takes (`ecs-platform:` keys)."""
    from ..stack_yaml import load

    doc, _ = load(path.read_text(), path.name)
    config = (doc or {}).get("config") or {} if isinstance(doc, dict) else {}
    return {(k if ":" in str(k) else f"ecs-platform:{k}"): v for k, v in config.items()}


def platform_file(config: StackConfig, project_dir: Path) -> Path | None:
    """The platform's stack file in the project directory, when it is a stack of this project
    and its file is there."""
    assert config.platform is not None
    name = config.platform.stack
    local = StackName.parse(name).local() if name is not None else None
    path = project_dir / f"Pulumi.{local}.yaml"
    return path if local is not None and path.is_file() else None


def resolve(config: StackConfig, project_dir: Path, source: str, parse: Parse) -> StackConfig:
    """`config` with its grant and the platform's load balancers, after the ownership checks."""
    assert config.platform is not None
    if config.platform.brownfield:
        return _brownfield(config, source)
    path = platform_file(config, project_dir)
    if path is None:  # a platform elsewhere: its outputs are read at deploy time only
        _check_blue_green(config, source, None)
        return config
    platform = parse(stack_file_values(path), path.name.removeprefix("Pulumi.")[:-5], path.name)
    if platform.stack_kind != "platform":
        raise ConfigError(
            source,
            "platform.stack",
            f"{config.platform.stack!r}: {path.name} is a {platform.stack_kind} stack, not a "
            "platform stack (stackKind: platform)",
        )
    grant = team_grant(platform, config.team_name)
    if grant is None:
        named = sorted(t for t in platform.teams if t != ANY_TEAM)
        raise ConfigError(
            source,
            "team",
            f"{config.team_name!r} has no grant in {path.name} teams (granted: "
            f'{", ".join(named) or "none"}; no "*" grant); add teams.{config.team_name} '
            'there, or a "*" grant',
        )
    cidr = platform.network.vpc_cidr
    # What the workloads read of the cluster and alarms: Container Insights (which metrics
    # exist) and, unless the team names its own, the platform's alarm topic.
    cluster = config.cluster.model_copy(
        update={"container_insights": platform.cluster.container_insights}
    )
    observability = config.observability
    if observability.alarm_topic_arn is None:
        observability = observability.model_copy(
            update={"alarm_topic_arn": platform.observability.alarm_topic_arn}
        )
    resolved = config.model_copy(
        update={
            "grant": grant,
            "platform_load_balancers": dict(platform.load_balancers),
            "platform_vpc_cidr": cidr,
            "cluster": cluster,
            "observability": observability,
        }
    )
    where = f"teams.{config.team_name}" if config.team_name in platform.teams else 'teams."*"'
    _check_grant(resolved, grant, f"{path.name} {where}", source)
    _check_blue_green(resolved, source, cidr)
    ours = claims(resolved, source)
    _check_own_rules(ours)
    for sibling in sorted(project_dir.glob("Pulumi.*.yaml")):
        if sibling.name in (source, Path(source).name, path.name):
            continue
        theirs = _sibling_claims(sibling, config, platform, parse)
        _check_collisions(ours, theirs)
    return resolved


def team_grant(platform: StackConfig, team: str) -> TeamGrantSpec | None:
    """The team's own grant, else the "*" grant with {team} replaced, else None."""
    if team in platform.teams:
        return platform.teams[team]
    wildcard = platform.teams.get(ANY_TEAM)
    return wildcard.for_team(team) if wildcard is not None else None


def claims(config: StackConfig, source: str) -> list[Claim]:
    """Every listener rule of a resolved service stack."""
    out = []
    lbs = sorted({s.load_balancer.name for s in config.services.values() if s.load_balancer})
    for lb in lbs:
        for name, priority in config.listener_rules(lb).items():
            ref = config.services[name].load_balancer
            assert ref is not None
            out.append(
                Claim(source, config.team_name, name, lb, tuple(ref.host_headers),
                      tuple(ref.path_patterns), priority)
            )  # fmt: skip
    return out


def _brownfield(config: StackConfig, source: str) -> StackConfig:
    platform = config.platform
    assert (
        platform is not None and platform.listener_arn and platform.load_balancer_security_group_id
    )
    if platform.region is not None and platform.region != config.region:
        raise ConfigError(
            source,
            "platform.clusterArn",
            f"{platform.cluster_arn!r} is in {platform.region}, the stack in {config.region} "
            "(aws:region); a service stack deploys in its cluster's region",
        )
    existing = LoadBalancerSpec.model_validate(
        {
            "existing": {
                "listenerArn": platform.listener_arn,
                "securityGroupId": platform.load_balancer_security_group_id,
            }
        }
    )
    resolved = config.model_copy(
        update={
            "platform_load_balancers": {BROWNFIELD_LOAD_BALANCER: existing},
            "platform_vpc_cidr": platform.vpc_cidr_block,
        }
    )
    _check_blue_green(resolved, source, platform.vpc_cidr_block)
    _check_own_rules(claims(resolved, source))
    return resolved


def _check_blue_green(config: StackConfig, source: str, cidr: str | None) -> None:
    for name, svc in sorted(config.services.items()):
        if svc.deployment.strategy != "ROLLING" and cidr is None:
            raise ConfigError(
                source,
                f"services.{name}.deployment.strategy",
                f"{svc.deployment.strategy}: its test traffic is admitted from the VPC's CIDR, "
                "unknown here; give platform.vpcCidrBlock or use a platform stack of this "
                "project, or ROLLING",
            )


def _check_grant(config: StackConfig, grant: TeamGrantSpec, granted_at: str, source: str) -> None:
    """Each service's rule inside the team's grant (`granted_at`: file and key of the grant)."""
    lbs = config.platform_load_balancers or {}
    team = config.team_name
    platform_source = granted_at.split(" ")[0]
    for name, svc in sorted(config.services.items()):
        ref = svc.load_balancer
        if ref is None:
            continue
        at = f"services.{name}.loadBalancer"
        if ref.name not in lbs:
            raise ConfigError(
                source,
                f"{at}.name",
                f"{ref.name!r} is not a load balancer of {platform_source} (known: "
                f"{', '.join(sorted(lbs)) or 'none'})",
            )
        if lbs[ref.name].type != "application":
            raise ConfigError(
                source,
                f"{at}.name",
                f"{ref.name!r} is an NLB; a service stack routes through ALBs only",
            )
        if ref.name != grant.load_balancer:
            raise ConfigError(
                source,
                f"{at}.name",
                f"{ref.name!r}: team {team} is granted {grant.load_balancer} only ({granted_at})",
            )
        priority = config.listener_rules(ref.name)[name]
        if priority not in grant.priorities:
            raise ConfigError(
                source,
                f"{at}.priority",
                f"{priority} is outside team {team}'s range {grant.priorities.from_}-"
                f"{grant.priorities.to} ({granted_at}.priorities)",
            )
        if grant.hosts:
            if not ref.host_headers:
                raise ConfigError(
                    source,
                    f"{at}.hostHeaders",
                    f"none (any host): team {team} may match only the hosts "
                    f"{grant.hosts} ({granted_at}.hosts); give hostHeaders",
                )
            for host in ref.host_headers:
                if not patterns.covered(host, grant.hosts, case_sensitive=False):
                    raise ConfigError(
                        source,
                        f"{at}.hostHeaders",
                        f"{host!r} is not covered by team {team}'s hosts {grant.hosts} "
                        f"({granted_at}.hosts)",
                    )
        for path in ref.path_patterns or [patterns.ANY_PATH]:
            if not patterns.covered(path, grant.paths):
                raise ConfigError(
                    source,
                    f"{at}.pathPatterns",
                    f"{path!r} is not covered by team {team}'s paths {grant.paths} "
                    f"({granted_at}.paths)",
                )
        if svc.container_port not in grant.ports:
            raise ConfigError(
                source,
                f"services.{name}.containerPort",
                f"{svc.container_port} is not among team {team}'s ports {grant.ports} "
                f"({granted_at}.ports)",
            )


def _sibling_claims(
    path: Path, config: StackConfig, platform: StackConfig, parse: Parse
) -> list[Claim]:
    """The rules of another service stack on the same platform (none for other stacks)."""
    values = stack_file_values(path)
    ref = values.get("ecs-platform:platform")
    theirs = ref.get("stack") if isinstance(ref, Mapping) else None
    if values.get("ecs-platform:stackKind") != "service" or not isinstance(theirs, str):
        return []
    ours = config.platform.stack if config.platform else None
    # the same platform however it is spelled (platform-dev, org/platform-dev, org/project/...)
    if ours is None or StackName.parse(theirs).local() != StackName.parse(ours).local():
        return []
    stack = path.name.removeprefix("Pulumi.")[:-5]
    sibling = parse(values, stack, path.name)
    grant = team_grant(platform, sibling.team_name)
    if grant is None:
        return []  # its own parse refuses it
    return claims(sibling.model_copy(update={"grant": grant}), path.name)


def _check_own_rules(ours: list[Claim]) -> None:
    """Within one stack: two rules on one listener with one priority."""
    seen: dict[tuple[str, int], Claim] = {}
    for claim in ours:
        key = (claim.load_balancer, claim.priority)
        if key in seen:
            raise ConfigError(
                claim.source,
                f"services.{claim.service}.loadBalancer.priority",
                f"{claim.priority} is already used by services.{seen[key].service} on "
                f"{claim.load_balancer}; listener rule priorities are unique per listener",
            )
        seen[key] = claim


def _check_collisions(ours: list[Claim], theirs: list[Claim]) -> None:
    for a in ours:
        for b in theirs:
            if a.load_balancer != b.load_balancer:
                continue
            both = patterns.scope_overlap(a.hosts, a.paths, b.hosts, b.paths)
            if both is not None:
                key = "hostHeaders" if a.hosts and not a.paths else "pathPatterns"
                raise ConfigError(
                    a.source,
                    f"services.{a.service}.loadBalancer.{key}",
                    f"{both[0]!r} overlaps {both[1]!r} claimed by {b.source} services."
                    f"{b.service} (team {b.team}) on {a.load_balancer}; two rules that match "
                    "the same request make one of them unreachable, narrow one of the patterns",
                )
            if a.priority == b.priority:
                raise ConfigError(
                    a.source,
                    f"services.{a.service}.loadBalancer.priority",
                    f"{a.priority} is also the priority of {b.source} services.{b.service} "
                    f"(team {b.team}) on {a.load_balancer}; listener rule priorities are "
                    "unique per listener, declare another priority in the team's range",
                )
