"""IAM rules: least privilege, trust, execution-role scope (reference section 2.5)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from . import types as t
from .base import (
    Finding,
    Resource,
    Rule,
    Stack,
    as_list,
    containers,
    has_source_condition,
    policy_statements,
)

SH = "Security Hub"
ADMIN_POLICIES = ("AdministratorAccess", "PowerUserAccess", "IAMFullAccess")
# Actions that have no resource-level permissions, so "Resource": "*" is the only form.
UNRESTRICTABLE = (
    "ecr:GetAuthorizationToken",
    "sts:GetCallerIdentity",
    "xray:Put*",
    "logs:DescribeLogGroups",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
)
PRIVESC = (
    ({"iam:PassRole"}, {"ecs:RunTask", "ecs:StartTask", "ecs:RegisterTaskDefinition"}),
    ({"ecs:ExecuteCommand"}, {"ecs:DescribeTasks"}),
)


def _documents(r: Resource) -> list[Any]:
    if r.type in t.ROLE:
        inline = [p.get("policy") for p in r.props.get("inlinePolicies") or []]
        return [d for d in inline if d]
    return [r.props.get("policy")]


def _allows(r: Resource) -> Iterator[tuple[list[str], list[str]]]:
    for document in _documents(r):
        for s in policy_statements(document):
            if s.get("Effect") == "Allow" and "NotAction" not in s:
                yield (
                    [str(a) for a in as_list(s.get("Action"))],
                    [str(x) for x in as_list(s.get("Resource"))],
                )


POLICY_TYPES = t.ROLE_POLICY + t.IAM_POLICY + t.ROLE


def no_wildcard_actions(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    for actions, resources in _allows(r):
        for action in actions:
            if action == "*" or action.endswith(":*"):
                yield f'allows "{action}" (IAM.1, IAM.21); list the actions needed'
        if "*" in resources:
            loose = [a for a in actions if a not in UNRESTRICTABLE]
            if loose:
                yield (f'allows {", ".join(loose[:3])} on "*"; name the resources (CKV_AWS_355)')


def no_admin_policies(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    arns = [r.props.get("policyArn")] if r.type in t.ROLE_POLICY_ATTACHMENT else []
    arns += as_list(r.props.get("managedPolicyArns"))
    for arn in arns:
        if arn and str(arn).rsplit("/", 1)[-1] in ADMIN_POLICIES:
            yield f"attaches {arn} (CKV_AWS_274)"


def no_privesc(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    # iam:PassRole on exact role ARNs (a scheduler passing its task's two roles) is the
    # documented least-privilege form; on wildcards it lets the holder run as any role.
    granted = {
        a
        for actions, resources in _allows(r)
        for a in actions
        if a != "iam:PassRole" or any("*" in x for x in resources) or not resources
    }
    for first, second in PRIVESC:
        if granted & first and granted & second:
            pair = f"{sorted(granted & first)[0]} with {sorted(granted & second)[0]}"
            yield f"grants {pair}: a privilege-escalation path (CKV_AWS_286)"


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
    if grant == needed:
        return True
    pattern = "^" + re.escape(grant).replace(r"\?", ".").replace(r"\*", ".*") + "$"
    return (
        re.match(pattern, needed) is not None or re.match(pattern, needed + "-XXXXXX") is not None
    )


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
    """Whether `role` is the task definition's execution role (not its task role)."""
    roles = stack.deps(td, *t.ROLE)
    if len(roles) == 1:
        return True
    # Both roles flow in; the execution role is the one whose policies read logs/images.
    return any(
        any(a.startswith(("logs:", "ecr:")) for actions, _ in _allows(p) for a in actions)
        for p in stack.attached_to(role, *t.ROLE_POLICY)
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
         'No "*" or "service:*" actions; "*" resources only for actions without resource '
         "permissions", "high", ("mandatory",) * 3, POLICY_TYPES, no_wildcard_actions),
    Rule("iam-no-admin-policies", "IAM-01", ("CKV_AWS_274", f"{SH} IAM.1"),
         "No AdministratorAccess, PowerUserAccess or IAMFullAccess attachments", "critical",
         ("mandatory",) * 3, t.ROLE_POLICY_ATTACHMENT + t.ROLE, no_admin_policies),
    Rule("iam-no-privesc", "IAM-01",
         ("CKV_AWS_286", "CKV_AWS_287", "prowler ECS-006 privilege escalation"),
         "No privilege-escalation pairs (iam:PassRole + ecs:RunTask, ecs:ExecuteCommand + "
         "ecs:DescribeTasks)", "high", ("mandatory",) * 3, POLICY_TYPES, no_privesc),
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
