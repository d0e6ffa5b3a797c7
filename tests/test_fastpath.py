"""The offline engine's fast paths (offline/fastpath.py) change nothing but time.

Each replacement is compared with the SDK function it stands in for: whole plans of every
shipped stack and of a program built to reach the awkward cases (aliases, resource references,
secrets, assets, component outputs), and the single functions on generated values.
"""

from __future__ import annotations

import asyncio
import enum
import gc
import textwrap
from pathlib import Path
from typing import Any

import pulumi
import pytest
from google.protobuf import struct_pb2
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi import _types
from pulumi.output import Unknown
from pulumi.runtime import resource as runtime_resource
from pulumi.runtime import rpc

from offline import fastpath
from offline.engine import EngineError, _answer, _serialize, plan, run_program
from offline.platform_plans import plan_stack
from tests.stack_files import locate, stack_ids
from tests.support import fixture_path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = stack_ids()  # every stack file that exists (tests/stack_files.py)
FIXTURES = ["dev", "staging", "prod"]  # the tests' own stack files (tests/fixtures/stacks)


# Everything a captured resource and a plan's outputs carry.
def _essence(p: Any) -> Any:
    return (
        [r.to_json() for r in p.resources],
        p.outputs,
        p.stack_urn,
        p.invokes,
        p.secret_outputs,
    )


def _switched(monkeypatch: pytest.MonkeyPatch, fast: bool, run: Any) -> Any:
    """`run()` with the fast paths switched on or off, the way users switch them."""
    with monkeypatch.context() as patch:
        if fast:
            patch.delenv(fastpath.SWITCH, raising=False)
        else:
            patch.setenv(fastpath.SWITCH, "0")
        return run()


@pytest.mark.parametrize("stack_id", SHIPPED)
def test_every_shipped_stack_plans_identically_on_the_sdks_own_bookkeeping(stack_id, monkeypatch):
    folder, stack = locate(stack_id)
    fast = _switched(monkeypatch, True, lambda: plan_stack(stack, project_dir=folder).plan)
    plain = _switched(monkeypatch, False, lambda: plan_stack(stack, project_dir=folder).plan)
    assert _essence(fast) == _essence(plain)


@pytest.mark.parametrize("stack", FIXTURES)
def test_the_tests_fixture_stacks_plan_identically_on_the_sdks_own_bookkeeping(stack, monkeypatch):
    path = fixture_path(stack)
    fast = _switched(monkeypatch, True, lambda: plan(stack, path))
    plain = _switched(monkeypatch, False, lambda: plan(stack, path))
    assert _essence(fast) == _essence(plain)


AWKWARD = """
import pulumi
import pulumi_aws as aws

class Box(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("test:box:Box", name, None, opts)
        self.key = aws.kms.Key(f"{name}-key", opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"keyArn": self.key.arn})

old = Box("box", pulumi.ResourceOptions(aliases=[pulumi.Alias(name="crate")]))
holder = pulumi.ComponentResource("test:box:Holder", "holder", {"key": old.key, "n": 3})
role = aws.iam.Role(
    "role",
    assume_role_policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": []}),
    tags={"empty": "", "n": "1"},
    opts=pulumi.ResourceOptions(
        parent=old, aliases=[pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)]
    ),
)
secret = aws.ssm.Parameter(
    "secret", type="SecureString", value=pulumi.Output.secret("hunter2"),
    opts=pulumi.ResourceOptions(depends_on=[role]),
)
obj = aws.s3.BucketObjectv2("obj", bucket="b", key="k", source=pulumi.StringAsset("body"))
logs = aws.cloudwatch.LogGroup(
    "logs", retention_in_days=7, kms_key_id=old.key.arn,
    opts=pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(create="2m")),
)
pulumi.export("role", role.arn)
pulumi.export("secret", secret.value)
pulumi.export("logsName", logs.name)
pulumi.export("objectSource", obj.source)
pulumi.export("key", old.key.key_id)
pulumi.export("existing", aws.ec2.Vpc.get("existing", "vpc-0123").id)  # a read, not a register
"""


