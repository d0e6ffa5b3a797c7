"""The neutral view the rules read, and what a rule is.

A rule is a plain function over `Resource` (type, name, URN, camelCase inputs) or over `Stack`
(every resource, with parents and dependencies). The same functions run in two places:
`policy/__main__.py` wraps them as pulumi-policy (CrossGuard) policies for `pulumi preview`,
and `offline/policy.py` runs them on an offline Plan.

Unknown values: during `pulumi preview`, props are pulumi-policy's unknown-checking proxies; an
access to an unknown value raises `UnknownValueError` and the analyzer reports that the policy
could not run (advisory). `wrap()` gives plain dicts the same behaviour, so offline runs and tests
see unknowns exactly as the pack does. Rules never catch it.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, Literal, TypeVar

from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from . import types as t

__all__ = ["UnknownValueError"]

Level = Literal["mandatory", "advisory", "disabled"]
LEVELS: tuple[Level, ...] = ("mandatory", "advisory", "disabled")
Env = Literal["dev", "staging", "prod"]

# The name rules' anchors give AWS Security Hub controls under (f"{SH} ECS.8").
SH = "Security Hub"


@dataclass(frozen=True)
class Resource:
    """One resource as a rule sees it. `options` holds protect/retainOnDelete when known."""

    type: str
    name: str
    urn: str
    props: Mapping[str, Any]
    parent: str | None = None
    dependencies: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)


R = TypeVar("R", bound=Resource)


@dataclass(frozen=True)
class Stack(Generic[R]):
    """Every resource of the stack (for rules that relate resources to each other).

    Lookups go through indexes built on first use (by URN, by type, by dependency), so a rule
    that relates each resource to others costs one pass over the stack, not one per resource.
    A Stack is never changed after it is built (tests build a new one). The apply-time rules'
    `Graph` (offline/awsrules/graph.py) is this view plus the values that identify each node.
    """

    resources: Sequence[R]

    def of_type(self, *types: str) -> list[R]:
        if len(types) == 1:
            return list(self._by_type.get(types[0], ()))
        return [r for r in self.resources if r.type in types]

    def get(self, urn: str) -> R | None:
        return self._by_urn.get(urn)

    def deps(self, resource: Resource, *types: str) -> list[R]:
        """Resources of `types` whose outputs flow into `resource`."""
        found = (self.get(u) for u in resource.dependencies)
        return [r for r in found if r is not None and (not types or r.type in types)]

    def dependents(self, resource: Resource, *types: str) -> list[R]:
        """Resources of `types` that take an output of `resource`."""
        return [r for r in self._dependents.get(resource.urn, ()) if not types or r.type in types]

    @cached_property
    def _by_urn(self) -> dict[str, R]:
        index: dict[str, R] = {}
        for r in self.resources:
            index.setdefault(r.urn, r)  # the first of a URN, as a scan finds it
        return index

    @cached_property
    def _by_type(self) -> dict[str, list[R]]:
        index: dict[str, list[R]] = {}
        for r in self.resources:
            index.setdefault(r.type, []).append(r)
        return index

    @cached_property
    def _dependents(self) -> dict[str, list[R]]:
        index: dict[str, list[R]] = {}
        for r in self.resources:
            for urn in dict.fromkeys(r.dependencies):  # each dependent once, in stack order
                index.setdefault(urn, []).append(r)
        return index

    def attached_to(self, role: Resource, *types: str) -> list[R]:
        """Policies of `types` on `role`: those whose `role` names it, not every policy that
        merely mentions it (a scheduler's PassRole grant takes the execution role's ARN too).
        A `role` not known yet (a preview of a new role) counts as attached."""
        return [r for r in self.dependents(role, *types) if _names_role(r, role)]


@dataclass(frozen=True)
class Finding:
    """A violation: where, what, and (for exemptions) the container it is about."""

    urn: str | None
    message: str
    subject: str | None = None  # "web-taskdef/otel": exemption key below the resource
    waived: str = ""  # a stack-wide decision in the rule's settings that exempts it (why)


ResourceCheck = Callable[[Resource, Mapping[str, Any]], Iterable[str | Finding]]
StackCheck = Callable[[Stack, Mapping[str, Any]], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """One policy. `levels` are the defaults per environment (policy/config.<env>.json wins)."""

    name: str
    ref: str  # the rule's ID in docs/policy.md's table (e.g. LB-05), shared by related rules
    anchors: tuple[str, ...]
    summary: str
    severity: Literal["low", "medium", "high", "critical"]
    levels: tuple[Level, ...]  # dev, staging, prod
    types: tuple[str, ...] = ()
    check: ResourceCheck | None = None
    stack_check: StackCheck | None = None
    config: Mapping[str, Any] = field(default_factory=dict)  # defaults of its settings

    @property
    def description(self) -> str:
        return f"{self.summary} [{self.ref}; {', '.join(self.anchors)}]"

    def level(self, env: Env) -> Level:
        return self.levels[("dev", "staging", "prod").index(env)]


def wrap(props: Mapping[str, Any]) -> Mapping[str, Any]:
    """Plain dicts get pulumi-policy's unknown-checking proxy; proxies pass through."""
    return unknown_checking_proxy(dict(props)) if isinstance(props, dict) else props


