"""Protection spec: how the stack guards its stateful resources against deletion."""

from __future__ import annotations

from pydantic import Field

from .common import Spec


class ProtectionSpec(Spec):
    """`ecs-platform:protection`: Pulumi resource options for stateful resources.

    Applies to the VPC, the ECS cluster, the ECS Exec KMS key, load balancers, log groups and
    access-log buckets. Load balancer deletion protection (the AWS-side flag) stays per load
    balancer: `loadBalancers.<name>.deletionProtection`.
    """

    protect: bool = Field(
        False,
        description="Pulumi `protect`: any delete or replacement of these resources fails "
        "until the flag is turned off and applied (prod: true; dev: false so teardown works).",
    )
    retain_on_delete: bool = Field(
        False,
        description="Pulumi `retainOnDelete` on log groups and access-log buckets: removing "
        "them from the program leaves the data in AWS instead of deleting it (prod: true).",
    )
