"""The resource graph the apply-time rules read: inputs, options, dependencies and identities.

It is the policy pack's resource view (`Stack` and `Resource` in policy/rules/base.py: by URN,
by type, by dependency) with one index more, by identity.

A rule asks two questions the mock engine never answers: "which resource does this name, ARN
or ID refer to?" and "does this resource wait for that one?". `Node.ids` holds the values by
which other resources refer to a node: its ID, ARN, name and the few other computed values
(a load balancer's DNS name, a queue's URL). Offline they come from the same deterministic
mock answers the plan was built with (offline/mocks.py); under `pulumi preview` (the policy
pack) from the resource's own known properties.

Values the program does not create are "declared external" when the stack file holds them: every
string in the `ecs-platform:*` config (certificate, secret, topic, web ACL, KMS key, Lambda and
managed-policy ARNs; an adopted VPC's, subnets', listener's or security group's IDs; host
names), and in a service stack every string its StackReference returned (the platform's outputs:
cluster, subnets, listener, security group, DNS name). A reference that resolves to neither a
planned resource nor such a value is a dangling reference. Values unknown during a preview
(`UNKNOWN`) are outputs of resources the preview will create, so they resolve by construction
and are never judged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from offline.shapes import values_at
from policy.rules.base import Resource, Stack

UNKNOWN = "<unknown during preview>"

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
INSTANCE_PROFILE = "aws:iam/instanceProfile:InstanceProfile"
KEY = "aws:kms/key:Key"

# Output properties that identify a resource to others (besides its ID).
IDENTITY_KEYS = (
    "id", "arn", "name", "arnSuffix", "dnsName", "url", "repositoryUrl", "keyId", "bucket",
    "arnWithoutRevision", "clusterName", "allocationId",
)  # fmt: skip


@dataclass(frozen=True, init=False)
class Node(Resource):
    """One custom resource as the rules see it: the policy pack's `Resource` (its `props` are
    the inputs) plus `ids`, the values by which other resources refer to it."""

    ids: frozenset[str] = frozenset()

    def __init__(
        self,
        urn: str,
        type: str,
        name: str,
        inputs: Mapping[str, Any],
        parent: str | None = None,
        dependencies: tuple[str, ...] = (),
        options: Mapping[str, Any] | None = None,
        ids: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__(type, name, urn, inputs, parent, dependencies, dict(options or {}))
        object.__setattr__(self, "ids", ids)

    @property
    def inputs(self) -> Mapping[str, Any]:
        return self.props

    @property
    def retained(self) -> bool:
        return bool(self.options.get("retainOnDelete"))

    @property
    def protected(self) -> bool:
        return bool(self.options.get("protect"))

    def values(self, path: str) -> Iterator[tuple[str, Any]]:
        """Values at a dotted path of the inputs (`a[].b` walks lists), with where they are."""
        yield from values_at(self.inputs, path)


@dataclass(frozen=True)
class Graph(Stack[Node]):
    """Every custom resource of a plan: the policy pack's `Stack` view (by URN, by type, by
    dependency), also indexed by the values that identify each node."""

    external: AbstractSet[str] = frozenset()
    outputs: Mapping[str, Any] | None = None  # stack exports (offline only: a preview has none)
    config: Any = None  # the parsed stack config (offline only)

    def __post_init__(self) -> None:
        object.__setattr__(self, "resources", tuple(self.resources))
        object.__setattr__(self, "external", frozenset(self.external))

    @property
    def nodes(self) -> Sequence[Node]:
        return self.resources

    @cached_property
    def _by_id(self) -> dict[str, list[Node]]:
        index: dict[str, list[Node]] = {}
        for n in self.resources:
            for value in n.ids:
                index.setdefault(value, []).append(n)
        return index

    @cached_property
    def _closure(self) -> dict[str, frozenset[str]]:
        return {}  # filled by closure(), one entry per node asked about

    def resolve(self, value: Any, *types: str) -> Node | None:
        """The planned resource of `types` that `value` (a name, ARN or ID) refers to."""
        if not isinstance(value, str):
            return None
        found = [n for n in self._by_id.get(value, []) if not types or n.type in types]
        return found[0] if found else None

    def declared(self, value: Any) -> bool:
        """A value the stack file holds (an external resource), or one a preview can't see."""
        return value == UNKNOWN or (isinstance(value, str) and value in self.external)

    def closure(self, node: Node) -> frozenset[str]:
        """URNs `node` waits for: its dependencies, theirs, and so on."""
        if node.urn not in self._closure:
            seen: set[str] = set()
            todo = list(node.dependencies)
            while todo:
                urn = todo.pop()
                if urn in seen:
                    continue
                seen.add(urn)
                dep = self.get(urn)
                if dep is not None:
                    todo += [d for d in dep.dependencies if d not in seen]
            self._closure[node.urn] = frozenset(seen)
        return self._closure[node.urn]

    def waits_for(self, node: Node, other: Node) -> bool:
        return other.urn in self.closure(node)

    def grants_of(self, role: Node) -> list[Node]:
        """Inline policies and policy attachments whose `role` names this role."""
        return [
            p
            for p in self.of_type(ROLE_POLICY, ROLE_ATTACHMENT)
            if self.resolve(p.inputs.get("role"), ROLE) is role
        ]

    def role_behind(self, value: Any) -> Node | None:
        """The role an ARN names directly, or through an instance profile."""
        role = self.resolve(value, ROLE)
        if role is not None:
            return role
        profile = self.resolve(value, INSTANCE_PROFILE)
        return self.resolve(profile.inputs.get("role"), ROLE) if profile is not None else None


def string_leaves(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from string_leaves(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from string_leaves(v)


def json_document(value: Any) -> Any:
    """A JSON text input (policy, redrive policy, container definitions) parsed; else None."""
    if isinstance(value, str) and value != UNKNOWN:
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return None
    return value if isinstance(value, (dict, list)) else None
