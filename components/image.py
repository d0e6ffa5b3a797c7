"""Images from source: an ECR repository per built app, and the image awsx builds and pushes.

Creates (children of the component whose app is built, only with `build:`): an ECR repository
(scan on push, IMMUTABLE tags, KMS or AES256 encryption), its lifecycle policy (untagged images
expire, the last N images are kept), the `awsx.ecr.Image` that builds the Dockerfile for the
task's CPU architecture and pushes it, and the execution role's grant to pull from exactly that
repository. The task definition gets the pushed image by digest (`<repository>@sha256:...`), so a
new build is a new task definition revision and a rollback runs the exact bytes it ran before.

`container_definitions_json` is the one call components make where the image is resolved.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

from . import iam, protection
from .specs.image import BuildSpec
from .specs.ipv6_support import dual_stack_image
from .specs.service import ServiceSpec

PLATFORMS = {"X86_64": "linux/amd64", "ARM64": "linux/arm64"}


def container_definitions_json(
    parent: pulumi.Resource,
    name: str,
    spec: ServiceSpec,
    containers: list[dict[str, Any]],
    execution_role: aws.iam.Role,
    dual_stack: bool = False,
) -> tuple[pulumi.Input[str], tuple[pulumi.Resource, ...]]:
    """The task's container definitions as JSON, with the app image built first if needed,
    and the execution role's grant to pull it (empty when nothing is built).

    `dual_stack` (IPv6-only tasks): the pushed image is pulled through ECR's dual-stack host.
    """
    if spec.build is None:
        return json.dumps(containers), ()
    image_uri, pull = built_image(parent, name, spec.build, spec.cpu_architecture, execution_role)
    if dual_stack:
        image_uri = image_uri.apply(dual_stack_image)
    app, *sidecars = containers
    return image_uri.apply(lambda uri: json.dumps([{**app, "image": uri}, *sidecars])), (pull,)


def lifecycle_policy(build: BuildSpec) -> str:
    """Expire untagged images after a while; keep the last `keepImages` images (ECR.3)."""
    return json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": f"Expire untagged after {build.untagged_expiry_days} days",
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": build.untagged_expiry_days,
                    },
                    "action": {"type": "expire"},
                },
                {
                    # A tagStatus "any" rule must have the highest rulePriority (ECR rule).
                    "rulePriority": 2,
                    "description": f"Keep the last {build.keep_images} images",
                    "selection": {
                        "tagStatus": "any",
                        "countType": "imageCountMoreThan",
                        "countNumber": build.keep_images,
                    },
                    "action": {"type": "expire"},
                },
            ]
        }
    )


def built_image(
    parent: pulumi.Resource,
    name: str,
    build: BuildSpec,
    architecture: str,
    execution_role: aws.iam.Role,
) -> tuple[pulumi.Output[str], aws.iam.RolePolicy]:
    child = pulumi.ResourceOptions(parent=parent)
    stack, project = pulumi.get_stack(), pulumi.get_project()
    repository = aws.ecr.Repository(
        f"{name}-repo",
        name=f"{project}/{stack}/{name}".lower(),
        image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(
            scan_on_push=True  # Security Hub ECR.1
        ),
        image_tag_mutability="IMMUTABLE",  # Security Hub ECR.2
        encryption_configurations=[
            aws.ecr.RepositoryEncryptionConfigurationArgs(
                encryption_type=build.encryption, kms_key=build.kms_key_arn
            )
        ],
        # DeleteRepository refuses a repository that holds images unless forced ("If false,
        # the repository must be empty before attempting to delete it"), and every `up` here
        # pushes one. Where protection is on, `protect` refuses the delete before this applies.
        # https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DeleteRepository.html
        force_delete=True,
        opts=protection.stateful(parent),
    )
    aws.ecr.LifecyclePolicy(
        f"{name}-repo", repository=repository.name, policy=lifecycle_policy(build), opts=child
    )
    pull = aws.iam.RolePolicy(
        f"{name}-pull",
        role=execution_role.id,
        policy=repository.arn.apply(_pull_policy),
        opts=child,
    )
    image = awsx.ecr.Image(
        f"{name}-image",
        repository_url=repository.repository_url,
        context=build.context,
        dockerfile=build.dockerfile,
        target=build.target,
        args=build.args or None,
        platform=PLATFORMS[architecture],
        opts=child,
    )
    return image.image_uri, pull


def _pull_policy(repository_arn: str) -> str:
    return iam.policy(
        [
            {
                # GetAuthorizationToken has no resource-level permissions (ECR API reference).
                "Sid": "EcrLogin",
                "Effect": "Allow",
                "Action": "ecr:GetAuthorizationToken",
                "Resource": "*",
            },
            {
                "Sid": "PullBuiltImage",
                "Effect": "Allow",
                "Action": [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                ],
                "Resource": repository_arn,
            },
        ]
    )
