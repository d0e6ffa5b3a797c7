"""Run the real `__main__.py` under Pulumi's mock engine and capture every registered resource.

Closes the gaps between the mock engine and the real one (each shown by tests/test_engine.py):
- duplicate URNs fail the run, as the real engine does;
- resource references in inputs are rewritten to URNs before the stock monitor deserialises
  them (otherwise the run can hang on a cross-thread event loop);
- numbers arrive as floats: integral floats are restored to ints in the captured inputs;
- global state (root stack, config, exports) is reset before every run;
- inputs are checked against AWS's API shapes (offline/shapes/) after the run;
- invokes are answered strictly: an unknown invoke fails instead of returning nothing;
- the SDK's per-resource bookkeeping runs on faster equivalents (offline/fastpath.py; off with
  ECS_PLATFORM_FASTPATH=0), and the monitor is called on the event loop's own thread.
"""

from __future__ import annotations

import contextlib
import os
import runpy
import sys
import threading
from pathlib import Path
from typing import Any, cast

import pulumi
from google.protobuf import json_format, struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, _resolve_callbacks
from pulumi.runtime.proto import provider_pb2, resource_pb2
from pulumi.runtime.sync_await import _ensure_event_loop

from components.config import PROJECT, PROJECT_DIR

from . import fastpath, shapes, timings
from .errors import EngineError
from .mocks import OfflineMocks, infer_account, referenced_outputs
from .planned import Captured, Plan, normalize
from .stackfiles import StackFile, load_stack, project_folder


def _strip_resource_refs(value: struct_pb2.Value) -> None:
    """Replace resource-reference structs with their URN string, in place."""
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        fields = value.struct_value.fields
        sig = fields.get(rpc._special_sig_key)
        if sig is not None and sig.string_value == rpc._special_resource_sig:
            value.string_value = fields["urn"].string_value
            return
        for child in fields.values():
            _strip_resource_refs(child)
    elif kind == "list_value":
        for child in value.list_value.values:
            _strip_resource_refs(child)


