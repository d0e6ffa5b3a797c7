"""Network spec: a new VPC laid out from one CIDR block, or an existing VPC adopted by ID."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from . import subnet_plan
from .common import Spec, SpecError

NatStrategy = Literal["none", "single", "perAz", "instance"]
TaskAddressing = Literal["dual-stack", "ipv6-only"]

# Interface endpoints a NAT-less private task may need. `s3` is the free gateway endpoint.
VpcEndpointName = Literal[
    "s3", "ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm", "ssmmessages",
    "kms", "sqs", "sts", "events", "monitoring",
]  # fmt: skip

SubnetId = Annotated[str, Field(pattern=r"^subnet-[0-9a-f]{8}([0-9a-f]{9})?$")]

MAX_AZS = 6
# A new VPC when the stack gives neither cidrBlock nor vpcId. Give another block where VPCs are
# peered or share a transit gateway: their CIDRs must not overlap.
DEFAULT_CIDR_BLOCK = "10.0.0.0/16"


class Ipv6Spec(Spec):
    """`network.ipv6`: a dual-stack VPC (Amazon-provided /56) and how tasks are addressed.

    What AWS requires, and what the plan refuses, with AWS's pages: docs/ipv6.md.
    """

    tasks: TaskAddressing = Field(
        "dual-stack",
        description="dual-stack: tasks keep the private subnets (IPv4 and IPv6; IPv4 egress as "
        "before, IPv6 egress through a free egress-only internet gateway). ipv6-only: tasks move "
        "to IPv6-only subnets of their own and need no IPv4 at all (no NAT, no public IPv4).",
    )


class NetworkSpec(Spec):
    """`ecs-platform:network`."""

    cidr_block: str | None = Field(
        None,
        description="IPv4 CIDR of a new VPC, /16 to /22 (default 10.0.0.0/16 unless vpcId is "
        "given). Subnets are derived from it deterministically; adding an AZ never moves an "
        "existing subnet.",
    )
    availability_zones: int = Field(
        2, ge=1, le=MAX_AZS, description="How many AZs get a public and a private subnet."
    )
    nat_gateways: NatStrategy = Field(
        "single",
        description="Egress for private subnets: none, single (one NAT gateway), perAz (one per "
        "AZ, survives an AZ outage) or instance (one t4g NAT instance, a tenth of the price).",
    )
    nat_instance_type: str = Field(
        "t4g.nano",
        pattern=r"^[a-z][a-z0-9]*g[a-z]*\.[a-z0-9]+$",
        description="ARM (Graviton) instance type of the NAT instance when natGateways=instance.",
    )
    vpc_endpoints: list[VpcEndpointName] = Field(
        default_factory=list,
        description="VPC endpoints for private tasks: s3 (gateway, free) and interface endpoints "
        "(ecr.api, ecr.dkr, logs, secretsmanager, ...; billed per AZ-hour).",
    )
    public_subnet_cidrs: list[str] | None = Field(
        None, description="Override the derived public subnet CIDRs (one per AZ)."
    )
    private_subnet_cidrs: list[str] | None = Field(
        None, description="Override the derived private subnet CIDRs (one per AZ)."
    )
    ipv6: Ipv6Spec | None = Field(
        None,
        description="Dual-stack VPC and IPv6 task networking (docs/ipv6.md); absent: IPv4 only.",
    )
    vpc_id: str | None = Field(
        None,
        pattern=r"^vpc-[0-9a-f]{8}([0-9a-f]{9})?$",
        description="Adopt an existing VPC instead of creating one (with publicSubnetIds and "
        "privateSubnetIds).",
    )
    vpc_cidr_block: str | None = Field(
        None, description="CIDR of the adopted VPC, used for endpoint security-group rules."
    )
    public_subnet_ids: list[SubnetId] = Field(
        default_factory=list, description="Existing VPC: subnets for internet-facing LBs."
    )
    private_subnet_ids: list[SubnetId] = Field(
        default_factory=list, description="Existing VPC: subnets for tasks (one per AZ)."
    )

    @field_validator("cidr_block", "vpc_cidr_block")
    @classmethod
    def _network_address(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            if "/" not in value:
                raise ValueError(value)
            net = ipaddress.IPv4Network(value, strict=False)
        except ValueError:
            raise ValueError(f"{value!r} is not an IPv4 CIDR block like 10.20.0.0/16") from None
        if str(net) != value:
            raise ValueError(f"{value} has host bits set; did you mean {net}?")
        return value

    @field_validator("vpc_endpoints")
    @classmethod
    def _unique_endpoints(cls, value: list[str]) -> list[str]:
        dupes = sorted({v for v in value if value.count(v) > 1})
        if dupes:
            raise ValueError(f"{', '.join(dupes)} listed more than once")
        return value

    @model_validator(mode="before")
    @classmethod
    def _default_cidr(cls, data: object) -> object:
        if not isinstance(data, dict):
            return data
        given = {"cidrBlock", "cidr_block", "vpcId", "vpc_id"} & set(data)
        return data if given else {**data, "cidrBlock": DEFAULT_CIDR_BLOCK}

    @model_validator(mode="after")
    def _layout(self) -> NetworkSpec:
        if self.vpc_id is not None:
            self._check_existing()
        elif self.cidr_block is None:
            raise SpecError(
                "cidrBlock", "required: give cidrBlock for a new VPC, or vpcId with subnet IDs"
            )
        else:
            self._check_new()
        if self.ipv6_only_tasks:
            self._check_ipv6_only()
        if "ecr.dkr" in self.vpc_endpoints and "s3" not in self.vpc_endpoints:
            raise SpecError(
                "vpcEndpoints",
                "ecr.dkr needs s3 too: ECR serves image layers from S3, so private tasks "
                "without NAT cannot pull without the S3 gateway endpoint",
            )
        return self

    def _check_existing(self) -> None:
        for key, value in (
            ("cidrBlock", self.cidr_block),
            ("ipv6", self.ipv6),
            ("publicSubnetCidrs", self.public_subnet_cidrs),
            ("privateSubnetCidrs", self.private_subnet_cidrs),
        ):
            if value is not None:
                raise SpecError(key, f"cannot be combined with vpcId {self.vpc_id}")
        if not self.private_subnet_ids:
            raise SpecError("privateSubnetIds", "required with vpcId: tasks run in them")
        for key, ids in (
            ("publicSubnetIds", self.public_subnet_ids),
            ("privateSubnetIds", self.private_subnet_ids),
        ):
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                raise SpecError(key, f"{', '.join(dupes)} listed more than once")
        both = sorted(set(self.public_subnet_ids) & set(self.private_subnet_ids))
        if both:
            raise SpecError("privateSubnetIds", f"{', '.join(both)} is also a public subnet")
        if self.nat_gateways != "none":
            raise SpecError(
                "natGateways",
                f"{self.nat_gateways} applies only to a new VPC; an adopted VPC keeps its own "
                "routing, so set natGateways: none",
            )

    def _check_ipv6_only(self) -> None:
        if self.nat_gateways == "instance":
            raise SpecError(
                "natGateways",
                "instance with ipv6.tasks ipv6-only: the NAT instance translates IPv4 only, not "
                "NAT64; use none (IPv4-free) or single/perAz (a NAT gateway does NAT64 for "
                "IPv4-only endpoints: "
                "https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-nat64-dns64.html)",
            )
        interface = [e for e in self.vpc_endpoints if e != "s3"]
        if interface:
            raise SpecError(
                "vpcEndpoints",
                f"{', '.join(interface)} with ipv6.tasks ipv6-only: these interface endpoints are "
                "IPv4, which IPv6-only tasks cannot reach, and Amazon ECR offers no dual-stack "
                "interface endpoint they could use "
                "(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/"
                "fargate-task-networking.html); the tasks reach AWS's dual-stack endpoints "
                "through the egress-only internet gateway instead: keep only s3",
            )

    def _check_new(self) -> None:
        assert self.cidr_block is not None
        vpc = ipaddress.IPv4Network(self.cidr_block)
        subnet_plan.check_vpc_prefix(vpc)
        if self.public_subnet_ids or self.private_subnet_ids:
            raise SpecError("privateSubnetIds", "subnet IDs need vpcId (an existing VPC)")
        if self.vpc_cidr_block is not None:
            raise SpecError("vpcCidrBlock", "only for an existing VPC; use cidrBlock")
        public, private = self.subnet_cidrs()
        subnet_plan.check_subnets(vpc, public, private, self.availability_zones)

    @property
    def ipv6_only_tasks(self) -> bool:
        return self.ipv6 is not None and self.ipv6.tasks == "ipv6-only"

    @property
    def vpc_cidr(self) -> str | None:
        """The VPC's IPv4 CIDR: the new VPC's block, or the adopted VPC's when given."""
        return self.cidr_block or self.vpc_cidr_block

    @property
    def creates_vpc(self) -> bool:
        return self.vpc_id is None

    @property
    def az_count(self) -> int:
        """AZs in use: the configured count, or for an adopted VPC one per private subnet."""
        return self.availability_zones if self.creates_vpc else len(self.private_subnet_ids)

    def subnet_cidrs(self) -> tuple[list[str], list[str]]:
        """(public, private) CIDRs per AZ index: explicit ones, else derived from cidrBlock
        (subnet_plan)."""
        assert self.cidr_block is not None
        derived_public, derived_private = subnet_plan.derived_cidrs(
            self.cidr_block, self.availability_zones
        )
        public = self.public_subnet_cidrs or derived_public
        private = self.private_subnet_cidrs or derived_private
        return list(public), list(private)
