"""Faster equivalents of the Pulumi SDK's per-resource bookkeeping, for offline runs only.

Under mocks the engine is in-process Python, so what costs time is the SDK's own machinery around
each registration, not the engine: a plan of 200 services (3,847 resources) spent most of its time
in thread hops to a pool built for network RPCs, in four futures and a task per output property,
and in re-deriving the same type annotations for every input. Each replacement below produces the
same values, dependencies, secrecy and failure as the SDK code it stands in for; the plan JSON of
every shipped stack is identical with and without them (tests/test_fastpath.py, which also
checks each function against the SDK's on generated values, so an SDK upgrade that changes one
of them fails there), and `pulumi up` never loads this module.

`installed()` applies them for the duration of one offline run and restores the SDK afterwards.
One switch decides whether a run uses them: `ECS_PLATFORM_FASTPATH=0` in the environment runs
the plan on the SDK's own code instead (`enabled()`, read by offline/engine.py at each run), the
fallback to reach for if an SDK upgrade ever makes the two disagree.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import logging
import os
from collections.abc import Callable, Iterator
from enum import Enum
from typing import Any

from pulumi import _types, log
from pulumi.output import Output, Unknown, _OutputData
from pulumi.runtime import resource as runtime_resource
from pulumi.runtime import rpc, settings
from pulumi.runtime.mocks import MockEngine
from pulumi.runtime.proto import source_pb2
from pulumi.runtime.settings import SETTINGS

SWITCH = "ECS_PLATFORM_FASTPATH"


def enabled() -> bool:
    """Whether offline runs use the fast paths: yes unless `ECS_PLATFORM_FASTPATH=0`."""
    return os.environ.get(SWITCH, "1").strip() != "0"


def transfer_properties(res: Any, props: Any, custom: bool) -> dict[str, Callable[..., None]]:
    """`rpc.transfer_properties` with one future per output property.

    The SDK gives each output property four futures (value, known, secret, dependencies) and a
    task that awaits them in turn to build the Output's single `_OutputData`: 29 tasks and about
    120 event-loop callbacks for one MetricAlarm. Here the resolver builds that `_OutputData`
    itself and settles one future with it. The resolver's contract is unchanged: called once with
    (value, is_known, is_secret, deps, failed); the resource itself joins the dependencies; a
    failure fails the Output with the same exception.
    """
    loop = asyncio.get_event_loop()
    # Outside a preview the SDK deserialises an unknown as None, so a resource's outputs never
    # hold one and `_OutputData`'s check for unknowns (a walk of the whole value) always finds
    # none: skip it. A preview keeps the SDK's constructor.
    settled = _OutputData if settings.is_dry_run() else _known_data
    resolvers: dict[str, Callable[..., None]] = {}
    for name in props:
        if name == "urn" or (name == "id" and custom):
            continue  # set by register_resource itself
        data: asyncio.Future[_OutputData[Any]] = loop.create_future()

        def resolve(
            value: Any,
            is_known: bool,
            is_secret: bool,
            deps: Any,
            failed: Exception | None,
            data: asyncio.Future[_OutputData[Any]] = data,
        ) -> None:
            if failed is not None:
                data.set_exception(failed)
                return
            resources = set(deps) if deps else set()
            resources.add(res)
            data.set_result(settled(resources, value, is_known, is_secret))

        resolvers[name] = resolve
        output: Output[Any] = object.__new__(Output)
        output._data = data
        output._track()
        res.__dict__[name] = output
    return resolvers


def _known_data(
    resources: set[Any], value: Any, is_known: bool, is_secret: bool
) -> _OutputData[Any]:
    """`_OutputData(...)` without `__post_init__`'s walk for unknowns, for values that hold none."""
    data: _OutputData[Any] = object.__new__(_OutputData)
    data.resources = resources
    data.value = value
    data.is_known = is_known
    data.is_secret = is_secret
    return data


def create_urn(
    name: Any, type_: Any, parent: Any = None, project: str | None = None, stack: str | None = None
) -> Output[str]:
    """`runtime_resource.create_urn`, computed at once when every part is a plain string.

    The SDK builds the URN through `Output.all(...).apply(...)`: three Outputs and their tasks,
    for every registration (under mocks the SDK computes a fallback URN it only uses when there
    is no monitor). With plain strings the result is the same string in a known, non-secret
    Output without dependencies; anything else (an Output or a Resource parent) takes the SDK's
    path.
    """
    if (
        isinstance(name, str)
        and isinstance(type_, str)
        and (parent is None or isinstance(parent, str))
    ):
        if parent is None:
            prefix = (
                f"urn:pulumi:{stack or settings.get_stack()}::{project or settings.get_project()}::"
            )
        else:
            prefix = parent[0 : parent.rfind("::")] + "$"
        return Output.from_input(prefix + type_ + "::" + name)
    return _SDK_CREATE_URN(name, type_, parent, project, stack)


