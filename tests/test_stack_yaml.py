"""Stack files as YAML: duplicate keys refused, syntax and config errors name the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.config import ConfigError
from components.stack_yaml import load
from offline.__main__ import main
from offline.stackfiles import load_stack

STACK = """\
config:
  aws:region: ap-northeast-2
  ecs-platform:network:
    cidrBlock: 10.20.0.0/16
    availabilityZones: 2
  ecs-platform:services:
    api:
      image: public.ecr.aws/nginx/nginx:1.27.3
      cpu: 256
      memory: 512
      environment:
        LOG_LEVEL: info
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "Pulumi.sandbox.yaml"
    path.write_text(text)
    return path


def refused(tmp_path: Path, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as err:
        load_stack("sandbox", write(tmp_path, text))
    return err.value


def test_the_base_stack_of_these_tests_is_valid(tmp_path):
    assert set(load_stack("sandbox", write(tmp_path, STACK)).config.services) == {"api"}


def test_a_second_service_of_the_same_name_is_a_config_error_with_file_line_and_key(tmp_path):
    text = STACK + "    api:\n      image: public.ecr.aws/nginx/nginx:1.27.4\n"
    error = refused(tmp_path, text)
    assert str(error).startswith(f"{tmp_path / 'Pulumi.sandbox.yaml'}:13: services.api: ")
    assert "duplicate key (first at line 7)" in str(error)


def test_duplicate_keys_are_refused_at_any_depth(tmp_path):
    error = refused(tmp_path, STACK + "        LOG_LEVEL: debug\n")
    assert ":13: services.api.environment.LOG_LEVEL: duplicate key" in str(error)
    top = refused(tmp_path, STACK + "  aws:region: us-east-1\n")
    assert ":13: aws:region: duplicate key (first at line 2)" in str(top)


def test_the_same_key_in_two_mappings_is_not_a_duplicate():
    doc, _ = load("a: {x: 1}\nb: {x: 1}\n", "f.yaml")
    assert doc == {"a": {"x": 1}, "b": {"x": 1}}


def test_a_number_and_a_string_of_the_same_text_are_different_keys():
    doc, _ = load("80: a\n'80': b\n", "f.yaml")
    assert doc == {80: "a", "80": "b"}


def test_a_yaml_syntax_error_is_one_line_with_file_line_and_column(tmp_path):
    error = refused(tmp_path, STACK + "      command: [run, --fast\n")
    text = str(error)
    assert "\n" not in text and "\\n" not in text
    assert text.startswith(f"{tmp_path / 'Pulumi.sandbox.yaml'}:")
    line, column = text.split(": not valid YAML: ")[0].rsplit(":", 2)[1:]
    assert int(line) >= 13 and int(column) >= 1


def test_a_config_error_names_the_line_of_the_offending_key(tmp_path):
    error = refused(tmp_path, STACK.replace("cpu: 256", "cpu: 300"))
    assert str(error).startswith(f"{tmp_path / 'Pulumi.sandbox.yaml'}:9: services.api.cpu: 300 ")


def test_a_missing_key_points_at_the_line_of_its_parent(tmp_path):
    text = STACK.replace("      image: public.ecr.aws/nginx/nginx:1.27.3\n", "")
    error = refused(tmp_path, text)
    assert error.path.startswith("services.api") and ":7: services.api" in str(error)


def test_the_plan_command_exits_2_with_the_duplicate_on_one_line(tmp_path, capsys):
    path = write(tmp_path, STACK + "    api:\n      image: x:1\n")
    assert main(["plan", "--stack", "sandbox", "--config-file", str(path)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.endswith("duplicate key (first at line 7); a YAML mapping holds each key once, "
                         "and the later value would silently replace the earlier one")  # fmt: skip
