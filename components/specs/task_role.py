"""Task role spec: what the application in a task may call (nothing unless listed here).

Services, workers and scheduled tasks take the same `taskRole` key.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from .common import Spec, parse_arn


class TaskRoleStatement(Spec):
    """An IAM statement granted to the task role (what the application may call)."""

    effect: Literal["Allow", "Deny"] = "Allow"
    actions: list[Annotated[str, Field(pattern=r"^[a-z0-9-]+:[A-Za-z0-9*]+$")]] = Field(
        min_length=1
    )
    resources: list[str] = Field(min_length=1)

    @field_validator("actions")
    @classmethod
    def _no_wildcard_service(cls, value: list[str]) -> list[str]:
        for action in value:
            if action.endswith(":*"):
                raise ValueError(
                    f"{action} grants every action of the service (Security Hub IAM.21); "
                    "list the actions the application calls"
                )
        return value

    @field_validator("resources")
    @classmethod
    def _arns(cls, value: list[str]) -> list[str]:
        for resource in value:
            if resource == "*":
                raise ValueError('"*" grants every resource; name the ARNs the application uses')
            parse_arn(resource)
        return value


class TaskRoleSpec(Spec):
    """Permissions granted to the application (the task role): nothing unless listed."""

    managed_policy_arns: list[str] = Field(default_factory=list)
    statements: list[TaskRoleStatement] = Field(default_factory=list)

    @field_validator("managed_policy_arns")
    @classmethod
    def _policies(cls, value: list[str]) -> list[str]:
        for arn in value:
            svc, _r, _a, resource = parse_arn(arn)
            if svc != "iam" or not resource.startswith("policy/"):
                raise ValueError(f"{arn!r} is not an IAM policy ARN")
            if resource.endswith("/AdministratorAccess"):
                raise ValueError("AdministratorAccess is never granted to a task role")
        return value
