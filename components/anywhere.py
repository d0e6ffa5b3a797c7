"""ECS Anywhere: the team's own servers join the cluster through an SSM hybrid activation.

Creates (children of the cluster): the instance role `{name}-anywhere` (trusted by Systems
Manager for this account and region only), its two AWS managed policies
(AmazonSSMManagedInstanceCore, AmazonEC2ContainerServiceforEC2Role) as attachments
`{name}-anywhere-ssm` / `{name}-anywhere-ecs`, the expiry `{name}-anywhere-expiry` (a
`time.Offset`) and the activation `{name}-anywhere` that registers up to `registrationLimit`
servers.
Expects: the cluster's name and the region (for the registration command).

The activation code is a credential: it and the command that carries it are secret outputs.

Expiry: SSM takes an absolute date at most 30 days ahead, and a new date replaces the
activation (https://docs.aws.amazon.com/systems-manager/latest/APIReference/
API_CreateActivation.html). The date is left to apply time: the `time.Offset` resource records
the moment it is created plus `activationExpiresInDays` and keeps it in the stack's state, so
every plan and `pulumi up` of the same config sends the same value and never replaces the
activation by itself (the offline plan shows the date as `[deploy time + N days]`). The offset
is recreated, with a fresh date, whenever the activation would be replaced anyway (limit,
description, role or days change). Registered servers stay registered after it expires; to
issue a fresh code for new servers: `pulumi up --replace <URN of {name}-anywhere-expiry>`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumiverse_time as time

from . import iam
from .specs.cluster import ExternalInstancesSpec

INSTALL_SCRIPT = "https://amazon-ecs-agent.s3.amazonaws.com/ecs-anywhere-install-latest.sh"


@dataclass(frozen=True)
class Anywhere:
    """Secret outputs of the activation (the code is a credential)."""

    activation_id: pulumi.Output[str]
    activation_code: pulumi.Output[str]
    register_command: pulumi.Output[str]


def register_command(region: str, cluster: str, activation_id: str, code: str) -> str:
    """What each server runs once, as root (AWS: "Registering an external instance")."""
    return (
        f'curl --proto "https" -o "/tmp/ecs-anywhere-install.sh" "{INSTALL_SCRIPT}" && '
        f"sudo bash /tmp/ecs-anywhere-install.sh --region {region} --cluster {cluster} "
        f"--activation-id {activation_id} --activation-code {code}"
    )


def external_instances(
    parent: pulumi.Resource,
    name: str,
    spec: ExternalInstancesSpec,
    *,
    cluster_name: pulumi.Output[str],
    account: pulumi.Output[str],
    region: pulumi.Output[str],
) -> Anywhere:
    child = pulumi.ResourceOptions(parent=parent)
    stack, project = pulumi.get_stack(), pulumi.get_project()
    role = aws.iam.Role(
        f"{name}-anywhere",
        assume_role_policy=pulumi.Output.all(account, region).apply(
            lambda a: iam.ssm_trust(a[0], a[1])
        ),
        description="ECS Anywhere servers: SSM managed instance, register with the cluster",
        opts=child,
    )
    attachments = [
        aws.iam.RolePolicyAttachment(
            f"{name}-anywhere-{suffix}", role=role.name, policy_arn=arn, opts=child
        )
        # the two AWS managed policies the ECS Anywhere IAM role documentation names
        for suffix, arn in iam.INSTANCE_POLICIES.items()
    ]
    description = spec.description or f"ECS Anywhere servers of {project}-{stack}"
    expiry = time.Offset(
        f"{name}-anywhere-expiry",
        offset_days=spec.activation_expires_in_days,
        # A new date with every replacement of the activation (an old one may have passed).
        triggers={
            "role": role.name,
            "registrationLimit": str(spec.limit),
            "description": description,
            "days": str(spec.activation_expires_in_days),
        },
        opts=child,
    )
    activation = aws.ssm.Activation(
        f"{name}-anywhere",
        iam_role=role.name,
        registration_limit=spec.limit,
        expiration_date=expiry.rfc3339,
        description=description,
        opts=pulumi.ResourceOptions(
            parent=parent,
            # Servers registered with the code need both policies on their role at once.
            depends_on=attachments,
            additional_secret_outputs=["activationCode"],
        ),
    )
    code = pulumi.Output.secret(activation.activation_code)
    activation_id = pulumi.Output.secret(activation.id)
    command = pulumi.Output.secret(
        pulumi.Output.all(region, cluster_name, activation.id, activation.activation_code).apply(
            lambda a: register_command(a[0], a[1], a[2], a[3])
        )
    )
    return Anywhere(activation_id, code, command)