class CapturingMonitor(MockMonitor):
    """MockMonitor that records each registration with parent, dependencies and options."""

    def __init__(self, mocks: OfflineMocks) -> None:
        super().__init__(mocks)
        self.captured: list[Captured] = []
        self.stack_urn = ""
        self._urns: set[str] = set()
        self._lock = threading.Lock()

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """URNs as the real engine builds them: the parent's full type chain, no Stack prefix."""
        qualified = type_
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != "pulumi:pulumi:Stack":
                qualified = f"{parent_type}${type_}"
        return f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{qualified}::{name}"

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        if _RESOURCE_SIG in request.object.SerializeToString():  # a C-speed look before a walk
            for child in request.object.fields.values():
                _strip_resource_refs(child)
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == "pulumi:pulumi:Stack":
            self.stack_urn = urn
            return resource_pb2.RegisterResourceResponse(urn=urn)
        with self._lock:
            if urn in self._urns:
                raise EngineError(
                    f"Duplicate resource URN {urn}: two resources share type "
                    f"{request.type} and name {request.name!r} under the same parent"
                )
            self._urns.add(urn)
        inputs = rpc.deserialize_properties(request.object)
        rid, state = self._new(
            urn,
            request,
            inputs,
            resource_id=request.importId,
            custom=request.custom or False,
            transforms=_resolve_callbacks(request.transforms),
        )
        options = {
            "protect": bool(request.protect),
            "retainOnDelete": bool(request.retainOnDelete),
            "deleteBeforeReplace": bool(request.deleteBeforeReplace),
            "ignoreChanges": sorted(request.ignoreChanges),
            "replaceOnChanges": sorted(request.replaceOnChanges),
            "aliases": [json_format.MessageToDict(a) for a in request.aliases],
            "customTimeouts": (
                json_format.MessageToDict(request.customTimeouts)
                if request.HasField("customTimeouts")
                else {}
            ),
            "additionalSecretOutputs": sorted(request.additionalSecretOutputs),
        }
        with self._lock:
            self.captured.append(
                Captured(
                    urn=urn,
                    type=request.type,
                    name=request.name,
                    parent=request.parent if request.parent != self.stack_urn else None,
                    inputs=normalize(inputs),
                    custom=bool(request.custom),
                    dependencies=sorted(set(request.dependencies)),
                    options=options,
                )
            )
        return resource_pb2.RegisterResourceResponse(
            urn=urn, id=rid, object=_answer(request.object, inputs, state)
        )

    def _new(
        self, urn: str, request: Any, inputs: dict[str, Any], **args: Any
    ) -> tuple[str, dict[str, Any]]:
        """The mock's ID and state for a registered or read resource, remembered by URN."""
        rid, state = self.mocks.new_resource(
            MockResourceArgs(
                typ=request.type,
                name=request.name,
                inputs=inputs,
                provider=request.provider,
                **args,
            )
        )
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, rid or "", state)
        return rid or "", state

    def ReadResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        urn = self.make_urn(request.parent, request.type, request.name)
        state = rpc.deserialize_properties(request.properties)
        _, state = self._new(urn, request, state, resource_id=request.id)
        return resource_pb2.ReadResourceResponse(urn=urn, properties=_serialize(state))

    def Invoke(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        args = rpc.deserialize_properties(request.args)
        if request.tok == "pulumi:pulumi:getResource":
            found = self.resources.get(args["urn"])
            if found is None:
                raise EngineError(f"unknown resource {args['urn']}")
            return _invoke_response(found._asdict(), [])
        call = MockCallArgs(token=request.tok, args=args, provider=request.provider)
        answer = self.mocks.call(call)
        ret, failures = (answer, []) if isinstance(answer, dict) else answer
        return _invoke_response(ret, failures or [])


def _invoke_response(ret: dict[str, Any], failures: list[tuple[str, str]]) -> Any:
    response = resource_pb2.ResourceInvokeResponse(
        failures=[provider_pb2.CheckFailure(property=p, reason=r) for p, r in failures]
    )
    getattr(response, "return").CopyFrom(_serialize(ret))  # `return` is a Python keyword
    return response


def _answer(sent: struct_pb2.Struct, inputs: dict[str, Any], state: dict[str, Any]) -> Any:
    """The response's properties: the request's own Struct plus what the mock computed.

    `inputs` is `sent` deserialised, and a mock's state holds those same objects plus its
    computed values; the Struct of that state deserialises, on the SDK's side, to what the
    copied request plus the computed values does (both drop nulls in maps and lift secrets the
    same way). Copying is C; re-encoding every input was a tenth of a large plan. A state that
    drops or replaces an input takes the full encoding, and so do inputs holding a secret: the
    SDK's decoding lifts a nested secret to its container, after which a None inside it reads
    back differently from the wire it came from.
    """
    if _SECRET_SIG in sent.SerializeToString() or any(
        state.get(key, _MISSING) is not value for key, value in inputs.items()
    ):
        return _serialize(state)
    answer = struct_pb2.Struct()
    answer.CopyFrom(sent)
    computed = {key: value for key, value in state.items() if key not in inputs}
    for key in [key for key, value in computed.items() if value is None]:
        del computed[key]
        if key in answer.fields:
            del answer.fields[key]
    try:
        answer.update(computed)
    except (ValueError, TypeError, AttributeError):  # not plain JSON: the SDK's encoder
        return _serialize(state)
    return answer


_MISSING = object()
_RESOURCE_SIG = rpc._special_resource_sig.encode()
_SECRET_SIG = rpc._special_secret_sig.encode()


def _serialize(values: dict[str, Any]) -> struct_pb2.Struct:
    """What `rpc.serialize_properties` makes of a mock's plain answer, without an event loop.

    The stock mock monitor drives it with `_sync_await`, which re-enters the running loop (on the
    loop's own thread that recursion has no bound). For plain JSON values the SDK's result is the
    Struct of the same values with top-level Nones dropped, which protobuf builds directly;
    anything else (an asset, an archive) goes through the SDK's serializer, which never waits on
    plain data, so one step of the coroutine finishes it.
    """
    struct = struct_pb2.Struct()
    try:
        struct.update({k: v for k, v in values.items() if v is not None})
        return struct
    except (ValueError, TypeError, AttributeError):
        pass
    coroutine = rpc.serialize_properties(values, {})
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise EngineError("a mock answer holds an Output or a future; mocks return plain values")


def run_program(
    stack: str,
    config: dict[str, Any],
    region: str,
    account: str,
    program: Path = PROJECT_DIR / "__main__.py",
    *,
    project_dir: Path | None = None,
    stack_outputs: dict[str, dict[str, Any]] | None = None,
) -> tuple[list[Captured], dict[str, Any], str, list[str], list[str]]:
    """Run `program` under mocks with `config` ({"ecs-platform:network": ..., ...}).

    With `ECS_PLATFORM_FASTPATH=0` in the environment the run uses the SDK's own bookkeeping
    (offline/fastpath.py not applied): slower, and what the tests compare the fast paths against.
    """
    mocks = OfflineMocks(region=region, account=account, stack_outputs=stack_outputs)
    monitor = CapturingMonitor(mocks)
    wire = {k: v if isinstance(v, str) else _json(v) for k, v in config.items()}
    pulumi.runtime.reset_options(project=PROJECT, stack=stack)
    pulumi.runtime.set_all_config(wire)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
    # Where the program finds the stack files (pulumi.get_root_directory()): Pulumi.yaml's folder.
    cast(Any, runtime_settings.SETTINGS).root_directory = str(project_dir) if project_dir else None
    outputs: dict[str, Any] = {}
    secret: list[str] = []
    saved_env = os.environ.pop("PULUMI_CONFIG", None)
    if str(PROJECT_DIR) not in sys.path:
        sys.path.insert(0, str(PROJECT_DIR))
    try:

        def program_body() -> pulumi.Output[None]:
            runpy.run_path(str(program), run_name="__main__")
            root = pulumi.runtime.get_root_resource()
            exported = dict(getattr(root, "outputs", {}) or {})

            async def collect(values: dict[str, Any]) -> None:
                for key, value in exported.items():
                    if await pulumi.Output.from_input(value).is_secret():
                        secret.append(key)
                outputs.update(values)

            return pulumi.Output.from_input(exported).apply(collect)

        # the loop pulumi.runtime.test runs the program on
        fast = fastpath.enabled()
        with fastpath.installed(_ensure_event_loop()) if fast else contextlib.nullcontext():
            pulumi.runtime.test(program_body)()
    finally:
        if saved_env is not None:
            os.environ["PULUMI_CONFIG"] = saved_env
    captured = sorted(monitor.captured, key=lambda r: r.urn)
    return (
        captured,
        normalize(outputs),
        monitor.stack_urn,
        sorted(set(mocks.invokes)),
        sorted(secret),
    )


def _json(value: Any) -> str:
    import json

    return json.dumps(value)


def plan(
    stack: str,
    config_file: Path | None = None,
    *,
    project_dir: Path | None = None,
    stack_outputs: dict[str, dict[str, Any]] | None = None,
    loaded: StackFile | None = None,
) -> Plan:
    """Validate the stack's config, run the program offline, check the result.

    `project_dir`: the folder of Pulumi.yaml and the stack files (default: the repository);
    `stack_outputs`: referenced stack (short name) -> its outputs, for a service stack's
    StackReference to its platform; `loaded`: the stack file when the caller has validated it.
    """
    with timings.phase("config"):
        stack_file = loaded or load_stack(stack, config_file, project_dir)
        account = infer_account(stack_file.values)
    platform = stack_file.config.platform
    referenced: dict[str, Any] = {}
    if platform is not None and platform.stack is not None:  # fail before the program runs
        referenced = referenced_outputs(platform.stack, stack_outputs or {})
    folder = project_folder(config_file, project_dir)
    with timings.phase("program"):
        captured, outputs, stack_urn, invokes, secret_outputs = run_program(
            stack,
            stack_file.values,
            stack_file.config.region,
            account,
            project_dir=folder,
            stack_outputs=stack_outputs,
        )
    with timings.phase("shapes"):
        errors = [e for r in captured for e in shapes.check_resource(r.type, r.inputs, r.name)]
    if errors:
        raise EngineError(
            "AWS would reject these inputs:\n  "
            + "\n  ".join(errors[:20])
            + (f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else "")
        )
    return Plan(
        stack=stack,
        project=PROJECT,
        region=stack_file.config.region,
        account=account,
        source=stack_file.source,
        config=stack_file.config,
        resources=captured,
        outputs=outputs,
        stack_urn=stack_urn,
        invokes=invokes,
        secret_outputs=secret_outputs,
        referenced=referenced,
    )
