"""Fixtures for policy tests: our own component output as a rule's Stack, edited one property
at a time. The golden stack is the plan of the tests' prod fixture (tests/fixtures/stacks):
every rule passes there, exemptions aside."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import Any

from offline.engine import Plan
from offline.policy import stack_view
from policy.rules.base import Resource, Stack

Edit = Callable[[Stack], Stack]


@cache
def prod_plan() -> Plan:
    from tests.support import fixture_plan

    return fixture_plan("prod")


def stack_of(plan_: Plan) -> Stack:
    """Plain (unproxied) copies of the plan's custom resources."""
    return stack_view(plan_, props=copy.deepcopy)


def golden() -> Stack:
    return stack_of(prod_plan())


def find(stack: Stack, name: str, kind: str) -> Resource:
    """The resource named `name` whose type ends with `kind` (e.g. ":TaskDefinition")."""
    (found,) = [r for r in stack.resources if r.name == name and r.type.endswith(kind)]
    return found


def _swap(stack: Stack, old: Resource, new: Resource | None) -> Stack:
    items = [new if r is old else r for r in stack.resources]
    return Stack([r for r in items if r is not None])


def _set(node: Any, path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    last: Any = int(parts[-1]) if isinstance(node, list) else parts[-1]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value


DELETE = object()


def prop(name: str, kind: str, path: str, value: Any) -> Edit:
    """Set (or DELETE) one property of one resource."""

    def edit(stack: Stack) -> Stack:
        r = find(stack, name, kind)
        props = copy.deepcopy(dict(r.props))
        _set(props, path, value)
        return _swap(stack, r, replace(r, props=props))

    return edit


def container(taskdef: str, name: str, path: str, value: Any) -> Edit:
    """Set (or DELETE) one field of one container inside a task definition's JSON."""

    def edit(stack: Stack) -> Stack:
        r = find(stack, taskdef, ":TaskDefinition")
        defs = json.loads(r.props["containerDefinitions"])
        (c,) = [c for c in defs if c["name"] == name]
        _set(c, path, value)
        props = {**r.props, "containerDefinitions": json.dumps(defs)}
        return _swap(stack, r, replace(r, props=props))

    return edit


def option(name: str, kind: str, key: str, value: Any) -> Edit:
    def edit(stack: Stack) -> Stack:
        r = find(stack, name, kind)
        return _swap(stack, r, replace(r, options={**r.options, key: value}))

    return edit


def without(name: str, kind: str) -> Edit:
    def edit(stack: Stack) -> Stack:
        return _swap(stack, find(stack, name, kind), None)

    return edit


def drop_dependency(name: str, kind: str, dep_name: str, dep_kind: str) -> Edit:
    def edit(stack: Stack) -> Stack:
        r, dep = find(stack, name, kind), find(stack, dep_name, dep_kind)
        deps = tuple(u for u in r.dependencies if u != dep.urn)
        return _swap(stack, r, replace(r, dependencies=deps))

    return edit


def add(resource: Resource) -> Edit:
    def edit(stack: Stack) -> Stack:
        return Stack([*stack.resources, resource])

    return edit


def chain(*edits: Edit) -> Edit:
    def edit(stack: Stack) -> Stack:
        for e in edits:
            stack = e(stack)
        return stack

    return edit


ECR_URN = "urn:pulumi:prod::ecs-platform::aws:ecr/repository:Repository::shop-web"
ECR_REPOSITORY = Resource(
    type="aws:ecr/repository:Repository",
    name="shop-web",
    urn=ECR_URN,
    props={
        "imageScanningConfiguration": {"scanOnPush": True},
        "imageTagMutability": "IMMUTABLE",
        "encryptionConfigurations": [{"encryptionType": "KMS"}],
    },
)
ECR_LIFECYCLE = Resource(
    type="aws:ecr/lifecyclePolicy:LifecyclePolicy",
    name="shop-web",
    urn="urn:pulumi:prod::ecs-platform::aws:ecr/lifecyclePolicy:LifecyclePolicy::shop-web",
    props={"repository": "shop-web", "policy": "{}"},
    dependencies=(ECR_URN,),
)
