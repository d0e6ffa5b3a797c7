"""Egress rules: what tasks in private subnets without NAT can still reach.

With `network.natGateways: none` and no public IP, a task reaches AWS only through the VPC's
interface and gateway endpoints: its images must come from this region's private ECR (with the
ecr.api, ecr.dkr and s3 endpoints), its logs need the logs endpoint, and its secrets the
endpoint of the service that holds them. IPv6-only tasks egress over IPv6 instead
(`specs.ipv6_rules`), and tasks on the team's own servers use the servers' network.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..specs.common import SpecError

if TYPE_CHECKING:
    from ..specs.service import ServiceSpec
    from .model import StackConfig

IMAGE_ENDPOINTS = frozenset({"ecr.api", "ecr.dkr", "s3"})


def check(config: StackConfig, at: tuple[str, ...], svc: ServiceSpec) -> None:
    net = config.network
    if not net.creates_vpc or net.nat_gateways != "none" or svc.assign_public_ip:
        return
    if net.ipv6_only_tasks:  # egress over IPv6: ipv6_rules checks each endpoint instead
        return
    if svc.launch_type == "EXTERNAL":  # on the team's own servers: their egress, not ours
        return
    images = [svc.image, *(s.image for s in svc.sidecars.values())]
    endpoints = set(net.vpc_endpoints)
    private_ecr = re.compile(rf"^\d{{12}}\.dkr\.ecr\.{re.escape(config.region)}\.amazonaws\.com/")
    for image in images:
        ecr = image is None or private_ecr.match(image)  # None: built into this region's ECR
        if ecr and endpoints >= IMAGE_ENDPOINTS:
            continue
        raise SpecError(
            (*at, "image"),
            f"{image or 'the built image'} cannot be pulled: tasks in private subnets have "
            "no egress "
            "(network.natGateways is none). Use natGateways single/perAz/instance, an image "
            "from this region's ECR with vpcEndpoints [s3, ecr.api, ecr.dkr], or "
            "assignPublicIp: true",
        )
    if "logs" not in endpoints:
        raise SpecError(
            (*at, "image"),
            "tasks in private subnets without NAT cannot ship logs; add logs to "
            "network.vpcEndpoints",
        )
    refs = [r for c in [svc, *svc.sidecars.values()] for r in c.secrets.values()]
    for needed in sorted({r.split(":")[2] for r in refs}):
        if needed not in endpoints:
            raise SpecError(
                (*at, "secrets"),
                f"tasks without NAT read {needed} values through a VPC endpoint; add "
                f"{needed} to network.vpcEndpoints",
            )
