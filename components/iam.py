"""IAM documents for ECS tasks: trust limited to ECS tasks of this account, least privilege.

Pure functions returning JSON text; components turn them into aws.iam resources.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from .concepts import images as image_refs
from .specs.secret_refs import secret_resource_arn

# A Secrets Manager ARN names the secret with a 6-character suffix AWS adds; a reference without
# it (a partial ARN) still resolves, but IAM must match the full ARN, hence the wildcard.
_FULL_SECRET = re.compile(r"-[A-Za-z0-9]{6}$")


def policy(statements: Iterable[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


# AWS managed policies of an EC2 container instance (EC2 capacity, ECS Anywhere servers).
ECS_INSTANCE_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
SSM_CORE_POLICY = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
# A container instance's role (EC2 or ECS Anywhere): register with the cluster, reach SSM.
# Keys are the attachments' name suffixes.
INSTANCE_POLICIES = {"ecs": ECS_INSTANCE_POLICY, "ssm": SSM_CORE_POLICY}


def trust(
    service: str,
    *,
    account: str | None = None,
    source_arn: str | None = None,
    arn_match: str = "ArnLike",
) -> str:
    """Role trust for one AWS service principal. With `account`, only on behalf of this account,
    and with `source_arn`, only for those resources (the confused-deputy conditions)."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    condition: dict[str, Any] = {}
    if account is not None:
        condition["StringEquals"] = {"aws:SourceAccount": account}
    if source_arn is not None:
        condition[arn_match] = {"aws:SourceArn": source_arn}
    if condition:
        statement["Condition"] = condition
    return policy([statement])


def ecs_tasks_trust(account: str, region: str) -> str:
    """Trust ECS tasks only, and only on behalf of this account (confused-deputy guard)."""
    return trust(
        "ecs-tasks.amazonaws.com",
        account=account,
        source_arn=f"arn:aws:ecs:{region}:{account}:*",
    )


def ecr_repository_arns(
    images: Iterable[str | None],
    account: str | None = None,
    region: str | None = None,
    trusted: Iterable[str] = (),
) -> list[str]:
    """Repository ARNs of the private ECR images among `images` that may be pulled: this
    account's in this region, and those of `trusted` registries. Another account's ECR gets no
    pull rights unless the stack config trusts it (the policy reports the image either way).

    None stands for an image built by this program: `image.py` grants its repository.
    """
    arns = set()
    for image in images:
        if image is None:
            continue
        arn = image_refs.ecr_repository_arn(image)
        if arn is not None and image_refs.trusted(image, account, region, trusted):
            arns.add(arn)
    return sorted(arns)


def secret_grants(references: Iterable[str]) -> tuple[list[str], list[str]]:
    """(Secrets Manager ARNs, SSM parameter ARNs) to grant for these `valueFrom` references."""
    secrets, parameters = set(), set()
    for ref in references:
        arn = secret_resource_arn(ref)
        if ":secretsmanager:" in arn:
            secrets.add(arn if _FULL_SECRET.search(arn) else f"{arn}-??????")
        else:
            parameters.add(arn)
    return sorted(secrets), sorted(parameters)


def execution_policy(
    log_group_arn: str,
    images: Iterable[str | None],
    secret_references: Iterable[str],
    trusted: Iterable[str] = (),
) -> str:
    """What the ECS agent needs to start the task: pull (trusted images only), log, read
    exactly these secrets. The account and region are the log group's."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "WriteOwnLogGroup",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"{log_group_arn}:log-stream:*",
        }
    ]
    _arn, _partition, _logs, region, account, _rest = log_group_arn.split(":", 5)
    repositories = ecr_repository_arns(images, account, region, trusted)
    if repositories:
        statements += [
            {
                # GetAuthorizationToken has no resource-level permissions (ECR API reference).
                "Sid": "EcrLogin",
                "Effect": "Allow",
                "Action": "ecr:GetAuthorizationToken",
                "Resource": "*",
            },
            {
                "Sid": "PullOwnImages",
                "Effect": "Allow",
                "Action": [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                ],
                "Resource": repositories,
            },
        ]
    secrets, parameters = secret_grants(secret_references)
    if secrets:
        statements.append(
            {
                "Sid": "ReadReferencedSecrets",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": secrets,
            }
        )
    if parameters:
        statements.append(
            {
                "Sid": "ReadReferencedParameters",
                "Effect": "Allow",
                "Action": "ssm:GetParameters",
                "Resource": parameters,
            }
        )
    return policy(statements)


def ecs_service_trust(account: str) -> str:
    """Trust the ECS service (blue/green traffic shifts, lifecycle hooks) for this account."""
    return trust("ecs.amazonaws.com", account=account)


# AWS managed policy for ECS-native blue/green: modify the listener rules and target groups.
LOAD_BALANCER_INFRASTRUCTURE_POLICY = (
    "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"
)


def invoke_hooks_policy(lambda_arns: Iterable[str]) -> str:
    """ECS may invoke exactly these lifecycle-hook functions."""
    return policy(
        [
            {
                "Sid": "InvokeLifecycleHooks",
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": sorted(set(lambda_arns)),
            }
        ]
    )


def exec_policy(exec_log_group_arn: str, kms_key_arn: str) -> str:
    """ECS Exec from inside the task: the SSM session channels, its audit log, its key.

    ssmmessages has no resource-level permissions, hence "*" there (AWS's documented policy).
    """
    return policy(
        [
            {
                "Sid": "ExecSessionChannels",
                "Effect": "Allow",
                "Action": [
                    "ssmmessages:CreateControlChannel",
                    "ssmmessages:CreateDataChannel",
                    "ssmmessages:OpenControlChannel",
                    "ssmmessages:OpenDataChannel",
                ],
                "Resource": "*",
            },
            {
                "Sid": "FindExecLogGroup",
                "Effect": "Allow",
                "Action": "logs:DescribeLogGroups",
                "Resource": "*",
            },
            {
                "Sid": "WriteExecSessionLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                "Resource": [exec_log_group_arn, f"{exec_log_group_arn}:log-stream:*"],
            },
            {
                "Sid": "EncryptExecSessions",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": kms_key_arn,
            },
        ]
    )


def ssm_trust(account: str, region: str) -> str:
    """Trust Systems Manager, for this account's activations in this region only (the SSM
    guide's hybrid-activation role, with its confused-deputy conditions)."""
    return trust(
        "ssm.amazonaws.com",
        account=account,
        source_arn=f"arn:aws:ssm:{region}:{account}:*",
        arn_match="ArnEquals",
    )
