"""Platform and team specs: what a platform stack grants each team, and how a service stack
finds its platform.

`stackKind` says which shape a stack file is: `single` (network, cluster, load balancers and
every workload in one stack), `platform` (the shared parts, plus `teams`: what each team's
service stacks may put on its load balancers) or `service` (one team's workloads, with
`platform`: a stack of this project read through a StackReference, or an existing cluster and
ALB listener given by ARN).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from .common import NAME_PATTERN, PROJECT, Port, ResourceKey, Spec, SpecError, parse_arn

StackKind = Literal["single", "platform", "service"]
ANY_TEAM = "*"
TEAM_PLACEHOLDER = "{team}"
# ListenerRule priority: "A value between 1 and 50000."
# https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateRule.html
PRIORITY_MIN, PRIORITY_MAX = 1, 50_000
BROWNFIELD_LOAD_BALANCER = "platform"
STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+){0,2}$")


@dataclass(frozen=True)
class StackName:
    """A stack as Pulumi names it: `stack`, `org/stack` (this project) or `org/project/stack`.

    One reading for every place that asks which stack a service stack's `platform.stack`
    means: the StackReference's fully qualified name, the platform's stack file in this
    project, its sibling service stacks, the offline plan and the CI deploy order.
    """

    org: str | None
    project: str | None
    stack: str

    @classmethod
    def parse(cls, reference: str) -> StackName:
        parts = reference.split("/")
        if len(parts) == 3:
            return cls(parts[0], parts[1], parts[2])
        return cls(parts[0], None, parts[1]) if len(parts) == 2 else cls(None, None, reference)

    def local(self) -> str | None:
        """The stack's name when it is a stack of this project, else None."""
        return self.stack if self.project in (None, PROJECT) else None

    def qualified(self, organization: str) -> str:
        """`org/project/stack`, the name a StackReference takes (`organization` when unnamed)."""
        return f"{self.org or organization}/{self.project or PROJECT}/{self.stack}"


class PriorityRangeSpec(Spec):
    """Listener rule priorities a team may use (both ends included)."""

    from_: int = Field(
        alias="from",
        ge=PRIORITY_MIN,
        le=PRIORITY_MAX,
        description="Lowest priority of the range (1 to 50000).",
    )
    to: int = Field(
        ge=PRIORITY_MIN, le=PRIORITY_MAX, description="Highest priority of the range (1 to 50000)."
    )

    @model_validator(mode="after")
    def _ordered(self) -> PriorityRangeSpec:
        if self.from_ > self.to:
            raise SpecError("from", f"{self.from_} is above to {self.to}; from <= to")
        return self

    def __contains__(self, priority: object) -> bool:
        return isinstance(priority, int) and self.from_ <= priority <= self.to


HostPattern = Annotated[str, Field(pattern=r"^[A-Za-z0-9*?.{}-]+$", max_length=128)]
PathPattern = Annotated[str, Field(pattern=r"^/\S*$", max_length=128)]


class TeamGrantSpec(Spec):
    """What one team's service stacks may put on one of the platform's load balancers."""

    load_balancer: ResourceKey = Field(
        description="Name of the ALB in this stack's loadBalancers the team's rules go on."
    )
    priorities: PriorityRangeSpec = Field(
        description="Listener rule priorities the team may use (from, to; 1 to 50000)."
    )
    hosts: list[HostPattern] = Field(
        default_factory=list,
        description="Host header patterns (* and ? wildcards) the team's rules may match; "
        "empty: any host. In the * grant, {team} is replaced by the team's name.",
    )
    paths: list[PathPattern] = Field(
        default_factory=lambda: ["/*"],
        min_length=1,
        description='Path patterns the team\'s rules may match (default ["/*"]). In the * '
        'grant, {team} is replaced by the team\'s name, e.g. "/{team}/*".',
    )
    ports: list[Port] = Field(
        default_factory=lambda: [8080],
        min_length=1,
        description="Container ports the load balancer may send to (default [8080]); the "
        "platform opens its security group's egress to the VPC on each.",
    )

    def for_team(self, team: str) -> TeamGrantSpec:
        """This grant with {team} replaced by `team` in hosts and paths."""
        return self.model_copy(
            update={
                "hosts": [h.replace(TEAM_PLACEHOLDER, team) for h in self.hosts],
                "paths": [p.replace(TEAM_PLACEHOLDER, team) for p in self.paths],
            }
        )


def check_team_name(value: str) -> str:
    if value != ANY_TEAM and not re.fullmatch(NAME_PATTERN, value):
        raise ValueError(
            f"{value!r} is not a team name: 1 to 24 lowercase letters, digits and hyphens, "
            'starting with a letter, or "*" (the grant of every team without one of its own)'
        )
    return value


def _check_arn(value: str, service: str, shape: str, what: str) -> str:
    svc, region, account, resource = parse_arn(value)
    if svc != service or not region or not re.fullmatch(r"\d{12}", account):
        raise ValueError(f"{value!r} is not {what} (arn:aws:{service}:<region>:<account>:{shape})")
    if not re.fullmatch(_RESOURCE_SHAPES[shape], resource):
        raise ValueError(f"{value!r} is not {what} (arn:aws:{service}:<region>:<account>:{shape})")
    return value


