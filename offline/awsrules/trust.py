"""What each service principal sends as aws:SourceArn / aws:SourceAccount, checked against the
trust policies of the roles handed to it.

A confused-deputy condition that cannot match what the service sends makes the role
unassumable: the service's API refuses the role (CreateSchedule) or every invocation fails.
SENDERS says, per principal, which resources hand it a role and which ARN it then sends.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .base import AwsRule
from .graph import UNKNOWN, Graph, Node, json_document
from .references import T

SCHEDULER_PAGE = (
    "https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-"
    "prevention.html"
)
# "If you use both conditions, and if the aws:SourceArn value contains the account ID, the
# aws:SourceAccount value and the account in the aws:SourceArn value must show the same
# account ID when used in the same policy statement."
SOURCE_KEYS_PAGE = (
    "https://docs.aws.amazon.com/controltower/latest/userguide/prevent-confused-deputy.html"
)


@dataclass(frozen=True)
class Sender:
    """A resource type that hands a role to `principal`, the path of that role's ARN, and the
    aws:SourceArn the service sends when it assumes the role for that resource."""

    principal: str
    type: str
    role_path: str
    source_arn: Callable[[Node, str, str], str | None]  # (resource, region, account)


def _schedule_group_arn(schedule: Node, region: str, account: str) -> str | None:
    # "The value of aws:SourceArn must be your EventBridge Scheduler schedule group ARN"
    group = schedule.inputs.get("groupName") or "default"
    if group == UNKNOWN:
        return None
    return f"arn:aws:scheduler:{region}:{account}:schedule-group/{group}"


SENDERS = [
    Sender("scheduler.amazonaws.com", "aws:scheduler/schedule:Schedule", "target.roleArn",
           _schedule_group_arn),
]  # fmt: skip


def statements(document: Any) -> list[dict[str, Any]]:
    doc = json_document(document)
    if not isinstance(doc, dict):
        return []
    found = doc.get("Statement") or []
    return [s for s in (found if isinstance(found, list) else [found]) if isinstance(s, dict)]


def principals(statement: dict[str, Any]) -> set[str]:
    service = (statement.get("Principal") or {}).get("Service")
    return set(service if isinstance(service, list) else [service] if service else [])


def _glob(pattern: str, value: str) -> bool:
    return re.fullmatch(fnmatch.translate(pattern).replace("(?s:", "(?:"), value) is not None


def arn_matches(pattern: str, arn: str) -> bool:
    """IAM's ArnLike/ArnEquals: the six colon-separated parts matched one by one, each with *
    and ? wildcards, case-sensitive."""
    p, a = pattern.split(":", 5), arn.split(":", 5)
    return len(p) == len(a) == 6 and all(_glob(x, y) for x, y in zip(p, a, strict=True))


def condition_allows(statement: dict[str, Any], key: str, value: str) -> bool:
    """Whether the statement's conditions on `key` (if any) admit `value`."""
    for operator, block in (statement.get("Condition") or {}).items():
        if not isinstance(block, dict) or key not in block:
            continue
        wanted = block[key] if isinstance(block[key], list) else [block[key]]
        op = operator.removeprefix("ForAnyValue:").removesuffix("IfExists")
        if op in ("ArnEquals", "ArnLike"):
            ok = any(arn_matches(str(w), value) for w in wanted)
        elif op == "StringEquals":
            ok = value in wanted
        elif op == "StringLike":
            ok = any(_glob(str(w), value) for w in wanted)
        else:
            continue
        if not ok:
            return False
    return True


def _region_account(node: Node) -> tuple[str, str] | None:
    """Region and account from an ARN the resource already holds (its own or its target's)."""
    for _, value in node.values("target.arn"):
        parts = str(value).split(":")
        if len(parts) >= 5 and parts[3] and parts[4]:
            return parts[3], parts[4]
    return None


def _source_arn_reaches_the_role(graph: Graph) -> Iterator[tuple[Node, str]]:
    for sender in SENDERS:
        for node in graph.of_type(sender.type):
            where = _region_account(node)
            for _, role_arn in node.values(sender.role_path):
                role = graph.resolve(role_arn, T["role"])
                if role is None or where is None:
                    continue
                sent = sender.source_arn(node, *where)
                trust = [
                    s
                    for s in statements(role.inputs.get("assumeRolePolicy"))
                    if sender.principal in principals(s) and s.get("Effect") == "Allow"
                ]
                if sent is None or not trust:
                    continue
                if not any(condition_allows(s, "aws:SourceArn", sent) for s in trust):
                    yield (
                        role,
                        (
                            f"{sender.principal} assumes this role for {node.name} with "
                            f"aws:SourceArn {sent}, which its trust condition does not match: the "
                            "role cannot be assumed"
                        ),
                    )


def _source_account_agrees(graph: Graph) -> Iterator[tuple[Node, str]]:
    """aws:SourceAccount and the account inside aws:SourceArn name the same account."""
    for role in graph.of_type(T["role"]):
        for s in statements(role.inputs.get("assumeRolePolicy")):
            accounts, arns = set(), []
            for block in (s.get("Condition") or {}).values():
                if not isinstance(block, dict):
                    continue
                for key, value in block.items():
                    values = value if isinstance(value, list) else [value]
                    if key == "aws:SourceAccount":
                        accounts |= {str(v) for v in values}
                    elif key == "aws:SourceArn":
                        arns += [str(v) for v in values]
            for arn in arns:
                parts = arn.split(":")
                account = parts[4] if len(parts) > 4 else ""
                if accounts and account not in ("", "*") and account not in accounts:
                    yield (
                        role,
                        (
                            f"aws:SourceArn {arn} names account {account} but aws:SourceAccount "
                            f"is {', '.join(sorted(accounts))}: no request matches both"
                        ),
                    )


RULES = [
    AwsRule(
        id="trust-source-arn-matches-sender",
        title="A trust policy's aws:SourceArn matches the ARN the service sends",
        url=SCHEDULER_PAGE,
        reason="EventBridge Scheduler sends the schedule group's ARN as aws:SourceArn; a "
        "condition scoped to a schedule or a name prefix never matches it.",
        check=_source_arn_reaches_the_role,
    ),
    AwsRule(
        id="trust-source-account-agrees",
        title="aws:SourceAccount and the account in aws:SourceArn agree",
        url=SOURCE_KEYS_PAGE,
        reason="A service request carries one source account; the two keys must name the "
        "same one or no request satisfies both.",
        check=_source_account_agrees,
    ),
]
