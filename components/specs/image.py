"""Image from source: `build:` instead of `image:` on a service, worker or scheduled task."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from .common import Spec, SpecError, check_plain_values, parse_arn

# A registry host, or a host with a path prefix, as image references start (no scheme).
RegistryEntry = Annotated[str, Field(pattern=r"^[a-z0-9.-]+(:\d+)?(/[A-Za-z0-9._/-]*)?$")]


class ImagesSpec(Spec):
    """`ecs-platform:images`: image sources the stack trusts."""

    trusted_registries: list[RegistryEntry] = Field(
        default_factory=list,
        description="Registries trusted besides this account's ECR in this region: a shared "
        "ECR (<account>.dkr.ecr.<region>.amazonaws.com) or a path prefix "
        "(public.ecr.aws/aws-observability/). Execution roles get ECR pull rights only on "
        "these and on this account's repositories in this region.",
    )


BuildArgName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")]


class BuildSpec(Spec):
    """Build the app image from a Dockerfile and push it to an ECR repository of its own."""

    context: str = Field(
        pattern=r"^[^\s]+$", description="Build context, relative to the project directory."
    )
    dockerfile: str = Field(
        "Dockerfile", pattern=r"^[^\s]+$", description="Path of the Dockerfile in the context."
    )
    target: str | None = Field(
        None, pattern=r"^[A-Za-z0-9_.-]+$", description="Stage of a multi-stage Dockerfile."
    )
    args: dict[BuildArgName, str] = Field(
        default_factory=dict, description="Build arguments (ARG); not for secrets."
    )
    keep_images: int = Field(
        10, ge=1, le=1000, description="Lifecycle policy: images kept in the repository."
    )
    untagged_expiry_days: int = Field(
        1, ge=1, le=3650, description="Lifecycle policy: untagged images expire after this."
    )
    encryption: Literal["KMS", "AES256"] = Field(
        "KMS", description="Repository encryption: KMS (aws/ecr key or kmsKeyArn) or AES256."
    )
    kms_key_arn: str | None = Field(
        None, description="Customer-managed KMS key (Security Hub ECR.5); needs encryption KMS."
    )

    @field_validator("args")
    @classmethod
    def _no_secret_args(cls, value: dict[str, str]) -> dict[str, str]:
        # Build args stay in the image's history (docker history): no place for secrets.
        return check_plain_values(value, "build argument")

    @field_validator("context", "dockerfile")
    @classmethod
    def _relative(cls, value: str) -> str:
        if "://" in value:
            raise ValueError(f"{value!r}: a local path is expected (remote contexts are not built)")
        return value

    @field_validator("kms_key_arn")
    @classmethod
    def _key(cls, value: str | None) -> str | None:
        if value is not None and (parse_arn(value)[0] != "kms" or ":key/" not in value):
            raise ValueError(
                f"{value!r} is not a KMS key ARN (arn:aws:kms:<region>:<acct>:key/...)"
            )
        return value

    @model_validator(mode="after")
    def _key_needs_kms(self) -> BuildSpec:
        if self.kms_key_arn is not None and self.encryption != "KMS":
            raise SpecError("kmsKeyArn", "needs encryption: KMS")
        return self


def check_image_source(image: str | None, build: BuildSpec | None) -> None:
    """Exactly one of `image` and `build` (raise SpecError at the right key otherwise)."""
    if image is None and build is None:
        raise SpecError("image", "required: set image (a URI) or build (a Dockerfile to build)")
    if image is not None and build is not None:
        raise SpecError("build", "set either image or build, not both")


def app_image_field() -> Any:
    """`image` of an app container that may instead be built (`build`)."""
    return Field(
        None,
        min_length=1,
        max_length=1024,
        pattern=r"^[^\s]+$",
        description="Image URI (pin a tag or digest), or omit it and set build.",
    )


def build_field() -> Any:
    return Field(
        None, description="Build the image from source into an ECR repository (instead of image)."
    )
