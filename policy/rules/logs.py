"""Log group and ECR repository rules: retention, scanning, immutable tags, lifecycle."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from . import types as t
from .base import SH, Finding, Resource, Rule, Stack, as_list, truthy


def log_retention(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    need = int(cfg["minRetentionDays"])
    days = r.props.get("retentionInDays")
    if days is None or int(days) == 0:
        yield "retentionInDays is not set: logs are kept (and billed) forever (CKV_AWS_66)"
    elif int(days) < need:
        yield f"retentionInDays is {days}; keep at least {need} days (CloudWatch.16)"


def ecr_repository(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    scanning = r.props.get("imageScanningConfiguration") or {}
    if not truthy(scanning.get("scanOnPush")):
        yield "scanOnPush is off (ECR.1)"
    if r.props.get("imageTagMutability") not in ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"):
        yield "imageTagMutability is not IMMUTABLE (ECR.2)"
    encryption = as_list(r.props.get("encryptionConfigurations"))
    if not any(e.get("encryptionType") == "KMS" for e in encryption):
        yield "not encrypted with KMS (ECR.5)"


def ecr_lifecycle(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    for repo in stack.of_type(*t.ECR_REPOSITORY):
        if not stack.dependents(repo, *t.ECR_LIFECYCLE):
            yield Finding(repo.urn, "no lifecycle policy: old images accumulate (ECR.3)")


RULES = [
    Rule("log-group-retention", "LOG-01",
         (f"{SH} CloudWatch.16", "CKV_AWS_66", "CKV_AWS_338"),
         "Log groups set a retention (at least 365 days in prod)", "medium",
         ("mandatory",) * 3, t.LOG_GROUP, log_retention, config={"minRetentionDays": 1}),
    Rule("ecr-repository-hardened", "ECR-01",
         (f"{SH} ECR.1", f"{SH} ECR.2", f"{SH} ECR.5", "CKV_AWS_163", "CKV_AWS_51", "CKV_AWS_136"),
         "ECR repositories scan on push, have immutable tags and KMS encryption", "medium",
         ("advisory", "mandatory", "mandatory"), t.ECR_REPOSITORY, ecr_repository),
    Rule("ecr-lifecycle-policy", "ECR-01", (f"{SH} ECR.3",),
         "ECR repositories have a lifecycle policy", "low",
         ("advisory", "mandatory", "mandatory"), stack_check=ecr_lifecycle),
]  # fmt: skip
