"""Shared base model, error type and small validators for the stack-config specs."""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Iterable, Sequence
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from ..concepts import secrets

PROJECT = "ecs-platform"  # the Pulumi project name (Pulumi.yaml `name:`)


class SpecError(ValueError):
    """A config rule failed at `field` (a dotted path below the model that raised it)."""

    def __init__(self, field: str | Sequence[str | int], message: str) -> None:
        self.field: tuple[str | int, ...] = (
            tuple(field.split(".")) if isinstance(field, str) else tuple(field)
        )
        self.message = message
        super().__init__(message)


class Spec(BaseModel):
    """Base for every spec: frozen, strict types, camelCase keys, unknown keys rejected."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        strict=True,
        validate_default=False,
    )

    @model_validator(mode="before")
    @classmethod
    def _numbers_the_cli_wrote_as_strings(cls, data: object) -> object:
        """`pulumi config set --path k 0080` stores the string "0080" (the CLI keeps a leading
        zero as text), so a whole number with leading zeros is read as that number; other
        quoted numbers stay refused with a message saying they are strings.
        https://www.pulumi.com/docs/iac/cli/commands/pulumi_config_set/"""
        if not isinstance(data, dict):
            return data
        fields = _int_keys(cls)
        fixed = {
            k: int(v)
            for k, v in data.items()
            if k in fields and isinstance(v, str) and LEADING_ZERO_INT.fullmatch(v)
        }
        return {**data, **fixed} if fixed else data


# What `pulumi config set --path` writes as a string although it is a whole number.
LEADING_ZERO_INT = re.compile(r"0[0-9]+")


def _int_keys(model: type[BaseModel]) -> frozenset[str]:
    cached = model.__dict__.get("_int_keys_cache")
    if cached is None:
        cached = frozenset(
            key
            for name, f in model.model_fields.items()
            if _is_int(f.annotation)
            for key in (name, f.alias or name)
        )
        type.__setattr__(model, "_int_keys_cache", cached)
    return cached


def _is_int(annotation: object) -> bool:
    import types
    import typing

    if annotation is int:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _is_int(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return len(args) == 1 and _is_int(args[0])
    return False


# AWS resource names used in our logical names: short, DNS-safe, stable.
NAME_PATTERN = r"^[a-z][a-z0-9-]{0,22}[a-z0-9]$|^[a-z]$"
ResourceKey = Annotated[str, Field(pattern=NAME_PATTERN)]

Port = Annotated[int, Field(ge=1, le=65535)]

# CloudWatch Logs PutRetentionPolicy accepts exactly these values.
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip


def check_log_retention(days: int | None) -> int | None:
    if days is not None and days not in LOG_RETENTION_DAYS:
        raise ValueError(
            f"{days} is not a CloudWatch Logs retention; use one of "
            + ", ".join(str(d) for d in LOG_RETENTION_DAYS)
        )
    return days


LogRetentionDays = Annotated[int, AfterValidator(check_log_retention)]


ARN_PATTERN = re.compile(r"^arn:aws[a-z-]*:([a-z0-9-]+):([a-z0-9-]*):(\d{12}|aws|):(.+)$")


def parse_arn(value: str) -> tuple[str, str, str, str]:
    """Split an ARN into (service, region, account, resource) or raise ValueError."""
    m = ARN_PATTERN.match(value)
    if not m:
        raise ValueError(f"{value!r} is not an ARN (arn:aws:<service>:<region>:<account>:...)")
    return m.group(1), m.group(2), m.group(3), m.group(4)


def check_one_resource(value: str, what: str) -> str:
    """An ARN that must name exactly one resource: no IAM wildcard (* or ?) in it, since the
    component grants on it (a `*` would grant every queue, function or secret)."""
    if "*" in value or "?" in value:
        raise ValueError(
            f"{value!r} has a wildcard; name one {what} (the ARN becomes an IAM grant, and "
            "a wildcard would grant every one)"
        )
    return value


def suggest(word: str, choices: Iterable[str]) -> str:
    """' (did you mean x?)' when a close match exists, else ''."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return f" (did you mean {close[0]}?)" if close else ""


@functools.cache
def _time_zones() -> frozenset[str]:
    """The tz database's zone names, read once: listing them walks the whole database."""
    return frozenset(zoneinfo.available_timezones())


def check_time_zone(value: str) -> str:
    """An IANA time zone name (EventBridge Scheduler and Application Auto Scaling take these)."""
    known = _time_zones()
    if (known and value not in known) or not re.fullmatch(r"[A-Za-z0-9_+/-]{1,50}", value):
        raise ValueError(
            f"{value!r} is not an IANA time zone name (e.g. Asia/Seoul, Europe/Berlin, UTC)"
        )
    return value


TimeZone = Annotated[str, AfterValidator(check_time_zone)]


def check_count_range(min_count: int, max_count: int) -> None:
    """A task-count range: minCount may not exceed maxCount."""
    if min_count > max_count:
        raise SpecError("minCount", f"{min_count} is above maxCount {max_count}")


def check_plain_values(values: dict[str, str], what: str) -> dict[str, str]:
    """Plain name=value pairs (environment, build args) hold no secret (one definition:
    components.concepts.secrets)."""
    for name, text in values.items():
        if name in secrets.CREDENTIAL_NAMES:
            raise SpecError(
                name,
                "credentials must not be plain environment variables (Security Hub ECS.8); "
                "use the task role, or move it to secrets with a Secrets Manager ARN",
            )
        reason = secrets.secret_reason(name, text)
        if reason:
            raise SpecError(
                name,
                f"looks like a secret in plain text ({reason}); {what} values are readable "
                "by anyone who can describe the task definition or the image (Security Hub "
                "ECS.8); move it to secrets with a Secrets Manager or SSM parameter ARN",
            )
    return values


def check_command(value: list[str] | None) -> list[str] | None:
    """A command line carries no secret in plain text."""
    if value is not None:
        reason = secrets.secret_in_command(value)
        if reason:
            raise ValueError(
                f"carries a secret in plain text ({reason}); the command is readable in every "
                "task definition revision: pass the value through secrets and read it from "
                "the environment"
            )
    return value