def _comparable(value: Any) -> Any:
    """Assets compare by identity; compare them by kind and content."""
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_comparable(v) for v in value]
    if isinstance(value, pulumi.Asset):
        return (type(value).__name__, getattr(value, "text", None), getattr(value, "path", None))
    return value


def test_a_program_with_aliases_refs_secrets_and_assets_runs_identically(tmp_path, monkeypatch):
    program = tmp_path / "__main__.py"
    program.write_text(textwrap.dedent(AWKWARD))

    def run(fast: bool) -> Any:
        return _switched(
            monkeypatch,
            fast,
            lambda: run_program("t", {"aws:region": "eu-west-1"}, "eu-west-1", "1" * 12, program),
        )

    fast_run, slow_run = run(True), run(False)
    assert _comparable([r.to_json() for r in fast_run[0]]) == _comparable(
        [r.to_json() for r in slow_run[0]]
    )
    assert _comparable(fast_run[1:]) == _comparable(slow_run[1:])
    role = next(r for r in fast_run[0] if r.name == "role")
    assert len(role.options["aliases"]) == 1  # the alias went through create_urn
    holder = next(r for r in fast_run[0] if r.name == "holder")
    assert holder.inputs == {"key": next(r.urn for r in fast_run[0] if r.name == "box-key"), "n": 3}
    assert fast_run[4] == ["secret"]


WHICH = """
import pulumi
from pulumi.runtime import rpc
pulumi.export("transfer", rpc.transfer_properties.__module__)
"""


@pytest.mark.parametrize(
    ("value", "module"),
    [(None, "offline.fastpath"), ("1", "offline.fastpath"), ("0", "pulumi.runtime.rpc")],
)
def test_one_environment_switch_decides_which_bookkeeping_a_run_uses(
    tmp_path, monkeypatch, value, module
):
    program = tmp_path / "__main__.py"
    program.write_text(WHICH)
    if value is None:
        monkeypatch.delenv(fastpath.SWITCH, raising=False)
    else:
        monkeypatch.setenv(fastpath.SWITCH, value)
    outputs = run_program("t", {"aws:region": "eu-west-1"}, "eu-west-1", "1" * 12, program)[1]
    assert outputs == {"transfer": module}


def test_the_sdk_and_the_collector_are_restored_after_a_run_even_a_failing_one(tmp_path):
    saved = (rpc.transfer_properties, rpc.serialize_property, _types.unwrap_type)
    program = tmp_path / "__main__.py"
    program.write_text("import pulumi_aws as aws\naws.sqs.Queue('q')\naws.sqs.Queue('q')\n")
    assert gc.isenabled()
    with pytest.raises(EngineError, match="Duplicate resource URN"):
        run_program("t", {"aws:region": "eu-west-1"}, "eu-west-1", "1" * 12, program)
    assert gc.isenabled()
    assert (rpc.transfer_properties, rpc.serialize_property, _types.unwrap_type) == saved
    assert runtime_resource.create_urn is fastpath._SDK_CREATE_URN
    assert "run_in_executor" not in vars(asyncio.get_event_loop())


