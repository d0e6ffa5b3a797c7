"""ECS Anywhere rules: the SSM activation that registers the team's servers, and its role.

A leaked activation code registers a machine as this account's managed instance with the
activation's role, so the code is bounded (how many servers, until when) and the role carries
only what the ECS and SSM agents need.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from . import types as t
from .base import (
    Finding,
    Resource,
    Rule,
    Stack,
    as_list,
    has_source_condition,
    policy_statements,
)

# The two AWS managed policies the ECS Anywhere IAM role documentation names.
ANYWHERE_POLICIES = (
    "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
)


def _trust_findings(role: Resource) -> Iterator[str]:
    statements = [s for s in policy_statements(role.props.get("assumeRolePolicy"))
                  if s.get("Effect") == "Allow"]  # fmt: skip
    for s in statements:
        principal = s.get("Principal") or {}
        services = as_list(principal.get("Service")) if isinstance(principal, Mapping) else []
        others = [str(p) for p in services if p != "ssm.amazonaws.com"]
        if others or not services:
            yield f"trusts {', '.join(others) or principal!r}; the activation role trusts SSM only"
        if not has_source_condition(s):
            yield (
                "trusts ssm.amazonaws.com without an aws:SourceAccount/aws:SourceArn condition "
                "(confused deputy)"
            )


def role_scope(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    for activation in stack.of_type(*t.SSM_ACTIVATION):
        for role in stack.deps(activation, *t.ROLE):
            where = f"activation role {role.name}"
            for message in _trust_findings(role):
                yield Finding(role.urn, f"{where}: {message}")
            attached = {
                str(a.props.get("policyArn")): a
                for a in stack.attached_to(role, *t.ROLE_POLICY_ATTACHMENT)
            }
            declared = [str(x) for x in as_list(role.props.get("managedPolicyArns"))]
            for arn in sorted(set(attached) | set(declared)):
                if arn not in ANYWHERE_POLICIES:
                    urn = attached[arn].urn if arn in attached else role.urn
                    yield Finding(
                        urn,
                        f"{where} also carries {arn}; every registered server gets it (keep "
                        "AmazonSSMManagedInstanceCore and AmazonEC2ContainerServiceforEC2Role "
                        "only)",
                    )
            for arn in ANYWHERE_POLICIES:
                if arn not in attached and arn not in declared:
                    yield Finding(role.urn, f"{where} lacks {arn}; servers could not register")
            inline = stack.attached_to(role, *t.ROLE_POLICY)
            if inline or role.props.get("inlinePolicies"):
                yield Finding(
                    inline[0].urn if inline else role.urn,
                    f"{where} has inline policies; every registered server gets them",
                )


def activation_bounded(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    most = int(cfg["maxRegistrationLimit"])
    limit = r.props.get("registrationLimit")
    if limit is None:
        yield "registrationLimit is not set; a leaked code registers servers until it expires"
    elif int(limit) > most:
        yield f"registrationLimit is {limit}; at most {most} servers per activation"
    if not r.props.get("expirationDate"):
        yield "expirationDate is not set; state the expiry (SSM default 24 hours, at most 30 days)"


RULES = [
    Rule("ecs-anywhere-role-scope", "ECS-EXT-01",
         ("ECS dev guide Amazon ECS Anywhere IAM role",
          "SSM guide Create the IAM service role for hybrid environments",
          "SSM guide Cross-service confused deputy prevention"),
         "The role an SSM activation gives registered servers trusts SSM for this account only "
         "and carries only AmazonSSMManagedInstanceCore and AmazonEC2ContainerServiceforEC2Role",
         "high", ("mandatory",) * 3, stack_check=role_scope),
    Rule("ecs-anywhere-activation-bounded", "ECS-EXT-02",
         ("SSM API CreateActivation RegistrationLimit and ExpirationDate",),
         "SSM activations cap the servers they register and state their expiry", "medium",
         ("mandatory",) * 3, t.SSM_ACTIVATION, activation_bounded,
         config={"maxRegistrationLimit": 100}),
]  # fmt: skip
