"""Copilot networking: an environment's `network.vpc` -> `ecs-platform:network` (a new VPC's
CIDRs, or an existing VPC's IDs), and what a workload's `network` says that does not map here
(public placement, its own subnets or security groups, Service Connect)."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from .context import Environment, Workload
from .tables import COPILOT_DEFAULT_NETWORK, VPC_KEYS


def environment_network(
    env: Environment, src: str, network: dict[str, Any]
) -> dict[str, Any] | None:
    """The environment's network config; None (reported) when its values are not usable."""
    vpc = network.get("vpc") or {}
    for key in vpc:
        if key not in VPC_KEYS:
            env.add("unmapped", f"network.vpc.{key}", "not in the network config", src)
    subnets = vpc.get("subnets") or {}
    if vpc.get("id") is not None:
        return _existing_vpc(env, src, vpc, subnets)
    out = dict(COPILOT_DEFAULT_NETWORK)
    cidr = vpc.get("cidr")
    if cidr is not None:
        if not _is_cidr(cidr):
            env.add(
                "input",
                "network.vpc.cidr",
                f"{cidr!r} is not an IPv4 CIDR block; network left out",
                src,
            )
            return None
        out["cidrBlock"] = str(cidr)
    publics = [s for s in subnets.get("public") or [] if isinstance(s, dict)]
    privates = [s for s in subnets.get("private") or [] if isinstance(s, dict)]
    if (publics or privates) and not _subnet_cidrs(env, src, publics, privates, out):
        return None
    return out


def _subnet_cidrs(
    env: Environment,
    src: str,
    publics: list[dict[str, Any]],
    privates: list[dict[str, Any]],
    out: dict[str, Any],
) -> bool:
    """The subnets' CIDRs into `out`; False (reported) when one is not a CIDR block."""
    cidrs = {k: [s.get("cidr") for s in v] for k, v in (("public", publics), ("private", privates))}
    if not all(_is_cidr(c) for c in cidrs["public"] + cidrs["private"]):
        env.add(
            "input",
            "network.vpc.subnets",
            "subnet cidr values are not IPv4 CIDR blocks; network left out",
            src,
        )
        return False
    if len(publics) != len(privates):
        env.add(
            "changed",
            "network.vpc.subnets",
            "public and private subnet counts differ; subnets derived from the VPC CIDR instead",
            src,
        )
    else:
        out["availabilityZones"] = len(publics)
        out["publicSubnetCidrs"] = cidrs["public"]
        out["privateSubnetCidrs"] = cidrs["private"]
    if any(s.get("az") for s in publics + privates):
        env.add(
            "changed",
            "network.vpc.subnets[].az",
            "AZs are chosen in order from the region's list, not named",
            src,
        )
    return True


def _existing_vpc(
    env: Environment, src: str, vpc: dict[str, Any], subnets: dict[str, Any]
) -> dict[str, Any] | None:
    vpc_id = str(vpc["id"])
    ids = {
        k: [str(s.get("id")) for s in subnets.get(k) or [] if isinstance(s, dict)]
        for k in ("public", "private")
    }
    bad = [i for i in [vpc_id, *ids["public"], *ids["private"]] if not _is_aws_id(i)]
    if bad:
        env.add(
            "input",
            "network.vpc.id",
            f"{', '.join(bad)}: not AWS VPC/subnet IDs "
            "(vpc-/subnet- and 8 or 17 hex digits); network left out",
            src,
        )
        return None
    out: dict[str, Any] = {"vpcId": vpc_id, "privateSubnetIds": ids["private"]}
    if ids["public"]:
        out["publicSubnetIds"] = ids["public"]
    return out


def workload_network(w: Workload, report_placement: bool) -> None:
    """Report what the workload's network says that the config here does differently."""
    network = w.doc.get("network") or {}
    vpc = network.get("vpc") or {}
    placement = vpc.get("placement", "public")
    if report_placement and placement == "public":
        w.add(
            "changed",
            "network.vpc.placement",
            "public (Copilot's default): tasks run "
            "in private subnets behind NAT here (Security Hub ECS.2); set "
            "assignPublicIp: true to keep them public",
        )
    elif isinstance(placement, dict):
        w.add("unmapped", "network.vpc.placement.subnets", "tasks use the stack's private subnets")
    if vpc.get("security_groups"):
        w.add(
            "unmapped",
            "network.vpc.security_groups",
            "extra security groups are not in the config; each service gets its own",
        )
    if network.get("connect"):
        w.add(
            "input",
            "network.connect",
            "Service Connect is serviceConnect here, per service: give each called service "
            "serviceConnect: {} and each caller serviceConnect: {calls: [<service>]}",
        )


def _is_cidr(value: Any) -> bool:
    try:
        ipaddress.IPv4Network(str(value))
    except ValueError:
        return False
    return "/" in str(value)


def _is_aws_id(value: str) -> bool:
    return re.fullmatch(r"(vpc|subnet)-[0-9a-f]{8}([0-9a-f]{9})?", value) is not None
