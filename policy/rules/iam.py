"""IAM rules: least privilege, trust, execution-role scope (judged by grants.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from .. import iam_access
from . import grants
from . import types as t
from .base import (
    SH,
    Finding,
    Resource,
    Rule,
    Stack,
    as_list,
    containers,
    has_source_condition,
    policy_statements,
    refers_to,
)

POLICY_TYPES = t.ROLE_POLICY + t.IAM_POLICY + t.ROLE

# Actions that start a task, a function or an instance with a role the caller passes: with
# iam:PassRole on any role they run code as that role (Rhino Security Labs' escalation methods,
# as listed by policy_sentry, plus ECS's own).
_ESCALATION_PAIRS = ("ecs:RunTask", "ecs:StartTask", "ecs:RegisterTaskDefinition",
                     "ecs:CreateService", "ecs:UpdateService")  # fmt: skip


def _allows(r: Resource) -> Iterator[tuple[list[str], list[str]]]:
    """(expanded actions, resources) of each Allow statement of a resource's documents."""
    for document in grants.documents(r):
        for g in grants.grants(document):
            yield sorted(g.actions), list(g.resources)


def no_wildcard_actions(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    for document in grants.documents(r):
        for g in grants.grants(document):
            yield from grants.problems(g)


def no_admin_policies(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    for a in grants.attachments(stack):
        document, why = grants.managed_document(stack, a.arn)
        if document is None:
            yield Finding(a.urn, f"attaches {why} (CKV_AWS_274)")
            continue
        strict = grants.application_role(a.role)
        found = grants.flatten(grants.problems(g, strict) for g in grants.grants(document))
        if found:
            whose = "the application's role" if strict else "a role"
            yield Finding(a.urn, f"attaches {a.arn} to {whose}, which {found[0]} (CKV_AWS_274)")


def _escalations(held: list[grants.Grant]) -> Iterator[str]:
    passes = [g for g in held if "iam:PassRole" in g.actions and g.broad("iam:PassRole")]
    if passes:
        runs = sorted(
            a
            for g in held
            for a in g.actions
            if a != "iam:PassRole" and (iam_access.escalates(a) or a in _ESCALATION_PAIRS)
        )
        if runs:
            yield (
                f"grants iam:PassRole on any role ({passes[0].resources[0]}) with {runs[0]}: "
                "it can run code as any role (CKV_AWS_286)"
            )
    for g in held:
        own = sorted(a for a in g.actions if a.startswith("iam:") and a != "iam:PassRole"
                     and iam_access.escalates(a) and g.broad(a))  # fmt: skip
        if own:
            yield f"grants {own[0]} on any principal: it can grant itself anything (CKV_AWS_286)"
    granted = {a for g in held for a in g.actions}
    if {"ecs:ExecuteCommand", "ecs:DescribeTasks"} <= granted:
        yield "grants ecs:ExecuteCommand with ecs:DescribeTasks: a shell in any task it finds"


def no_privesc(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    """Per role (every policy it holds, together) and per unattached policy."""
    for role in stack.of_type(*t.ROLE):
        for message in dict.fromkeys(_escalations(grants.role_grants(stack, role))):
            yield Finding(role.urn, f"role {role.name} {message}")
    for p in stack.of_type(*t.IAM_POLICY, *t.ROLE_POLICY):
        if p.type in t.ROLE_POLICY and stack.deps(p, *t.ROLE):
            continue
        held = [g for d in grants.documents(p) for g in grants.grants(d)]
        for message in dict.fromkeys(_escalations(held)):
            yield Finding(p.urn, message)


def task_role_trust(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    for s in policy_statements(r.props.get("assumeRolePolicy")):
        services = as_list((s.get("Principal") or {}).get("Service"))
        if "ecs-tasks.amazonaws.com" not in services or s.get("Effect") != "Allow":
            continue
        if len(services) > 1:
            yield f"trusts {', '.join(services)}; a task role trusts ECS tasks only"
        if not has_source_condition(s):
            yield (
                "trusts ecs-tasks.amazonaws.com without an aws:SourceAccount/aws:SourceArn "
                "condition (confused deputy)"
            )


SECRET_READS = ("secretsmanager:GetSecretValue", "ssm:GetParameters", "ssm:GetParameter")
EXECUTION_ACTIONS = re.compile(
    r"^(logs:(CreateLogStream|PutLogEvents|CreateLogGroup)|ecr:(GetAuthorizationToken|"
    r"BatchCheckLayerAvailability|BatchGetImage|GetDownloadUrlForLayer)|kms:Decrypt|"
    r"secretsmanager:GetSecretValue|ssm:GetParameters?)$"
)
_SECRET_SUFFIX = re.compile(r"^(arn:aws[a-z-]*:secretsmanager:[^:]+:\d{12}:secret:[^:]+)(:.*)?$")


def _granted_for(reference: str) -> str:
    """The IAM resource a `valueFrom` needs: the secret without JSON-key/version suffix."""
    m = _SECRET_SUFFIX.match(reference)
    return m.group(1) if m else reference


def _covers(grant: str, needed: str) -> bool:
    """Whether a granted Resource pattern admits a referenced secret, whose ARN in
    `valueFrom` may lack the dash and six random characters Secrets Manager appends.
    https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html"""
    return any(iam_access.arn_matches(grant, arn) for arn in (needed, needed + "-XXXXXX"))


def execution_role_scope(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    for role in stack.of_type(*t.ROLE):
        taskdefs = [
            td
            for td in stack.dependents(role, *t.TASK_DEFINITION)
            if td.props.get("executionRoleArn") is not None
            and td.props.get("taskRoleArn") != td.props.get("executionRoleArn")
            and _is_execution_of(stack, td, role)
        ]
        if not taskdefs:
            continue
        needed = {
            _granted_for(str(s.get("valueFrom")))
            for td in taskdefs
            for c in containers(td.props)
            for s in c.get("secrets") or []
        }
        for policy in stack.attached_to(role, *t.ROLE_POLICY):
            for actions, resources in _allows(policy):
                extra = [a for a in actions if not EXECUTION_ACTIONS.match(a)]
                if extra:
                    yield Finding(
                        policy.urn,
                        f"execution role {role.name} carries application permissions "
                        f"{', '.join(extra[:3])}; grant them to the task role",
                    )
                if not any(a in SECRET_READS for a in actions):
                    continue
                for grant in resources:
                    if not any(_covers(grant, n) for n in needed):
                        yield Finding(
                            policy.urn,
                            f"execution role {role.name} may read {grant}, which no container "
                            "of its task definition references",
                        )


def _is_execution_of(stack: Stack, td: Resource, role: Resource) -> bool:
    """Whether `role` is the task definition's execution role (not its task role): the role
    its executionRoleArn names, or, while that ARN is not known yet, the role whose policies
    write to the task's own awslogs group (a task role with ECS Exec writes to the cluster's)."""
    ref = td.props.get("executionRoleArn")
    if isinstance(ref, str) and ref:
        return refers_to(ref, role)
    groups = {
        str((c.get("logConfiguration") or {}).get("options", {}).get("awslogs-group"))
        for c in containers(td.props)
    }
    return any(
        f":log-group:{group}:" in resource
        for p in stack.attached_to(role, *t.ROLE_POLICY)
        for actions, resources in _allows(p)
        if "logs:PutLogEvents" in actions
        for resource in resources
        for group in groups
    )


def no_policy_conflicts(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    for role in stack.of_type(*t.ROLE):
        if not (role.props.get("inlinePolicies") or role.props.get("managedPolicyArns")):
            continue
        for other in stack.attached_to(role, *t.ROLE_POLICY, *t.ROLE_POLICY_ATTACHMENT):
            yield Finding(
                role.urn,
                f"{other.name} attaches to a role that also declares inlinePolicies/"
                "managedPolicyArns: each `up` would undo the other",
            )


RULES = [
    Rule("iam-no-wildcard-actions", "IAM-01",
         (f"{SH} IAM.1", f"{SH} IAM.21", "CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_355"),
         "Grants judged by what they expand to (IAM database): no action pattern that covers "
         "a whole service, and no resource-scoped action on an arbitrary resource of its type "
         "(ARN matching: secret:*, function:*, role/*, arn:aws:iam::<acct>:*)", "high",
         ("mandatory",) * 3, POLICY_TYPES, no_wildcard_actions),
    Rule("iam-no-admin-policies", "IAM-01", ("CKV_AWS_274", f"{SH} IAM.1"),
         "Managed policies judged by their documents: none that grants a whole service, "
         "permissions management on every resource, or (on the application's roles) any "
         "resource wildcard; unknown documents are refused", "critical",
         ("mandatory",) * 3, stack_check=no_admin_policies),
    Rule("iam-no-privesc", "IAM-01",
         ("CKV_AWS_286", "CKV_AWS_287", "prowler ECS-006 privilege escalation"),
         "No privilege escalation from everything a role holds: iam:PassRole on any role with "
         "an action that runs code (ecs:RunTask ...), IAM policy writes on any principal, "
         "ecs:ExecuteCommand + ecs:DescribeTasks", "high", ("mandatory",) * 3,
         stack_check=no_privesc),
    Rule("iam-task-role-trust", "IAM-02",
         ("ECS dev guide Task IAM role (aws:SourceAccount)", "CKV_AWS_60", "CKV_AWS_61"),
         "Task and execution roles trust ECS tasks only, for this account", "medium",
         ("advisory", "mandatory", "mandatory"), t.ROLE, task_role_trust),
    Rule("iam-execution-role-scope", "IAM-03",
         ("ECS dev guide Task execution IAM role", "ECS BPG Secrets management"),
         "The execution role reads only the secrets its task definition references, and holds "
         "no application permissions", "high", ("advisory", "mandatory", "mandatory"),
         stack_check=execution_role_scope),
    Rule("iam-no-policy-conflicts", "IAM-01", ("AWSGuard iam-role-no-policy-management-conflicts",),
         "A role's policies are managed in one place (inline on the role or as attachments)",
         "medium", ("mandatory",) * 3, stack_check=no_policy_conflicts),
]  # fmt: skip