_SDK_CREATE_URN = runtime_resource.create_urn


def contains_unknowns(value: Any) -> bool:
    """`rpc.contains_unknowns` without recursion: is an `Unknown` reachable through dict values
    and list items? Run on every Output's value as it settles, so on every JSON document a
    program builds."""
    stack = [value]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict or kind is list or isinstance(item, (dict, list)):
            if id(item) in seen:
                continue
            seen.add(id(item))
            stack.extend(item.values() if isinstance(item, dict) else item)
        elif isinstance(item, Unknown):
            return True
    return False


_PLAIN = frozenset({str, int, float, bool, type(None)})


async def serialize_property(value: Any, *args: Any, **kwargs: Any) -> Any:
    """`rpc.serialize_property`, answering plain scalars at once.

    The SDK walks a str, int, float, bool or None through every case it knows (sequence,
    unknown, resource, asset, archive, output, input type, mapping, protobuf Value) and returns
    it unchanged; the exact-type test here admits none of those (enums and other subclasses
    take the SDK's path), and neither does a call that asks for a protobuf Value.
    """
    if type(value) in _PLAIN and not kwargs.get("return_protobuf_value"):
        return value
    return await _SDK_SERIALIZE_PROPERTY(value, *args, **kwargs)


_SDK_SERIALIZE_PROPERTY = rpc.serialize_property


def deserialize_property(value: Any, *args: Any, **kwargs: Any) -> Any:
    """`rpc.deserialize_property`, answering plain scalars at once.

    A str (other than the unknown sentinel), float, bool or None comes back from the SDK
    unchanged after its checks for unknowns, lists and structs; run on every value of every
    response, that is a third of the time spent turning responses into outputs.
    """
    kind = type(value)
    if kind is float or kind is bool or value is None or (kind is str and value != rpc.UNKNOWN):
        return value
    return _SDK_DESERIALIZE_PROPERTY(value, *args, **kwargs)


_SDK_DESERIALIZE_PROPERTY = rpc.deserialize_property


def translate_output_properties(
    output: Any,
    output_transformer: Callable[[str], str],
    typ: Any = None,
    transform_using_type_metadata: bool = False,
    path: Any = None,
    return_none_on_dict_type_mismatch: bool = False,
) -> Any:
    """`rpc.translate_output_properties`, answering scalars with the SDK's scalar rules only.

    For a str, int, float, bool or None the SDK's walk (secret, dict, list) ends in two rules:
    an Enum type builds the enum, an int type turns a float into an int; else the value is
    returned as it is. Containers take the SDK's path (which comes back here for their items).
    """
    kind = type(output)
    if kind is str or kind is float or kind is bool or kind is int or output is None:
        if typ is None:
            return output
        typ = _types.unwrap_optional_type(typ)
        if isinstance(output, (int, float, str)) and inspect.isclass(typ) and issubclass(typ, Enum):
            return typ(output)
        if isinstance(output, float) and typ is int:
            return int(output)
        return output
    return _SDK_TRANSLATE_OUTPUT_PROPERTIES(
        output,
        output_transformer,
        typ,
        transform_using_type_metadata,
        path,
        return_none_on_dict_type_mismatch,
    )


_SDK_TRANSLATE_OUTPUT_PROPERTIES = rpc.translate_output_properties


def debug(
    msg: str, resource: Any = None, stream_id: int | None = None, ephemeral: bool | None = None
) -> None:
    """`pulumi.log.debug`, skipped when nobody would see it.

    The SDK logs several debug lines per registration; under mocks they go to the Python
    logger's debug level (and, for a resource, through a task that first awaits its URN).
    When that logger drops debug messages the line is not built at all.
    """
    engine = settings.get_engine()
    if isinstance(engine, MockEngine) and not engine.logger.isEnabledFor(logging.DEBUG):
        return
    _SDK_DEBUG(msg, resource, stream_id, ephemeral)


_SDK_DEBUG = log.debug