def run_resource_rule(rule: Rule, resource: Resource, cfg: Mapping[str, Any]) -> list[Finding]:
    """Findings of a resource rule on one resource (exemptions not applied)."""
    if rule.check is None or resource.type not in rule.types:
        return []
    cfg = {**rule.config, **cfg}  # a rule's defaults are stated once, in Rule.config
    out = []
    for item in rule.check(resource, cfg):
        if isinstance(item, str):
            item = Finding(resource.urn, item)
        out.append(item)
    return out


def run_rule(rule: Rule, stack: Stack, cfg: Mapping[str, Any]) -> list[Finding]:
    """Findings of any rule on a whole stack (exemptions not applied)."""
    if rule.stack_check is not None:
        return list(rule.stack_check(stack, {**rule.config, **cfg}))
    return [f for r in stack.resources for f in run_resource_rule(rule, r, cfg)]


def split_exempt(
    found: Iterable[Finding], names: Mapping[str, str], cfg: Mapping[str, Any]
) -> tuple[list[Finding], list[tuple[Finding, str]]]:
    """(violations, exempted with their reason) under the rule's `exemptions` setting."""
    violations, exempted = [], []
    for f in found:
        reason = f.waived or exemption(f, names, cfg)
        if reason:
            exempted.append((f, reason))
        else:
            violations.append(f)
    return violations, exempted


def exemption(finding: Finding, stack_names: Mapping[str, str], cfg: Mapping[str, Any]) -> str:
    """The reason a finding is exempt ('' if it is not): `exemptions` maps name globs to why."""
    rules: Mapping[str, str] = cfg.get("exemptions") or {}
    name = stack_names.get(finding.urn or "", "")
    keys = [k for k in (name, finding.subject) if k]
    for pattern, reason in rules.items():
        if any(fnmatch.fnmatchcase(k, pattern) for k in keys):
            return str(reason)
    return ""


# -- small readers shared by the rules ------------------------------------------------------


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (str, Mapping)):
        return [value]
    return list(value)


def containers(props: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The container definitions of a task definition (a JSON string, or a list in tests)."""
    raw = props.get("containerDefinitions")
    if raw is None:
        return []
    parsed = json.loads(raw) if isinstance(raw, str) else raw
    return [dict(c) for c in parsed]


def policy_statements(document: Any) -> list[dict[str, Any]]:
    """Statements of an IAM policy document (JSON text or mapping)."""
    if document is None:
        return []
    doc = json.loads(document) if isinstance(document, str) else document
    return [dict(s) for s in as_list(doc.get("Statement"))]


def truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def has_source_condition(statement: Mapping[str, Any]) -> bool:
    """A trust statement scoped by aws:SourceAccount or aws:SourceArn (no confused deputy)."""
    keys = {k for block in (statement.get("Condition") or {}).values() for k in block}
    return bool(keys & {"aws:SourceAccount", "aws:SourceArn"})


def azs_spanned(stack: Stack, r: Resource, listed: list[Any]) -> int:
    """Availability Zones of the subnets `r` lists: those planned here by their AZ, each
    subnet from outside the stack (an existing VPC) counted as one more."""
    known = stack.deps(r, *t.SUBNET)
    azs = {s.props.get("availabilityZone") for s in known}
    return len(azs) + max(0, len(listed) - len(known))


def _names_role(policy: Resource, role: Resource) -> bool:
    try:
        ref = policy.props.get("role")
    except UnknownValueError:
        return True
    if not isinstance(ref, str) or not ref:
        return True
    return refers_to(ref, role)


def refers_to(ref: str, resource: Resource) -> bool:
    """Whether a name or ARN (its last path segment) is `resource`'s physical name: the
    explicit `name`, a `namePrefix`, or Pulumi's auto-name (logical name, a dash, 7 hex)."""
    name = ref.rsplit("/", 1)[-1]
    explicit = resource.props.get("name")
    if isinstance(explicit, str) and explicit:
        return name == explicit
    prefix = resource.props.get("namePrefix")
    if isinstance(prefix, str) and prefix:
        return name.startswith(prefix)
    base, _, suffix = name.rpartition("-")
    return (
        base == resource.name and len(suffix) == 7 and all(c in "0123456789abcdef" for c in suffix)
    )
