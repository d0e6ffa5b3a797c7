"""References to secrets a container reads at start: Secrets Manager secret or SSM parameter ARNs.

What a container's `secrets` values may be, and the IAM resource the execution role is granted
for each (a JSON key or version suffix is not part of the secret's ARN).
"""

from __future__ import annotations

import re

_SECRET_ARN = re.compile(
    r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+"
    r"(:[^:]*:[^:]*:[^:]*)?$"
)
_PARAMETER_ARN = re.compile(r"^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter/[A-Za-z0-9/_.-]+$")


def check_secret_ref(value: str) -> str:
    """A Secrets Manager ARN (optionally `:json-key:version-stage:version-id`) or SSM ARN."""
    if _SECRET_ARN.match(value) or _PARAMETER_ARN.match(value):
        return value
    raise ValueError(
        f"{value!r} is not a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:"
        "<account>:secret:<name>[:<json-key>::]) or an SSM parameter ARN "
        "(arn:aws:ssm:<region>:<account>:parameter/<name>)"
    )


def secret_resource_arn(value: str) -> str:
    """The IAM resource to grant for a secret reference (strips a JSON key / version suffix)."""
    m = _SECRET_ARN.match(value)
    if m and m.group(1):
        return value[: -len(m.group(1))]
    return value