# -- single functions on generated values ----------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.just(rpc.UNKNOWN),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=4),
        inner.map(lambda v: {rpc._special_sig_key: rpc._special_secret_sig, "value": v}),
    ),
    max_leaves=20,
)
with_unknowns = st.recursive(
    st.one_of(scalars, st.builds(Unknown)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(with_unknowns)
def test_contains_unknowns_agrees_with_the_sdk(value):
    assert fastpath.contains_unknowns(value) == rpc.contains_unknowns(value)


def test_contains_unknowns_follows_shared_and_cyclic_containers_like_the_sdk():
    shared: list[Any] = [1, Unknown()]
    cyclic: list[Any] = [1]
    cyclic.append(cyclic)
    for value in ({"a": shared, "b": shared}, cyclic, [cyclic, Unknown()], {"x": {"y": []}}):
        assert fastpath.contains_unknowns(value) == rpc.contains_unknowns(value)


def _now(coroutine: Any) -> Any:
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    raise AssertionError("serialising plain values waited")


class Colour(str, enum.Enum):
    RED = "red"


@given(json_values)
def test_serialize_property_agrees_with_the_sdk(value):
    fast = _now(fastpath.serialize_property(value, [], "key"))
    assert fast == _now(rpc.serialize_property(value, [], "key"))


def test_serialize_property_leaves_enums_and_protobuf_requests_to_the_sdk():
    assert _now(fastpath.serialize_property(Colour.RED, [], "c")) == "red"
    value = _now(fastpath.serialize_property("x", [], "k", return_protobuf_value=True))
    assert value == struct_pb2.Value(string_value="x")


@given(json_values.filter(lambda v: v is not None))
def test_deserialize_property_agrees_with_the_sdk(value):
    item = _serialize({"v": value})["v"]  # a scalar, or a Struct / ListValue to recurse into
    assert fastpath.deserialize_property(item) == rpc.deserialize_property(item)


@given(st.sampled_from(["x", "", rpc.UNKNOWN, 1.5, True, False, None]))
def test_deserialize_property_answers_scalars_as_the_sdk_does(value):
    assert fastpath.deserialize_property(value) == rpc.deserialize_property(value)


@settings(max_examples=200)
@given(
    st.dictionaries(st.text(min_size=1, max_size=6), json_values, max_size=6),
    st.dictionaries(st.text(min_size=1, max_size=6), st.one_of(st.none(), json_values), max_size=4),
)
def test_the_monitors_answer_reads_back_as_the_sdks_encoding_of_the_state(sent_values, computed):
    sent = _serialize(sent_values)
    inputs = rpc.deserialize_properties(sent)
    state = {**inputs, **{k: v for k, v in computed.items() if k not in inputs}}
    answer = _answer(sent, inputs, state)
    assert rpc.deserialize_properties(answer) == rpc.deserialize_properties(_serialize(state))


def test_the_monitors_answer_takes_the_full_encoding_when_the_state_replaces_an_input():
    sent = _serialize({"name": "given", "n": 1})
    inputs = rpc.deserialize_properties(sent)
    state = {**inputs, "name": "replaced"}
    assert rpc.deserialize_properties(_answer(sent, inputs, state))["name"] == "replaced"


def test_memoized_type_lookups_answer_as_the_sdk_does():
    unwrap = fastpath._memoized(_types.unwrap_type)
    annotations: list[Any] = [str, "Input[str]", list[int], dict[str, Any]]
    for typ in annotations:
        assert unwrap(typ) == _types.unwrap_type(typ)
        assert unwrap(typ) == _types.unwrap_type(typ)  # from the cache
    unhashable = fastpath._memoized(lambda t: len(t))
    assert unhashable([1, 2]) == 2


def test_fast_paths_never_load_for_a_real_pulumi_up():
    main = (ROOT / "__main__.py").read_text()
    assert "fastpath" not in main and "offline" not in main


OUTPUT_TYPES: list[Any] = [None, str, int, float, bool, Any, Colour, int | None, Colour | None]


@given(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text()),
    st.sampled_from(OUTPUT_TYPES),
)
def test_translate_output_properties_treats_scalars_as_the_sdk_does(value, typ):
    def translate(how: Any) -> Any:
        try:
            result = how(value, lambda k: k, typ)
        except Exception as exn:  # the same failure is the same answer
            return ("raised", type(exn))
        return ("ok", type(result), result)

    assert translate(fastpath.translate_output_properties) == translate(
        rpc.translate_output_properties
    )


def test_resource_type_lookups_are_cached_per_class_with_the_sdks_answer():
    import pulumi_aws as aws

    types = fastpath._memoized(_types.resource_types)
    names = fastpath._memoized(_types.resource_pulumi_to_py_names)
    for cls in (aws.ecs.Service, aws.cloudwatch.MetricAlarm):
        assert types(cls) == _types.resource_types(cls)
        assert types(cls) is types(cls)
        assert names(cls) == _types.resource_pulumi_to_py_names(cls)
