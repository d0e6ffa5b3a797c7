"""Copilot `variables` and `secrets` -> the container's environment and secrets.

A secret maps when it is an ARN the config accepts (Secrets Manager or SSM), or an SSM
parameter name with the region and account to make its ARN; anything else needs the user.
"""

from __future__ import annotations

from typing import Any

from components.specs.secret_refs import check_secret_ref

from ..common import scalar_text, secret_reason, valid_env_name
from .context import Environment, Workload
from .report import describe


def variables(w: Workload, path: str, values: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in (values or {}).items():
        name = str(name)
        if isinstance(value, dict):
            w.add(
                "unmapped",
                f"{path}.{name}",
                f"{describe(value)}: CloudFormation exports are not read here; set the value",
            )
        elif not valid_env_name(name):
            w.add("unmapped", f"{path}.{name}", "not a valid variable name here")
        elif (reason := secret_reason(name, scalar_text(value))) is not None:
            w.add(
                "input",
                f"{path}.{name}",
                f"left out because {reason}: store it in Secrets Manager and add "
                f"secrets: {{{name}: <secret ARN>}}",
            )
        else:
            out[name] = scalar_text(value)
    return out


def secrets(w: Workload, path: str, values: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in (values or {}).items():
        name = str(name)
        at = f"{path}.{name}"
        if not valid_env_name(name):
            w.add("unmapped", at, "not a valid variable name here")
            continue
        if isinstance(value, dict) and "secretsmanager" in value:
            ref = str(value["secretsmanager"])
            if _valid_secret(ref):
                out[name] = ref
            else:
                w.add(
                    "input",
                    at,
                    f"Secrets Manager secret {ref!r}: give its full ARN "
                    "(with the random suffix; the execution role is granted exactly "
                    "that ARN)",
                )
            continue
        if isinstance(value, dict):
            w.add(
                "unmapped",
                at,
                f"{describe(value)}: CloudFormation exports are not "
                "read here; give the secret's ARN",
            )
            continue
        ref = str(value)
        if ref.startswith("arn:"):
            if _valid_secret(ref):
                out[name] = ref
            else:
                w.add("input", at, f"{ref} is not a Secrets Manager or SSM ARN")
            continue
        arn = ssm_arn(w.env, ref)
        if arn is not None and _valid_secret(arn):
            out[name] = arn
        else:
            w.add(
                "input",
                at,
                f"SSM parameter {ref}: its ARN needs the region and "
                "account (pass --region and --account)",
            )
    return out


def ssm_arn(env: Environment, name: str) -> str | None:
    """SSM parameter name -> ARN (needs region and account)."""
    if not (env.region and env.account):
        return None
    return f"arn:aws:ssm:{env.region}:{env.account}:parameter/{name.lstrip('/')}"


def _valid_secret(ref: str) -> bool:
    try:
        check_secret_ref(ref)
    except ValueError:
        return False
    return True
