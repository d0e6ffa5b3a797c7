"""IAM grants as the rules judge them: statements expanded against the IAM database.

A `Grant` is one Allow statement with its action patterns expanded (`iam:**` is every IAM
action) and its resources kept as patterns; `problems()` says what is too broad about it:
every action, every action of a service, an action allowed on an arbitrary resource of its
type (`secret:*`, `function:*`, `arn:aws:iam::<acct>:*`), or NotAction. The same judge reads
the stack's own policies and the documents of AWS managed policies.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .. import iam_access, managed_policies
from . import types as t
from .base import Resource, Stack, as_list, policy_statements

TASK_PRINCIPAL = "ecs-tasks.amazonaws.com"
_RANK = {
    iam_access.PERMISSIONS: 0,
    iam_access.WRITE: 1,
    iam_access.READ: 2,
    "List": 3,
    "Tagging": 4,
}


@dataclass(frozen=True)
class Grant:
    patterns: tuple[str, ...]
    actions: frozenset[str]
    resources: tuple[str, ...]
    conditional: bool
    not_action: bool

    def broad(self, action: str) -> bool:
        """Whether the grant lets `action` act on an arbitrary resource of its type."""
        return any(iam_access.covers_any(action, r) for r in self.resources)

    def broad_actions(self) -> list[str]:
        return sorted(a for a in self.actions if iam_access.resource_types(a) and self.broad(a))


def grants(document: Any) -> list[Grant]:
    """The Allow statements of a policy document (JSON text or mapping) as Grants."""
    out = []
    for s in policy_statements(document):
        if s.get("Effect") != "Allow":
            continue
        patterns = tuple(str(a) for a in as_list(s.get("NotAction") or s.get("Action")))
        not_action = "NotAction" in s
        actions = frozenset(a for p in patterns for a in iam_access.expand(p))
        resources = (
            ("*",) if "NotResource" in s else tuple(str(r) for r in as_list(s.get("Resource")))
        )
        out.append(Grant(patterns, actions, resources, bool(s.get("Condition")), not_action))
    return out


def documents(r: Resource) -> list[Any]:
    """Policy documents a resource declares (a role's inline policies, a policy's document)."""
    if r.type in t.ROLE:
        return [p.get("policy") for p in r.props.get("inlinePolicies") or [] if p.get("policy")]
    return [r.props.get("policy")]


def _what(action: str) -> str:
    kinds = iam_access.resource_types(action)
    level = iam_access.access_level(action)
    where = f"every {kinds[0]}" if kinds else "every resource"
    return f"{where} ({level})" if level else where


def problems(grant: Grant, strict: bool = True) -> Iterator[str]:
    """What is too broad about one grant. `strict` (the stack's own policies and anything the
    application's roles hold) also refuses resource wildcards on resource-scoped actions;
    otherwise (AWS managed policies of roles only AWS services assume) only admin-level grants:
    every action, every action of a service, or unconditional permissions management on every
    resource."""
    if grant.not_action:
        yield "Allow with NotAction grants every action but the ones listed"
        return
    for pattern in grant.patterns:
        services = iam_access.whole_services(pattern)
        if pattern.strip() == "*" or len(services) > 3:
            yield f'allows "{pattern}": every action of every service (IAM.1)'
        elif services:
            yield f'allows "{pattern}": every action of {", ".join(services)} (IAM.21)'
    broad = grant.broad_actions()
    if strict and broad:
        shown = ", ".join(f"{a} on {_what(a)}" for a in broad[:3])
        more = f" and {len(broad) - 3} more" if len(broad) > 3 else ""
        yield f"allows {shown}{more} ({', '.join(grant.resources[:2])}); name the resources"
    elif not grant.conditional:
        admin = [a for a in broad if iam_access.access_level(a) == iam_access.PERMISSIONS]
        if admin:
            yield f"allows permissions management ({', '.join(admin[:3])}) on every resource"


def trusted_services(role: Resource) -> set[str]:
    """Service principals a role's trust policy admits."""
    out: set[str] = set()
    for s in policy_statements(role.props.get("assumeRolePolicy")):
        principal = s.get("Principal") or {}
        if isinstance(principal, Mapping):
            out |= {str(p) for p in as_list(principal.get("Service"))}
        else:
            out.add(str(principal))
    return out


def application_role(role: Resource | None) -> bool:
    """A role the application's code holds (a task's roles), or one we cannot place."""
    return role is None or not trusted_services(role) or TASK_PRINCIPAL in trusted_services(role)


@dataclass(frozen=True)
class Attachment:
    """A managed policy on a role: where it is declared and the role (when known)."""

    urn: str
    arn: str
    role: Resource | None


def attachments(stack: Stack) -> Iterator[Attachment]:
    for role in stack.of_type(*t.ROLE):
        for arn in as_list(role.props.get("managedPolicyArns")):
            yield Attachment(role.urn, str(arn), role)
    for a in stack.of_type(*t.ROLE_POLICY_ATTACHMENT):
        roles = [
            r
            for r in stack.deps(a, *t.ROLE)
            if a in stack.attached_to(r, *t.ROLE_POLICY_ATTACHMENT)
        ]
        yield Attachment(a.urn, str(a.props.get("policyArn")), roles[0] if roles else None)


def managed_document(stack: Stack, arn: str) -> tuple[Any, str]:
    """(document, '') of an attached policy, or (None, why it cannot be judged)."""
    if managed_policies.is_aws_managed(arn):
        doc = managed_policies.document(arn)
        if doc is None:
            return None, (
                f"{arn} is not an AWS managed policy known to {managed_policies.source()}; "
                "its grants cannot be judged"
            )
        return doc, ""
    for p in stack.of_type(*t.IAM_POLICY):
        name = p.props.get("name")
        if isinstance(name, str) and arn.rsplit("/", 1)[-1] == name:
            return p.props.get("policy"), ""
    return None, f"{arn} is a policy this stack does not define; its grants cannot be judged"


def role_grants(stack: Stack, role: Resource) -> list[Grant]:
    """Everything a role holds: inline policies, attached role policies, managed policies."""
    docs: list[Any] = list(documents(role))
    docs += [p.props.get("policy") for p in stack.attached_to(role, *t.ROLE_POLICY)]
    arns = [str(a) for a in as_list(role.props.get("managedPolicyArns"))]
    arns += [str(a.props.get("policyArn"))
             for a in stack.attached_to(role, *t.ROLE_POLICY_ATTACHMENT)]  # fmt: skip
    docs += [d for d in (managed_document(stack, a)[0] for a in arns) if d is not None]
    return [g for d in docs for g in grants(d)]


def flatten(items: Iterable[Iterable[str]]) -> list[str]:
    return [x for item in items for x in item]
