"""Images from source: ECR repository settings, the awsx image, and its digest in the task."""

from __future__ import annotations

import json

import pytest

from components.concepts import images
from offline.mocks import PLACEHOLDER_DIGEST
from tests.support import config, config_error, mutate, only, plan_config

REPO = "aws:ecr/repository:Repository"
IMAGE = "awsx:ecr:Image"
TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"
KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666"
BUILD = {"context": "./app"}
WEB = {"build": BUILD, "cpu": 256, "memory": 512, "containerPort": 8080}


def stack(web: dict | None = None, **top):
    return config(
        network={"cidrBlock": "10.20.0.0/16", "availabilityZones": 2, "natGateways": "single"},
        services={"web": web if web is not None else WEB},
        **top,
    )


def app_image(plan, name="web"):
    return json.loads(plan.named(f"{name}-taskdef", TASKDEF).inputs["containerDefinitions"])[0][
        "image"
    ]


def test_repository_scans_on_push_has_immutable_tags_and_kms_encryption():
    repo = plan_config(stack()).named("web-repo", REPO).inputs
    assert repo["name"] == "ecs-platform/test/web"
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo["imageTagMutability"] == "IMMUTABLE"
    assert repo["encryptionConfigurations"] == [{"encryptionType": "KMS"}]


def test_a_customer_managed_key_or_aes256_can_be_chosen():
    repo = plan_config(stack({**WEB, "build": {**BUILD, "kmsKeyArn": KEY}})).named("web-repo", REPO)
    assert repo.inputs["encryptionConfigurations"] == [{"encryptionType": "KMS", "kmsKey": KEY}]
    repo = plan_config(stack({**WEB, "build": {**BUILD, "encryption": "AES256"}})).named(
        "web-repo", REPO
    )
    assert repo.inputs["encryptionConfigurations"] == [{"encryptionType": "AES256"}]


def test_lifecycle_policy_expires_untagged_images_and_keeps_the_last_n():
    build = {**BUILD, "keepImages": 25, "untaggedExpiryDays": 3}
    plan = plan_config(stack({**WEB, "build": build}))
    policy = plan.named("web-repo", "aws:ecr/lifecyclePolicy:LifecyclePolicy")
    assert plan.named("web-repo", REPO).urn in policy.dependencies
    untagged, keep = json.loads(policy.inputs["policy"])["rules"]
    assert untagged["selection"] == {
        "tagStatus": "untagged",
        "countType": "sinceImagePushed",
        "countUnit": "days",
        "countNumber": 3,
    }
    assert keep["selection"] == {
        "tagStatus": "any",
        "countType": "imageCountMoreThan",
        "countNumber": 25,
    }
    assert keep["rulePriority"] > untagged["rulePriority"]
    assert untagged["action"] == keep["action"] == {"type": "expire"}


def test_awsx_builds_the_context_for_the_tasks_architecture_and_pushes_to_the_repository():
    build = {"context": "./app", "dockerfile": "docker/Dockerfile", "target": "runtime",
             "args": {"VERSION": "1.2.3"}}  # fmt: skip
    plan = plan_config(stack({**WEB, "build": build, "cpuArchitecture": "ARM64"}))
    image = plan.named("web-image", IMAGE)
    assert image.custom is False  # a remote awsx component
    assert image.inputs["context"] == "./app"
    assert image.inputs["dockerfile"] == "docker/Dockerfile"
    assert image.inputs["target"] == "runtime"
    assert image.inputs["args"] == {"VERSION": "1.2.3"}
    assert image.inputs["platform"] == "linux/arm64"
    assert plan.named("web-repo", REPO).urn in image.dependencies
    assert plan_config(stack()).named("web-image", IMAGE).inputs["platform"] == "linux/amd64"


def test_the_task_definition_runs_the_image_by_digest_from_the_image_resource():
    plan = plan_config(stack())
    image = plan.named("web-image", IMAGE)
    taskdef = plan.named("web-taskdef", TASKDEF)
    assert image.urn in taskdef.dependencies
    uri = app_image(plan)
    assert uri == f"{image.inputs['repositoryUrl']}@{PLACEHOLDER_DIGEST}"
    assert PLACEHOLDER_DIGEST == "sha256:" + "0" * 64  # visibly fake offline


