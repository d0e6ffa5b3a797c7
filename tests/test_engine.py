"""The offline engine closes the mock engine's gaps with the real engine (see offline/engine.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from offline import shapes
from offline.engine import EngineError, run_program
from tests.support import BASE, plan_config

ROOT = Path(__file__).resolve().parent.parent


def run(tmp_path: Path, body: str, stack: str = "t"):
    program = tmp_path / "__main__.py"
    program.write_text("import pulumi\nimport pulumi_aws as aws\n" + textwrap.dedent(body))
    return run_program(stack, {"aws:region": "eu-west-1"}, "eu-west-1", "123456789012", program)


def test_duplicate_urns_fail_the_run_like_the_real_engine(tmp_path):
    with pytest.raises(EngineError, match="Duplicate resource URN"):
        run(
            tmp_path,
            """
            aws.cloudwatch.LogGroup("logs", retention_in_days=7)
            aws.cloudwatch.LogGroup("logs", retention_in_days=7)
            """,
        )


def test_same_name_with_different_types_is_not_a_duplicate(tmp_path):
    captured, *_ = run(
        tmp_path,
        """
        aws.cloudwatch.LogGroup("x", retention_in_days=7)
        aws.sqs.Queue("x")
        """,
    )
    assert sorted(r.type for r in captured) == [
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:sqs/queue:Queue",
    ]


def test_urns_carry_the_full_parent_type_chain_and_no_stack_prefix(tmp_path):
    captured, *_ = run(
        tmp_path,
        """
        class Outer(pulumi.ComponentResource):
            def __init__(self, name):
                super().__init__("my:a:Outer", name)
                Inner(f"{name}-inner", pulumi.ResourceOptions(parent=self))

        class Inner(pulumi.ComponentResource):
            def __init__(self, name, opts):
                super().__init__("my:b:Inner", name, None, opts)
                aws.sqs.Queue(f"{name}-q", opts=pulumi.ResourceOptions(parent=self))

        Outer("o")
        """,
    )
    urns = {r.name: r.urn for r in captured}
    assert urns["o"] == "urn:pulumi:t::ecs-platform::my:a:Outer::o"
    assert urns["o-inner-q"] == (
        "urn:pulumi:t::ecs-platform::my:a:Outer$my:b:Inner$aws:sqs/queue:Queue::o-inner-q"
    )


def test_a_resource_passed_as_an_input_does_not_hang_the_run():
    program = textwrap.dedent(
        """
        import sys
        sys.path.insert(0, ROOT)
        from pathlib import Path
        import tempfile
        from offline.engine import run_program
        body = '''
        import pulumi, pulumi_aws as aws
        target = aws.lb.TargetGroup("tg", port=80, protocol="HTTP", target_type="ip")
        pulumi.CustomResource("test:index:Holder", "holder", {"targetGroup": target})
        '''
        d = Path(tempfile.mkdtemp()) / "__main__.py"
        d.write_text(body)
        captured, *_ = run_program("t", {"aws:region": "eu-west-1"}, "eu-west-1", "1" * 12, d)
        holder = next(r for r in captured if r.name == "holder")
        print(holder.inputs["targetGroup"])
        """
    ).replace("ROOT", repr(str(ROOT)), 1)
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "urn:pulumi:t::ecs-platform::aws:lb/targetGroup:TargetGroup::tg"


def test_numbers_arrive_as_ints_where_they_are_whole(tmp_path):
    captured, *_ = run(tmp_path, 'aws.cloudwatch.LogGroup("logs", retention_in_days=14)\n')
    value = captured[0].inputs["retentionInDays"]
    assert value == 14 and isinstance(value, int)


def test_state_does_not_leak_between_runs(tmp_path):
    first, outputs1, *_ = run(
        tmp_path, 'aws.sqs.Queue("a")\npulumi.export("only_first", 1)\n', stack="one"
    )
    second, outputs2, *_ = run(tmp_path, 'aws.sqs.Queue("b")\n', stack="two")
    assert [r.urn for r in second] == ["urn:pulumi:two::ecs-platform::aws:sqs/queue:Queue::b"]
    assert outputs1 == {"only_first": 1} and outputs2 == {}


def test_an_invoke_the_engine_cannot_answer_fails_loudly(tmp_path):
    with pytest.raises(Exception, match="no answer for invoke aws:ec2/getVpc:getVpc"):
        run(tmp_path, "aws.ec2.get_vpc(default=True)\n")


def test_engine_options_are_captured(tmp_path):
    captured, *_ = run(
        tmp_path,
        """
        aws.cloudwatch.LogGroup("logs", retention_in_days=7, opts=pulumi.ResourceOptions(
            protect=True, retain_on_delete=True, ignore_changes=["tags"],
            aliases=[pulumi.Alias(name="old-logs")],
            custom_timeouts=pulumi.CustomTimeouts(create="5m")))
        """,
    )
    options = captured[0].options
    assert options["protect"] is True and options["retainOnDelete"] is True
    assert options["ignoreChanges"] == ["tags"]
    assert options["customTimeouts"] == {"create": "5m"}
    assert any("old-logs" in json.dumps(a) for a in options["aliases"])


def test_inputs_aws_would_reject_fail_the_plan(tmp_path, monkeypatch):
    from offline import engine

    program = tmp_path / "__main__.py"
    program.write_text(
        "import pulumi_aws as aws\n"
        'aws.ecs.Service("svc", deployment_configuration={"strategy": "BLUEGREEN"})\n'
    )
    monkeypatch.setattr(engine, "PROJECT_DIR", tmp_path)
    original = engine.run_program
    monkeypatch.setattr(engine, "run_program", lambda *a, **k: original(*a, program=program, **k))
    with pytest.raises(EngineError, match="'BLUEGREEN' is not one of ROLLING, BLUE_GREEN"):
        engine.plan("test", _write(tmp_path, BASE))


def _write(tmp_path: Path, cfg: dict) -> Path:
    import yaml

    path = tmp_path / "Pulumi.test.yaml"
    path.write_text(yaml.safe_dump({"config": cfg}))
    return path


@pytest.mark.parametrize(
    ("container", "message"),
    [
        ({"name": "app", "image": "x", "readOnlyRootFilesystem": True}, "unknown member"),
        ({"name": "app", "image": "x", "logConfiguration": {"logDriver": "cloudwatch"}},
         "'cloudwatch' is not one of"),
        ({"name": "app", "image": "x", "portMappings": [{"containerPort": "80"}]},
         "expected an integer"),
        ({"image": "x"}, "missing required member name"),
    ],
)  # fmt: skip
def test_container_definitions_are_checked_against_the_ecs_api_shape(container, message):
    errors = shapes.check_resource(
        "aws:ecs/taskDefinition:TaskDefinition",
        {"containerDefinitions": json.dumps([container])},
        "td",
    )
    assert any(message in e for e in errors), errors


def test_a_valid_container_definition_passes_the_ecs_api_shape():
    container = {
        "name": "app",
        "image": "public.ecr.aws/nginx/nginx:1.27",
        "essential": True,
        "portMappings": [{"containerPort": 80, "protocol": "tcp"}],
        "readonlyRootFilesystem": True,
        "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "g"}},
    }
    errors = shapes.check_resource(
        "aws:ecs/taskDefinition:TaskDefinition",
        {"containerDefinitions": json.dumps([container]), "networkMode": "awsvpc"},
        "td",
    )
    assert errors == []


def test_plans_are_deterministic():
    from tests.support import _cache

    a = plan_config(BASE, stack="det")
    _cache.clear()
    b = plan_config(BASE, stack="det")
    assert json.dumps([r.to_json() for r in a.resources]) == json.dumps(
        [r.to_json() for r in b.resources]
    )
