"""ECS Anywhere: the team's own servers join the cluster through an SSM hybrid activation.

Creates (children of the cluster): the instance role `{name}-anywhere` (trusted by Systems
Manager for this account and region only), its two AWS managed policies
(AmazonSSMManagedInstanceCore, AmazonEC2ContainerServiceforEC2Role) as attachments
`{name}-anywhere-ssm` / `{name}-anywhere-ecs`, and the activation `{name}-anywhere` that
registers up to `registrationLimit` servers.
Expects: the cluster's name and the region (for the registration command).

The activation code is a credential: it and the command that carries it are secret outputs.

Expiry: SSM takes an absolute expiration date, and a change replaces the activation. The date is
the deploy day (00:00 UTC) plus `activationExpiresInDays`, and `ignore_changes` keeps the stored
one, so later `pulumi up` runs leave the activation alone. Registered servers stay registered
after it expires; `pulumi up --replace <activation URN>` issues a fresh code for new servers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from . import iam
from .specs.cluster import ExternalInstancesSpec

INSTALL_SCRIPT = "https://amazon-ecs-agent.s3.amazonaws.com/ecs-anywhere-install-latest.sh"


@dataclass(frozen=True)
class Anywhere:
    """Secret outputs of the activation (the code is a credential)."""

    activation_id: pulumi.Output[str]
    activation_code: pulumi.Output[str]
    register_command: pulumi.Output[str]


def expiration_date(days: int, today: datetime.date | None = None) -> str:
    """RFC 3339 timestamp `days` after the start (00:00 UTC) of today: at most `days` from now."""
    day = today or datetime.datetime.now(datetime.UTC).date()
    return f"{day + datetime.timedelta(days=days):%Y-%m-%d}T00:00:00Z"


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
    activation = aws.ssm.Activation(
        f"{name}-anywhere",
        iam_role=role.name,
        registration_limit=spec.limit,
        expiration_date=expiration_date(spec.activation_expires_in_days),
        description=spec.description or f"ECS Anywhere servers of {project}-{stack}",
        opts=pulumi.ResourceOptions(
            parent=parent,
            # Servers registered with the code need both policies on their role at once.
            depends_on=attachments,
            # The date is computed at deploy time; a new one on each `up` would replace the
            # activation (see the module docstring).
            ignore_changes=["expirationDate"],
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
