"""Graphs from an offline plan and from a `pulumi preview` (the policy pack's stack view)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.runtime import MockResourceArgs

from offline.mocks import OfflineMocks

from .graph import IDENTITY_KEYS, UNKNOWN, Graph, Node, string_leaves

# Provider-owned values every account has: never dangling.
AWS_OWNED_PREFIXES = ("arn:aws:iam::aws:policy/",)
STACK_REFERENCE = "pulumi:pulumi:StackReference"


def external_values(config: Any) -> set[str]:
    """Every string the stack's `ecs-platform:*` config holds (its declared externals)."""
    dumped = config.model_dump(by_alias=True, mode="json") if hasattr(config, "model_dump") else {}
    return set(string_leaves(dumped))


def from_plan(plan: Any) -> Graph:
    """The graph of an offline Plan; identities are the mock answers the plan was built with."""
    mocks = OfflineMocks(region=plan.region, account=plan.account)
    nodes = []
    for r in plan.resources:
        if not r.custom:
            continue
        rid, state = mocks.new_resource(
            MockResourceArgs(
                typ=r.type, name=r.name, inputs=dict(r.inputs), provider="", resource_id="",
                custom=True,
            )
        )  # fmt: skip
        ids = {rid} | {
            v
            for k, v in state.items()
            if k in IDENTITY_KEYS and isinstance(v, str) and (k not in r.inputs or k == "name")
        }
        nodes.append(
            Node(
                urn=r.urn,
                type=r.type,
                name=r.name,
                inputs=r.inputs,
                parent=r.parent,
                dependencies=tuple(r.dependencies),
                options=dict(r.options),
                ids=frozenset(ids),
            )
        )
    # a service stack's platform owns what its StackReference returns: declared, not dangling
    referenced = set(string_leaves(plan.referenced))
    return Graph(nodes, external_values(plan.config) | referenced, plan.outputs, plan.config)


def plain(value: Any) -> Any:
    """A pulumi-policy property proxy as plain data, unknown values as UNKNOWN."""
    from pulumi_policy.proxy import UnknownValueError

    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, Mapping):
        out = {}
        for key in list(value.keys()):
            try:
                out[key] = plain(value[key])
            except UnknownValueError:
                out[key] = UNKNOWN
        return out
    if isinstance(value, (list, tuple)):
        items = []
        for i in range(len(value)):
            try:
                items.append(plain(value[i]))
            except UnknownValueError:
                items.append(UNKNOWN)
        return items
    return value


def from_policy_stack(resources: Any, config: Mapping[str, Any] | None = None) -> Graph:
    """The graph of a pulumi-policy StackValidationArgs.resources (props are the planned
    outputs: the known ones identify a resource). `config` holds the stack's declared values
    when the pack is given them; without it, nothing is taken as external."""
    nodes = []
    for r in resources:
        props = plain(r.props)
        ids = {v for k in IDENTITY_KEYS if isinstance(v := props.get(k), str) and v != UNKNOWN}
        nodes.append(
            Node(
                urn=r.urn,
                type=r.resource_type,
                name=r.name,
                inputs=props,
                parent=r.parent.urn if r.parent is not None else None,
                dependencies=tuple(d.urn for d in r.dependencies),
                options={"protect": bool(r.opts.protect)},
                ids=frozenset(ids),
            )
        )
    # a service stack's StackReference: the platform's outputs are its declared externals
    referenced = {
        leaf
        for r in resources
        if r.resource_type == STACK_REFERENCE
        for leaf in string_leaves(plain(r.props).get("outputs") or {})
    }
    return Graph(nodes, set(string_leaves(config or {})) | referenced)
