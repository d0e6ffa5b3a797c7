"""The resource graph the apply-time rules read: inputs, options, dependencies and identities.

A rule asks two questions the mock engine never answers: "which resource does this name, ARN
or ID refer to?" and "does this resource wait for that one?". `Node.ids` holds the values by
which other resources refer to a node: its ID, ARN, name and the few other computed values
(a load balancer's DNS name, a queue's URL). Offline they come from the same deterministic
mock answers the plan was built with (offline/mocks.py); under `pulumi preview` (the policy
pack) from the resource's own known properties.

Values the program does not create are "declared external" when the stack file holds them:
every string in the `ecs-platform:*` config (certificate, secret, topic, web ACL, KMS key,
Lambda and managed-policy ARNs; an adopted VPC's, subnets', listener's or security group's
IDs; host names). A reference that resolves to neither a planned resource nor such a value is
a dangling reference. Values unknown during a preview (`UNKNOWN`) are outputs of resources the
preview will create, so they resolve by construction and are never judged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from offline.shapes import values_at

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


@dataclass(frozen=True)
class Node:
    """One custom resource as the rules see it."""

    urn: str
    type: str
    name: str
    inputs: Mapping[str, Any]
    parent: str | None = None
    dependencies: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    ids: frozenset[str] = frozenset()

    @property
    def retained(self) -> bool:
        return bool(self.options.get("retainOnDelete"))

    @property
    def protected(self) -> bool:
        return bool(self.options.get("protect"))

    def values(self, path: str) -> Iterator[tuple[str, Any]]:
        """Values at a dotted path of the inputs (`a[].b` walks lists), with where they are."""
        yield from values_at(self.inputs, path)


class Graph:
    """Every custom resource of a plan, indexed by the values that identify it."""

    def __init__(
        self,
        nodes: Iterable[Node],
        external: Iterable[str] = (),
        outputs: Mapping[str, Any] | None = None,
        config: Any = None,
    ) -> None:
        self.nodes = list(nodes)
        self.external = frozenset(external)
        self.outputs = outputs  # stack exports (offline only: a preview has none yet)
        self.config = config  # the parsed stack config (offline only)
        self._by_urn = {n.urn: n for n in self.nodes}
        self._by_id: dict[str, list[Node]] = {}
        for n in self.nodes:
            for value in n.ids:
                self._by_id.setdefault(value, []).append(n)
        self._closure: dict[str, frozenset[str]] = {}

    def of_type(self, *types: str) -> list[Node]:
        return [n for n in self.nodes if n.type in types]

    def get(self, urn: str) -> Node | None:
        return self._by_urn.get(urn)

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
                dep = self._by_urn.get(urn)
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
