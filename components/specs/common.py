"""Shared base model, error type and small validators for the stack-config specs."""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Iterable, Sequence
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


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