def _memoized(pure: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Cache a pure function of a type annotation or a resource class (hashable, and fixed once
    defined); the SDK's only callers read the answers, never change them."""
    cache: dict[Any, Any] = {}

    def lookup(typ: Any) -> Any:
        try:
            return cache[typ]
        except KeyError:
            found = cache[typ] = pure(typ)
            return found
        except TypeError:  # an unhashable annotation: compute it as the SDK would
            return pure(typ)

    return lookup


def _no_stack_trace() -> source_pb2.StackTrace:
    """The SDK walks the Python stack on every registration to report where it was declared.

    Only the real engine's tooling reads those source positions; offline nobody does, and the
    walk was a tenth of the plan's time at scale.
    """
    return source_pb2.StackTrace()


def _run_inline(loop: asyncio.AbstractEventLoop) -> Callable[..., asyncio.Future[Any]]:
    """`loop.run_in_executor` that calls its function at once, on the loop's thread.

    The SDK sends every monitor call through a thread pool so a network RPC cannot stall the
    loop. Offline the monitor is Python in this process, and the hop (a thread wake-up, a
    self-pipe write, a select) cost more than the call. The function's result or exception
    reaches the awaiting task exactly as the pool would deliver it.
    """

    def run_in_executor(executor: Any, func: Callable[..., Any], *args: Any) -> Any:
        future = loop.create_future()
        try:
            future.set_result(func(*args))
        except Exception as exn:  # delivered to the awaiting task, as a pool would
            future.set_exception(exn)
        return future

    return run_in_executor


def _bound_tracking() -> tuple[Callable[[Output[Any]], None], Callable[[Output[Any]], None]]:
    """`Output._track` and `Output._untrack` on the run's own tracking set, looked up once.

    The SDK looks up `SETTINGS.outputs` and `SETTINGS.lock` (context variables) on every
    Output it creates and again when each settles. Both are fixed for a run once the mocks are
    set, which `installed()` requires.
    """
    tracked = SETTINGS.outputs  # pyright: ignore[reportAttributeAccessIssue]
    lock = SETTINGS.lock  # pyright: ignore[reportAttributeAccessIssue]

    def cleanup(fut: asyncio.Future[Any]) -> None:
        if fut.cancelled() or fut.exception() is not None:
            return  # left tracked: wait_for_rpcs surfaces it at the end of the program
        with lock:
            tracked.discard(fut)

    def track(output: Output[Any]) -> None:
        with lock:
            tracked.add(output._data)
        output._data.add_done_callback(cleanup)

    def untrack(output: Output[Any]) -> None:
        with lock:
            tracked.discard(output._data)

    return track, untrack


def _replacements() -> list[tuple[Any, str, Any]]:
    """(module or class, attribute, stand-in) for every SDK function replaced during a run."""
    dry_run = settings.is_dry_run()  # fixed once the mocks are set
    track, untrack = _bound_tracking()
    return [
        (settings, "is_dry_run", lambda: dry_run),
        (Output, "_track", track),
        (Output, "_untrack", untrack),
        (runtime_resource, "_get_stack_trace", _no_stack_trace),
        (runtime_resource, "create_urn", create_urn),
        (rpc, "transfer_properties", transfer_properties),
        (rpc, "serialize_property", serialize_property),
        (rpc, "deserialize_property", deserialize_property),
        (rpc, "contains_unknowns", contains_unknowns),
        (rpc, "translate_output_properties", translate_output_properties),
        (rpc, "_get_list_element_type", _memoized(rpc._get_list_element_type)),
        (_types, "unwrap_type", _memoized(_types.unwrap_type)),
        (_types, "unwrap_optional_type", _memoized(_types.unwrap_optional_type)),
        (_types, "resource_types", _memoized(_types.resource_types)),
        (_types, "resource_pulumi_to_py_names", _memoized(_types.resource_pulumi_to_py_names)),
        (log, "debug", debug),
    ]


@contextlib.contextmanager
def installed(loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """Apply the fast paths to the SDK and to `loop` (the loop the program runs on).

    Call it after `pulumi.runtime.set_mocks`: the run's settings are read once, here.
    """
    replacements = _replacements()
    saved = [(module, name, getattr(module, name)) for module, name, _ in replacements]
    for module, name, stand_in in replacements:
        setattr(module, name, stand_in)
    loop.run_in_executor = _run_inline(loop)  # type: ignore[method-assign]
    # The run allocates a few hundred thousand short-lived objects (futures, closures, dicts)
    # that reference counting frees; the cyclic collector only re-scans them, about a fifth of
    # the run at 200 services. It is paused for the run (peak memory +7%) and resumes after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
        del loop.run_in_executor
        for module, name, original in saved:
            setattr(module, name, original)
