"""What the CI workflow asks of the repository: which stacks a change deploys, in which order,
and an image tag recorded in the stack file (layout and comments kept)."""

from __future__ import annotations

import json

import pytest
import yaml

from components.config import ConfigError
from offline.__main__ import main
from offline.ci import changed_stacks, deploy_order, set_image
from tests.test_stacks import STACKS

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