_RESOURCE_SHAPES = {
    "cluster/<name>": r"cluster/[A-Za-z0-9_-]{1,255}",
    "listener/app/<lb-name>/<lb-id>/<listener-id>": (
        r"listener/app/[A-Za-z0-9-]{1,32}/[0-9a-f]+/[0-9a-f]+"
    ),
    "namespace/<id>": r"namespace/ns-[a-z0-9]+",
}


class PlatformSpec(Spec):
    """Where a service stack's cluster, network and load balancers come from."""

    stack: str | None = Field(
        None,
        description="The platform stack: a stack of this project (e.g. platform-dev or "
        "org/platform-dev) or org/project/stack; its `platform` output is read through a "
        "StackReference.",
    )
    cluster_arn: str | None = Field(
        None, description="Brownfield: ARN of the existing ECS cluster."
    )
    vpc_id: str | None = Field(
        None, pattern=r"^vpc-[0-9a-f]{8}([0-9a-f]{9})?$", description="Brownfield: the VPC ID."
    )
    private_subnet_ids: list[
        Annotated[str, Field(pattern=r"^subnet-[0-9a-f]{8}([0-9a-f]{9})?$")]
    ] = Field(default_factory=list, description="Brownfield: the subnets tasks run in.")
    listener_arn: str | None = Field(
        None,
        description="Brownfield: the existing ALB listener the services add rules to (named "
        "platform in services' loadBalancer.name).",
    )
    load_balancer_security_group_id: str | None = Field(
        None,
        pattern=r"^sg-[0-9a-f]{8}([0-9a-f]{9})?$",
        description="Brownfield: the ALB's security group (tasks admit only it).",
    )
    vpc_cidr_block: str | None = Field(
        None, description="Brownfield: the VPC's CIDR (blue/green test rules admit it)."
    )
    namespace_arn: str | None = Field(
        None, description="Brownfield: the Service Connect (Cloud Map) namespace ARN."
    )

    @field_validator("stack")
    @classmethod
    def _stack(cls, value: str | None) -> str | None:
        if value is not None and not STACK_NAME.fullmatch(value):
            raise ValueError(
                f"{value!r} is not a stack name: a stack of this project (e.g. platform-dev, "
                "org/platform-dev) or org/project/stack"
            )
        return value

    @field_validator("cluster_arn")
    @classmethod
    def _cluster(cls, value: str | None) -> str | None:
        return (
            None
            if value is None
            else _check_arn(value, "ecs", "cluster/<name>", "an ECS cluster ARN")
        )

    @field_validator("listener_arn")
    @classmethod
    def _listener(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return _check_arn(
            value,
            "elasticloadbalancing",
            "listener/app/<lb-name>/<lb-id>/<listener-id>",
            "an Application Load Balancer listener ARN",
        )

    @field_validator("namespace_arn")
    @classmethod
    def _namespace(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return _check_arn(value, "servicediscovery", "namespace/<id>", "a Cloud Map namespace ARN")

    @field_validator("vpc_cidr_block")
    @classmethod
    def _cidr(cls, value: str | None) -> str | None:
        import ipaddress

        if value is not None:
            try:
                ipaddress.IPv4Network(value)
            except ValueError:
                raise ValueError(f"{value!r} is not an IPv4 CIDR block like 10.0.0.0/16") from None
        return value

    @model_validator(mode="after")
    def _one_form(self) -> PlatformSpec:
        brownfield = {
            "clusterArn": self.cluster_arn,
            "vpcId": self.vpc_id,
            "privateSubnetIds": self.private_subnet_ids or None,
            "listenerArn": self.listener_arn,
            "loadBalancerSecurityGroupId": self.load_balancer_security_group_id,
        }
        extra = {"vpcCidrBlock": self.vpc_cidr_block, "namespaceArn": self.namespace_arn}
        if self.stack is not None:
            given = [k for k, v in {**brownfield, **extra}.items() if v is not None]
            if given:
                raise SpecError(
                    given[0],
                    "give either stack (a platform stack) or the existing resources' IDs "
                    "(clusterArn, vpcId, privateSubnetIds, listenerArn, "
                    "loadBalancerSecurityGroupId), not both",
                )
            return self
        missing = [k for k, v in brownfield.items() if v is None]
        if missing:
            raise SpecError(
                missing[0],
                "required: give stack (a platform stack, e.g. platform-dev) or every one of "
                "clusterArn, vpcId, privateSubnetIds, listenerArn, loadBalancerSecurityGroupId",
            )
        regions = {
            parse_arn(arn)[1]
            for arn in (self.cluster_arn, self.listener_arn, self.namespace_arn)
            if arn is not None
        }
        if len(regions) > 1:
            raise SpecError(
                "listenerArn",
                f"the ARNs name different regions ({', '.join(sorted(regions))}); a service "
                "stack's cluster and listener are in one region",
            )
        return self

    @property
    def brownfield(self) -> bool:
        return self.stack is None

    @property
    def region(self) -> str | None:
        """The region the brownfield ARNs name (None for the stack form)."""
        return parse_arn(self.cluster_arn)[1] if self.cluster_arn else None
