"""Image references: where an image comes from, and whether the reference can move.

Parsed with Docker's reference grammar (the first path component is a registry only when it
has a dot, a colon or is localhost; otherwise the image is on Docker Hub, `library/` for
single names). Private ECR registries are `<account>.dkr.ecr.<region>.amazonaws.com`
(https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html).

Trust: the stack's own account and region by default; any other registry only when listed
(an allow-list entry is a registry, or a registry plus a path prefix, e.g.
`public.ecr.aws/aws-observability/`). A reference moves unless it carries a digest or a tag
that names a version (`1.8.3`, `v0.43.1`, `2024.05.01`, a commit SHA); branch-like tags
(`latest`, `main`, `stable`) move with every push (ECS best practices: "Use immutable tags",
https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

DOCKER_HUB = "docker.io"
_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io",
                          "registry.hub.docker.com"})  # fmt: skip
_ECR = re.compile(
    r"^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d)\.amazonaws\.com(?:\.cn)?$"
)
# Words that name a moving line of development rather than one build.
_MOVING = frozenset({"latest", "main", "master", "develop", "dev", "development", "stable",
                     "edge", "nightly", "head", "trunk", "release", "prod", "production",
                     "staging", "test", "canary", "current", "beta", "alpha", "next", "lts",
                     "mainline", "unstable", "snapshot", "preview", "default"})  # fmt: skip
_VERSION = re.compile(r"^v?\d+(\.\d+){0,3}([-_.+][0-9A-Za-z._-]+)?$")
_BUILD_ID = re.compile(r"(^|[-_.])([0-9a-f]{7,40}|\d{8,})($|[-_.])")


@dataclass(frozen=True)
class ImageRef:
    registry: str  # docker.io for Docker Hub
    repository: str
    tag: str | None
    digest: str | None

    @property
    def location(self) -> str:
        return f"{self.registry}/{self.repository}"


def parse_image(reference: str) -> ImageRef:
    """Registry, repository, tag and digest of an image reference."""
    rest, _, digest = reference.partition("@")
    first, slash, remainder = rest.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, path = first.lower(), remainder
    else:
        registry, path = DOCKER_HUB, rest
    if registry in _HUB_ALIASES:
        registry = DOCKER_HUB
        if "/" not in path.split(":")[0]:
            path = f"library/{path}"
    name, colon, tag = path.rpartition(":") if ":" in path.rsplit("/", 1)[-1] else (path, "", "")
    return ImageRef(registry, name if colon else path, tag or None, digest or None)


def ecr_location(registry: str) -> tuple[str, str] | None:
    """(account, region) of a private ECR registry host, else None."""
    m = _ECR.match(registry)
    return (m.group(1), m.group(2)) if m else None


def ecr_registry(account: str, region: str) -> str:
    """The host of an account's private ECR registry in a region."""
    return f"{account}.dkr.ecr.{region}.amazonaws.com"


def ecr_repository_arn(reference: str) -> str | None:
    """The ARN of the private ECR repository an image reference names, else None: the
    `arn:aws:ecr` namespace, the region, the owner's account, `repository/` and the name
    (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_Repository.html)."""
    ref = parse_image(reference)
    ecr = ecr_location(ref.registry)
    if ecr is None:
        return None
    account, region = ecr
    return f"arn:aws:ecr:{region}:{account}:repository/{ref.repository}"


def is_docker_hub(reference: str) -> bool:
    return parse_image(reference).registry == DOCKER_HUB


def mutable(reference: str) -> bool:
    """Whether the reference can point at another image tomorrow (no digest, no version tag)."""
    ref = parse_image(reference)
    if ref.digest:
        return False
    tag = ref.tag
    if tag is None:
        return True
    if _BUILD_ID.search(tag.lower()):
        return False  # a commit SHA or a build number names one build
    if set(re.split(r"[-_.+]", tag.lower())) & _MOVING:
        return True
    return not _VERSION.match(tag)


def _listed(ref: ImageRef, allowed: Iterable[str]) -> bool:
    location = f"{ref.location}/"
    for entry in allowed:
        entry = entry.strip().lower()
        if entry and (location.startswith(entry if "/" in entry else f"{entry}/")):
            return True
    return False


def trusted(
    reference: str, account: str | None, region: str | None, allowed: Iterable[str]
) -> bool:
    """Whether an image comes from the stack's own account and region (ECR) or an allowed
    registry (entries: `registry` or `registry/path/prefix/`)."""
    ref = parse_image(reference)
    own = ecr_location(ref.registry)
    if own is not None and account is not None and own == (account, region):
        return True
    return _listed(ref, allowed)


def untrusted_reason(
    reference: str, account: str | None, region: str | None, allowed: Iterable[str]
) -> str | None:
    """Why an image is not trusted (None when it is)."""
    if trusted(reference, account, region, allowed):
        return None
    ref = parse_image(reference)
    ecr = ecr_location(ref.registry)
    if ecr is not None:
        where = "account " + ecr[0] + (f" in {ecr[1]}" if ecr[1] != region else "")
        return f"it comes from another account's ECR ({where}), which is not allow-listed"
    if ref.registry == DOCKER_HUB:
        return "it comes from Docker Hub, which is not allow-listed"
    return f"its registry {ref.registry} is not allow-listed"
