"""What the CI workflow asks of the repository: which stacks a change deploys, in which order,
and an image tag recorded in the stack file (layout and comments kept). Platform and service
stacks are written to temporary git repositories here, never read from the shipped examples."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from components.config import ConfigError
from offline.__main__ import main
from offline.ci import changed, changed_stacks, deploy_order, set_image
from tests.stack_files import ROOT as PROJECT_ROOT
from tests.stack_files import locate, stack_ids

STACKS = [name for folder, name in map(locate, stack_ids()) if folder == PROJECT_ROOT]

STACK_FILE = """\
# team stack
config:
  aws:region: eu-west-1
  ecs-platform:services:
    web:
      image: public.ecr.aws/nginx/nginx:1.27.3   # the front end
      containerPort: 80
    api: {image: "public.ecr.aws/nginx/nginx:1.27.3", containerPort: 8080}
"""


def test_a_changed_stack_file_deploys_only_its_stack():
    paths = ["Pulumi.dev.yaml", "docs/services.md", "README.md"]
    assert changed_stacks(paths, ["dev", "prod", "shop.eu"]) == ["dev"]
    assert changed_stacks(["Pulumi.shop.eu.yaml"], ["dev", "shop.eu"]) == ["shop.eu"]


@pytest.mark.parametrize(
    "path", ["components/service.py", "requirements.txt", "Pulumi.yaml", "policy/config.prod.json"]
)
def test_a_change_to_the_program_deploys_every_stack(path):
    assert changed_stacks([path, "Pulumi.dev.yaml"], ["prod", "dev"]) == ["dev", "prod"]


def test_a_deleted_stack_file_deploys_nothing():
    assert changed_stacks(["Pulumi.gone.yaml"], ["dev"]) == []


def test_deploy_order_puts_dev_levels_first_and_prod_last_with_their_regions():
    order = deploy_order(reversed(STACKS))
    ranks = [{"dev": 0, "staging": 1, "prod": 2}[e["level"]] for e in order]
    assert ranks == sorted(ranks) and {e["stack"] for e in order} == set(STACKS)
    assert all(e["region"] for e in order)


def test_the_changed_command_prints_the_deploy_matrix(capsys):
    assert main(["changed", *[a for s in STACKS for a in ("--stack", s)]]) == 0
    assert [e["stack"] for e in json.loads(capsys.readouterr().out)] == [
        e["stack"] for e in deploy_order(STACKS)
    ]


def test_set_image_changes_that_one_value_and_keeps_comments_and_layout():
    out = set_image(STACK_FILE, "Pulumi.x.yaml", "services", "web", "repo/web:1.9.0")
    assert out == STACK_FILE.replace(
        "image: public.ecr.aws/nginx/nginx:1.27.3   #", "image: repo/web:1.9.0   #"
    )
    api = set_image(STACK_FILE, "Pulumi.x.yaml", "services", "api", "repo/api:2.0")
    assert yaml.safe_load(api)["config"]["ecs-platform:services"]["api"]["image"] == "repo/api:2.0"
    assert "# team stack" in api


def test_set_image_quotes_a_value_yaml_would_read_as_something_else():
    out = set_image(STACK_FILE, "Pulumi.x.yaml", "services", "web", "1.10")
    assert yaml.safe_load(out)["config"]["ecs-platform:services"]["web"]["image"] == "1.10"


@pytest.mark.parametrize(
    ("section", "name", "image", "path"),
    [
        ("services", "nope", "repo/web:1", "nope"),
        ("services", "web", "repo/web:1 ; rm -rf /", "services.web.image"),
        ("volumes", "web", "repo/web:1", "volumes"),
    ],
)
def test_set_image_refuses_what_it_cannot_record(section, name, image, path):
    with pytest.raises(ConfigError) as info:
        set_image(STACK_FILE, "Pulumi.x.yaml", section, name, image)
    assert info.value.path == path


# -- platform and service stacks --------------------------------------------------------------

PLATFORM = "config:\n  aws:region: eu-west-1\n  ecs-platform:stackKind: platform\n"
SINGLE = "config:\n  aws:region: eu-west-1\n"


def service(platform: str, extra: str = "") -> str:
    return (
        "config:\n  aws:region: eu-west-1\n  ecs-platform:stackKind: service\n"
        f"  ecs-platform:platform: {platform}\n{extra}"
    )


BROWNFIELD = (
    "{clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/shared', vpcId: vpc-0abc,"
    " privateSubnetIds: [subnet-0a], loadBalancerSecurityGroupId: sg-0abc, listenerArn:"
    " 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/0abc/0def'}"
)
FILES = {
    "Pulumi.platform-dev.yaml": PLATFORM,
    "Pulumi.platform-prod.yaml": PLATFORM,
    "Pulumi.team-a.yaml": service("{stack: platform-dev}"),
    "Pulumi.team-b.yaml": service("{stack: acme/ecs-platform/platform-dev}"),
    "Pulumi.team-c.yaml": service("{stack: platform-prod}"),
    "Pulumi.team-x.yaml": service(BROWNFIELD),
    "Pulumi.team-y.yaml": service("{stack: acme/other-project/platform-dev}"),
    "Pulumi.team-z.yaml": service("{stack: acme/platform-dev}"),
    "Pulumi.solo.yaml": SINGLE,
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=ci", "-c", "user.email=ci@example.com", *args],
        cwd=repo, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return done.stdout.strip()


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, str]:
    """A git repository whose project directory is `teams/` (not the repository root), and
    the commit holding its first stack files."""
    root = tmp_path / "teams"
    root.mkdir()
    for name, text in FILES.items():
        (root / name).write_text(text)
    (tmp_path / "Pulumi.team-a.yaml").write_text(SINGLE)  # another project's file, at the top
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "stacks")
    return root, git(tmp_path, "rev-parse", "HEAD")


def commit(root: Path, name: str, text: str) -> None:
    (root / name).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", f"change {name}")


def test_a_changed_platform_file_also_deploys_the_service_stacks_that_reference_it(project):
    root, base = project
    commit(root, "Pulumi.platform-dev.yaml", PLATFORM + "  ecs-platform:teams: {}\n")
    assert changed(base, "HEAD", root) == [
        {"stack": "platform-dev", "level": "dev", "region": "eu-west-1", "kind": "platform"},
        {"stack": "team-a", "level": "dev", "region": "eu-west-1", "kind": "service",
         "reason": "platform platform-dev changed"},
        {"stack": "team-b", "level": "dev", "region": "eu-west-1", "kind": "service",
         "reason": "platform platform-dev changed"},
        {"stack": "team-z", "level": "dev", "region": "eu-west-1", "kind": "service",
         "reason": "platform platform-dev changed"},
    ]  # fmt: skip


def test_a_changed_service_file_deploys_only_that_service_stack(project):
    root, base = project
    commit(root, "Pulumi.team-a.yaml", FILES["Pulumi.team-a.yaml"] + "  ecs-platform:team: a\n")
    assert changed(base, "HEAD", root) == [
        {"stack": "team-a", "level": "dev", "region": "eu-west-1", "kind": "service"}
    ]


def test_only_the_project_directory_s_stack_files_count(project):
    root, base = project
    commit(root.parent, "Pulumi.team-a.yaml", "config:\n  aws:region: eu-west-2\n")
    assert changed(base, "HEAD", root) == []
    commit(root.parent, "tool.py", "print()\n")  # the program: every stack of the directory
    assert [e["stack"] for e in changed(base, "HEAD", root)] == [
        "platform-dev", "solo", "team-x", "team-y", "team-a", "team-b", "team-z",
        "platform-prod", "team-c",
    ]  # fmt: skip


def test_a_service_stack_deploys_after_its_platform_and_never_at_a_lower_level(project):
    root, _ = project
    order = [e["stack"] for e in deploy_order(reversed(sorted(s[7:-5] for s in FILES)), root)]
    assert order.index("platform-dev") < min(order.index(s) for s in ("team-a", "team-b", "team-z"))
    # team-c is dev by its name but runs on the prod-level platform: it deploys after that
    assert order[-2:] == ["platform-prod", "team-c"]
    # stacks with no listed platform keep the level-then-name order
    assert order[:4] == ["platform-dev", "solo", "team-x", "team-y"]
    # without its platform in the list a service stack is ordered like any other stack
    assert [e["stack"] for e in deploy_order(["team-c", "solo", "team-a"], root)] == [
        "solo", "team-a", "team-c",
    ]  # fmt: skip


def test_a_service_stack_s_level_and_region_come_from_its_own_file(tmp_path):
    (tmp_path / "Pulumi.team-a.yaml").write_text(
        service("{stack: platform}", "  ecs-platform:policyLevel: prod\n").replace(
            "eu-west-1", "us-east-2"
        )
    )
    assert deploy_order(["team-a"], tmp_path) == [
        {"stack": "team-a", "level": "prod", "region": "us-east-2", "kind": "service"}
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            PLATFORM.replace("platform\n", "shared\n"),
            "Pulumi.p.yaml:3: stackKind: 'shared' is not one of single, platform, service",
        ),
        (
            PLATFORM.replace("  aws:region: eu-west-1\n", ""),
            "Pulumi.p.yaml: aws:region: required: set aws:region (pulumi config set aws:region "
            "ap-northeast-2)",
        ),
        (
            PLATFORM + "  ecs-platform:policyLevel: production\n",
            "Pulumi.p.yaml:4: policyLevel: 'production' is not one of auto, dev, staging, prod",
        ),
    ],
)
def test_a_stack_file_the_order_cannot_read_is_refused_naming_file_key_and_value(
    tmp_path, text, message
):
    (tmp_path / "Pulumi.p.yaml").write_text(text)
    with pytest.raises(ConfigError) as info:
        deploy_order(["p"], tmp_path)
    assert str(info.value) == message
