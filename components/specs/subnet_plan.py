"""The subnet plan of a new VPC: how its CIDR block is carved into subnets, and the checks on
subnet CIDRs given explicitly (`network.publicSubnetCidrs` / `privateSubnetCidrs`).

Layout of a VPC with prefix p: private subnets are the first /(p+3) blocks, one per AZ; public
subnets are /(p+6) blocks carved from the last /(p+3) block. Adding an AZ never moves an
existing subnet.
"""

from __future__ import annotations

import ipaddress

from .common import SpecError

# A /22 VPC still gives /28 public subnets, the smallest subnet AWS allows.
MIN_VPC_PREFIX, MAX_VPC_PREFIX = 16, 22


def derived_cidrs(cidr_block: str, az_count: int) -> tuple[list[str], list[str]]:
    """(public, private) CIDRs of the first `az_count` AZs, derived from the VPC's block."""
    vpc = ipaddress.IPv4Network(cidr_block)
    blocks = list(vpc.subnets(new_prefix=vpc.prefixlen + 3))
    public_pool = list(blocks[-1].subnets(new_prefix=vpc.prefixlen + 6))
    return [str(b) for b in public_pool[:az_count]], [str(b) for b in blocks[:az_count]]


def check_vpc_prefix(vpc: ipaddress.IPv4Network) -> None:
    if not MIN_VPC_PREFIX <= vpc.prefixlen <= MAX_VPC_PREFIX:
        raise SpecError(
            "cidrBlock",
            f"/{vpc.prefixlen} does not fit the subnet layout; use /{MIN_VPC_PREFIX} to "
            f"/{MAX_VPC_PREFIX} (AWS allows /16 to /28, and each AZ needs two subnets)",
        )


def check_subnets(
    vpc: ipaddress.IPv4Network, public: list[str], private: list[str], az_count: int
) -> None:
    """One CIDR per AZ in each tier, each a /16 to /28 inside the VPC, none overlapping."""
    subnets: list[tuple[str, ipaddress.IPv4Network]] = []
    for key, cidrs in (("publicSubnetCidrs", public), ("privateSubnetCidrs", private)):
        if len(cidrs) != az_count:
            raise SpecError(key, f"{len(cidrs)} CIDRs for {az_count} availabilityZones")
        for i, cidr in enumerate(cidrs):
            try:
                net = ipaddress.IPv4Network(cidr)
            except ValueError:
                raise SpecError(
                    (key, i), f"{cidr!r} is not an IPv4 CIDR block with no host bits set"
                ) from None
            if not 16 <= net.prefixlen <= 28:
                raise SpecError((key, i), f"/{net.prefixlen}: AWS subnets are /16 to /28")
            if not net.subnet_of(vpc):
                raise SpecError((key, i), f"{cidr} is outside the VPC {vpc}")
            for other_key, other in subnets:
                if net.overlaps(other):
                    raise SpecError((key, i), f"{cidr} overlaps {other} ({other_key})")
            subnets.append((f"{key}[{i}]", net))
