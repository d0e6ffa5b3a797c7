"""What AWS serves over IPv6 to an ECS task, as data: one entry per endpoint a task uses.

Each entry names the AWS page that says so. Region sets come from AWS's pages where a page lists
them (ECS IPv6-only regions, Systems Manager), else from botocore's endpoint data, the dual-stack
variants AWS's SDKs resolve (`<service>.<region>.api.aws`). The config layer (`ipv6_rules`)
refuses `network.ipv6.tasks: ipv6-only` when a task needs something this table does not serve
in the stack's region; docs/ipv6.md renders the same facts for people.

Image registries are classified here too, with the dual-stack image URI each AWS registry
documents (`dual_stack_image`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Literal

import botocore.loaders

Ipv6Status = Literal["dual-stack", "not-supported", "undocumented"]

FARGATE_PAGE = (
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html"
)
EC2_PAGE = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking.html"
ECR_PAGE = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-requests.html"
ECR_PUBLIC_PAGE = "https://docs.aws.amazon.com/AmazonECR/latest/public/public-ecr-requests.html"
NAT64_PAGE = "https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-nat64-dns64.html"

# "AWS Regions that support IPv6-only mode for Amazon ECS", as the ECS pages name them
# (FARGATE_PAGE and EC2_PAGE list the same 30). Codes come from botocore's region names.
ECS_IPV6_ONLY_REGION_NAMES = (
    "US East (Ohio)", "US East (N. Virginia)", "US West (N. California)", "US West (Oregon)",
    "Africa (Cape Town)", "Asia Pacific (Hong Kong)", "Asia Pacific (Hyderabad)",
    "Asia Pacific (Jakarta)", "Asia Pacific (Melbourne)", "Asia Pacific (Mumbai)",
    "Asia Pacific (Osaka)", "Asia Pacific (Seoul)", "Asia Pacific (Singapore)",
    "Asia Pacific (Sydney)", "Asia Pacific (Tokyo)", "Canada (Central)", "Canada West (Calgary)",
    "China (Beijing)", "China (Ningxia)", "Europe (Frankfurt)", "Europe (London)",
    "Europe (Milan)", "Europe (Paris)", "Europe (Spain)", "Israel (Tel Aviv)",
    "Middle East (Bahrain)", "Middle East (UAE)", "South America (São Paulo)",
    "AWS GovCloud (US-East)", "AWS GovCloud (US-West)",
)  # fmt: skip

# Systems Manager's dual-stack endpoints (ssm.<region>.api.aws), from the "Service endpoints for
# Systems Manager" table: https://docs.aws.amazon.com/general/latest/gr/ssm.html
SSM_DUAL_STACK_REGIONS = frozenset({
    "us-east-2", "us-east-1", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-south-2",
    "ap-southeast-3", "ap-southeast-5", "ap-southeast-4", "ap-south-1", "ap-southeast-6",
    "ap-northeast-3", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "ap-east-2",
    "ap-southeast-7", "ap-northeast-1", "ca-central-1", "ca-west-1", "eu-central-1",
    "eu-west-1", "eu-west-2", "eu-south-1", "eu-west-3", "eu-south-2", "eu-north-1",
    "eu-central-2", "il-central-1", "mx-central-1", "me-south-1", "me-central-1", "sa-east-1",
    "us-gov-east-1", "us-gov-west-1",
})  # fmt: skip


@dataclass(frozen=True)
class Endpoint:
    """Something a task reaches at run time, and whether AWS serves it over IPv6."""

    key: str
    what: str
    status: Ipv6Status
    source: str  # the page that says so
    botocore_service: str | None = None  # dual-stack regions from botocore's endpoint data
    regions: frozenset[str] | None = None  # dual-stack regions from the source page

    def served(self, region: str) -> bool:
        """Whether a task in an IPv6-only subnet of `region` can reach it without NAT64."""
        if self.status != "dual-stack":
            return False
        if self.regions is not None:
            return region in self.regions
        if self.botocore_service is not None:
            return region in dual_stack_regions(self.botocore_service)
        return True


ENDPOINTS = {
    e.key: e
    for e in (
        Endpoint(
            "fargate",
            "Fargate (the ECS agent, platform version 1.4.0 or later, Linux)",
            "dual-stack",
            FARGATE_PAGE,
            regions=None,  # ecs_ipv6_only_regions() decides; checked first
        ),
        Endpoint("ecr", "Amazon ECR private registry", "dual-stack", ECR_PAGE, "api.ecr"),
        Endpoint("ecr-public", "Amazon ECR Public", "dual-stack", ECR_PUBLIC_PAGE),
        Endpoint(
            "docker-hub",
            "Docker Hub (registry-1.docker.io)",
            "not-supported",
            # Docker: "we only support A entries for registry-1.docker.io" (that thread is still
            # open); IPv6 ran as a beta on a separate host, registry.ipv6.docker.com
            # (github.com/docker/hub-feedback/issues/2165).
            "https://github.com/docker/for-linux/issues/912",
        ),
        Endpoint(
            "registry",
            "a registry outside AWS",
            "undocumented",
            NAT64_PAGE,  # reachable from IPv6-only subnets through NAT64 only
        ),
        Endpoint(
            "logs",
            "CloudWatch Logs (awslogs driver)",
            "dual-stack",
            "https://docs.aws.amazon.com/general/latest/gr/cwl_region.html",
            "logs",
        ),
        Endpoint(
            "secretsmanager",
            "Secrets Manager (secrets)",
            "dual-stack",
            "https://docs.aws.amazon.com/secretsmanager/latest/userguide/ip-access.html",
            "secretsmanager",
        ),
        Endpoint(
            "ssm",
            "Systems Manager Parameter Store (secrets)",
            "dual-stack",
            "https://docs.aws.amazon.com/general/latest/gr/ssm.html",
            regions=SSM_DUAL_STACK_REGIONS,
        ),
        Endpoint(
            "sqs",
            "Amazon SQS (workers read their queue)",
            "dual-stack",
            "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dual-stack.html",
            "sqs",
        ),
        Endpoint(
            "exec",
            "ECS Exec (SSM messages)",
            "not-supported",
            # "Amazon ECS Exec isn't supported in an IPv6-only configuration."
            FARGATE_PAGE,
        ),
        Endpoint(
            "service-connect",
            "ECS Service Connect",
            "undocumented",
            # Not among the IPv6-only considerations, and no page says it works there.
            FARGATE_PAGE,
        ),
        Endpoint(
            "efs",
            "Amazon EFS mount targets",
            "undocumented",
            FARGATE_PAGE,
        ),
    )
}


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


@cache
def _endpoints_data() -> dict:
    return botocore.loaders.create_loader().load_data("endpoints")


@cache
def ecs_ipv6_only_regions() -> frozenset[str]:
    """Region codes of ECS_IPV6_ONLY_REGION_NAMES (names resolved through botocore)."""
    by_name = {
        _plain(info.get("description", "")).strip(): code
        for partition in _endpoints_data()["partitions"]
        for code, info in partition["regions"].items()
    }
    return frozenset(by_name[_plain(name)] for name in ECS_IPV6_ONLY_REGION_NAMES)


@cache
def dual_stack_regions(service: str) -> frozenset[str]:
    """Regions where botocore resolves a (non-FIPS) dual-stack endpoint for `service`."""
    found = set()
    for partition in _endpoints_data()["partitions"]:
        for region, info in partition["services"].get(service, {}).get("endpoints", {}).items():
            if any(v.get("tags") == ["dualstack"] for v in info.get("variants", [])):
                found.add(region)
    return frozenset(found)


# -- image registries ------------------------------------------------------------------------

_PRIVATE_ECR = re.compile(r"^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?/(.+)$")
_PUBLIC_ECR = "public.ecr.aws/"


def registry_of(image: str | None) -> str:
    """The ENDPOINTS key of the registry an image is pulled from (None: built into our ECR)."""
    if image is None or _PRIVATE_ECR.match(image):
        return "ecr"
    if image.startswith(_PUBLIC_ECR):
        return "ecr-public"
    first, _, rest = image.partition("/")
    # Docker's rule: the first path part is a registry host only if it has a dot or a port,
    # or is localhost; otherwise the image is on Docker Hub.
    if not rest or ("." not in first and ":" not in first and first != "localhost"):
        return "docker-hub"
    if first in ("docker.io", "index.docker.io", "registry-1.docker.io"):
        return "docker-hub"
    return "registry"


def dual_stack_image(image: str) -> str:
    """`image` with its AWS registry host swapped for the dual-stack one (others unchanged).

    ECR: `<id>.dkr-ecr.<region>.on.aws` (ECR_PAGE, "Getting started with making requests over
    IPv6"); ECR Public: `ecr-public.aws.com` (ECR_PUBLIC_PAGE, same section).
    """
    m = _PRIVATE_ECR.match(image)
    if m:
        account, region, _cn, path = m.groups()
        return f"{account}.dkr-ecr.{region}.on.aws/{path}"
    if image.startswith(_PUBLIC_ECR):
        return "ecr-public.aws.com/" + image.removeprefix(_PUBLIC_ECR)
    return image