def test_the_execution_role_may_pull_only_from_the_built_repository():
    plan = plan_config(stack())
    pull = plan.named("web-pull", "aws:iam/rolePolicy:RolePolicy")
    statements = {s["Sid"]: s for s in json.loads(pull.inputs["policy"])["Statement"]}
    assert statements["PullBuiltImage"]["Resource"] == (
        "arn:aws:ecr:ap-northeast-2:123456789012:repository/ecs-platform/test/web"
    )
    assert statements["EcrLogin"]["Action"] == "ecr:GetAuthorizationToken"
    assert plan.named("web-execution", "aws:iam/role:Role").urn in pull.dependencies
    # The task starts with this grant in place: the definition waits for it (and for the
    # execution policy), so the service that runs the definition does too.
    taskdef = plan.named("web-taskdef", TASKDEF)
    assert pull.urn in taskdef.dependencies
    assert plan.named("web-execution", "aws:iam/rolePolicy:RolePolicy").urn in taskdef.dependencies


def test_the_repository_can_be_deleted_with_its_images_unless_protected():
    # DeleteRepository refuses a repository that holds images unless forced (ECR API).
    repo = only(plan_config(stack()), REPO)
    assert repo.inputs["forceDelete"] is True
    assert repo.options["protect"] is False
    protected = only(plan_config(stack(protection={"protect": True})), REPO)
    assert protected.options["protect"] is True


def test_workers_and_scheduled_tasks_build_from_source_too():
    jobs = {"build": {"context": "./worker"}, "cpuArchitecture": "ARM64"}
    report = {"build": {"context": "./report"}, "schedule": "rate(1 day)"}
    plan = plan_config(config(workers={"jobs": jobs}, scheduledTasks={"report": report}))
    for name in ("jobs", "report"):
        image = plan.named(f"{name}-image", IMAGE)
        assert image.urn in plan.named(f"{name}-taskdef", TASKDEF).dependencies
        assert app_image(plan, name).endswith(f"/ecs-platform/test/{name}@{PLACEHOLDER_DIGEST}")
    assert plan.named("jobs-image", IMAGE).inputs["platform"] == "linux/arm64"


def test_an_image_uri_creates_no_repository_or_build():
    plan = plan_config(stack({**WEB, "build": None, "image": "public.ecr.aws/nginx/nginx:1.27"}))
    assert plan.of_type(REPO) == [] and plan.of_type(IMAGE) == []
    assert app_image(plan) == "public.ecr.aws/nginx/nginx:1.27"


@pytest.mark.parametrize(
    ("web", "where", "fragment"),
    [
        ({**WEB, "build": None}, "image", "required: set image (a URI) or build"),
        ({**WEB, "image": "nginx:1.27"}, "build", "either image or build, not both"),
        ({**WEB, "build": {"dockerfile": "Dockerfile"}}, "build.context", "required"),
        ({**WEB, "build": {**BUILD, "keepImages": 0}}, "build.keepImages", "below the minimum"),
        ({**WEB, "build": {**BUILD, "encryption": "AES256", "kmsKeyArn": KEY}},
         "build.kmsKeyArn", "needs encryption: KMS"),
        ({**WEB, "build": {**BUILD, "kmsKeyArn": "arn:aws:s3:::bucket"}}, "build.kmsKeyArn",
         "not a KMS key ARN"),
        ({**WEB, "build": {"context": "https://github.com/x/y.git"}}, "build.context",
         "a local path is expected"),
        ({**WEB, "build": {**BUILD, "args": {"1BAD": "x"}}}, "build.args", "not a valid value"),
    ],
)  # fmt: skip
def test_bad_build_settings_name_the_key(web, where, fragment):
    web = {k: v for k, v in web.items() if v is not None}
    error = config_error(stack(web))
    assert error.path.startswith(f"services.web.{where}")
    assert fragment in error.message


def test_a_worker_needs_an_image_or_a_build():
    error = config_error(config(workers={"jobs": {"command": ["x"]}}))
    assert error.path == "workers.jobs.image"


def test_without_nat_a_built_image_needs_the_ecr_endpoints():
    cfg = mutate(stack(), "network.natGateways", "none")
    error = config_error(cfg)
    assert error.path == "services.web.image"
    assert error.message.startswith("the built image cannot be pulled")


@pytest.mark.parametrize(
    "image",
    [
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/web:1.4.2",
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/web@sha256:" + "a" * 64,
        f"{images.ecr_registry('123456789012', 'eu-west-1')}/team/web",
    ],
)
def test_a_private_ecr_image_names_its_repository_arn_without_tag_or_digest(image):
    assert images.ecr_repository_arn(image) == (
        "arn:aws:ecr:eu-west-1:123456789012:repository/team/web"
    )


@pytest.mark.parametrize(
    "image", ["nginx:1.27", "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.1"]
)
def test_an_image_outside_private_ecr_has_no_repository_arn(image):
    assert images.ecr_repository_arn(image) is None


def test_an_ecr_registry_host_reads_back_as_its_account_and_region():
    host = images.ecr_registry("123456789012", "ap-northeast-2")
    assert host == "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com"
    assert images.ecr_location(host) == ("123456789012", "ap-northeast-2")
