"""Run the real `__main__.py` under Pulumi's mock engine and capture every registered resource.

Closes the gaps between the mock engine and the real one (reference/pulumi-under-mocks.md):
- duplicate URNs fail the run, as the real engine does;
- resource references in inputs are rewritten to URNs before the stock monitor deserialises
  them (otherwise the run can hang on a cross-thread event loop);
- numbers arrive as floats: integral floats are restored to ints in the captured inputs;
- global state (root stack, config, exports) is reset before every run;
- inputs are checked against AWS's API shapes (offline/shapes.py) after the run;
- invokes are answered strictly: an unknown invoke fails instead of returning nothing.
"""

from __future__ import annotations

import os
import runpy
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import json_format, struct_pb2
from pulumi.runtime import resource as runtime_resource
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.proto import source_pb2

from components.config import PROJECT, PROJECT_DIR, StackConfig

from . import shapes
from .mocks import OfflineMocks, infer_account
from .stackfiles import StackFile, load_stack


class EngineError(Exception):
    """The program did something the real engine or AWS would reject."""


@dataclass
class Captured:
    """One registered resource, as the engine received it."""

    urn: str
    type: str
    name: str
    parent: str | None
    inputs: dict[str, Any]
    custom: bool
    dependencies: list[str]
    options: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "inputs": self.inputs,
            "custom": self.custom,
            "dependencies": self.dependencies,
            "options": self.options,
        }


@dataclass
class Plan:
    stack: str
    project: str
    region: str
    account: str
    source: str
    config: StackConfig
    resources: list[Captured]
    outputs: dict[str, Any]
    stack_urn: str = ""
    invokes: list[str] = field(default_factory=list)
    secret_outputs: list[str] = field(default_factory=list)  # exported keys Pulumi keeps secret

    def of_type(self, type_: str) -> list[Captured]:
        return [r for r in self.resources if r.type == type_]

    def named(self, name: str, type_: str | None = None) -> Captured:
        found = [r for r in self.resources if r.name == name and (type_ in (None, r.type))]
        if len(found) != 1:
            raise KeyError(f"{len(found)} resources named {name!r} ({type_ or 'any type'})")
        return found[0]

    def children(self, parent: Captured) -> list[Captured]:
        return [r for r in self.resources if r.parent == parent.urn]


def normalize(value: Any) -> Any:
    """Integral floats back to ints (the wire carries every number as a double)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    return value


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
        for child in request.object.fields.values():
            _strip_resource_refs(child)
        urn = self.make_urn(request.parent, request.type, request.name)
        with self._lock:
            if request.type == "pulumi:pulumi:Stack":
                self.stack_urn = urn
            elif urn in self._urns:
                raise EngineError(
                    f"Duplicate resource URN {urn}: two resources share type "
                    f"{request.type} and name {request.name!r} under the same parent"
                )
            self._urns.add(urn)
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        inputs = normalize(rpc.deserialize_properties(request.object))
        timeouts = json_format.MessageToDict(request.customTimeouts)
        options = {
            "protect": bool(request.protect),
            "retainOnDelete": bool(request.retainOnDelete),
            "deleteBeforeReplace": bool(request.deleteBeforeReplace),
            "ignoreChanges": sorted(request.ignoreChanges),
            "replaceOnChanges": sorted(request.replaceOnChanges),
            "aliases": [json_format.MessageToDict(a) for a in request.aliases],
            "customTimeouts": timeouts,
            "additionalSecretOutputs": sorted(request.additionalSecretOutputs),
        }
        with self._lock:
            self.captured.append(
                Captured(
                    urn=response.urn,
                    type=request.type,
                    name=request.name,
                    parent=request.parent if request.parent != self.stack_urn else None,
                    inputs=inputs,
                    custom=bool(request.custom),
                    dependencies=sorted(set(request.dependencies)),
                    options=options,
                )
            )
        return response


def run_program(
    stack: str,
    config: dict[str, Any],
    region: str,
    account: str,
    program: Path = PROJECT_DIR / "__main__.py",
) -> tuple[list[Captured], dict[str, Any], str, list[str], list[str]]:
    """Run `program` under mocks with `config` ({"ecs-platform:network": ..., ...})."""
    mocks = OfflineMocks(region=region, account=account)
    monitor = CapturingMonitor(mocks)
    # The SDK walks the Python stack on every registration to tell the engine where the resource
    # was declared (source positions for `pulumi about`-style tooling). No engine reads it here,
    # and it is about a tenth of the plan's time at scale; the real `pulumi up` is untouched.
    runtime_resource._get_stack_trace = _NO_STACK_TRACE
    wire = {k: v if isinstance(v, str) else _json(v) for k, v in config.items()}
    pulumi.runtime.reset_options(project=PROJECT, stack=stack)
    pulumi.runtime.set_all_config(wire)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
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


def _no_stack_trace() -> source_pb2.StackTrace:
    return source_pb2.StackTrace()


_NO_STACK_TRACE = _no_stack_trace


def _json(value: Any) -> str:
    import json

    return json.dumps(value)


def plan(stack: str, config_file: Path | None = None) -> Plan:
    """Validate the stack's config, run the program offline, check the result."""
    stack_file: StackFile = load_stack(stack, config_file)
    account = infer_account(stack_file.values)
    captured, outputs, stack_urn, invokes, secret_outputs = run_program(
        stack, stack_file.values, stack_file.config.region, account
    )
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
    )
