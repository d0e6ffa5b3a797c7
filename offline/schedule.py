"""Scheduled scaling over a week: how many tasks a service runs on average (for the cost model).

Application Auto Scaling scheduled actions move a scalable target's min/max at cron times (a
dev service scaled to zero at night, say). A service's baseline count is its desired count held
inside the min/max in force, so the monthly cost is the time-weighted average over a week:

    tasks(t) = clamp(desiredCount, min(t), max(t))

The week is laid out in UTC minutes, each action's cron evaluated in its own time
zone (a reference week in January; daylight-saving shifts are ignored). Only weekly schedules are
modelled: `rate(...)`, `at(...)` and crons that name days of the month, months, years or use
`L`, `W` or `#` return None, and the cost model then states that it priced the plain range.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEK_MINUTES = 7 * 24 * 60
REFERENCE_MONDAY = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday, 00:00 UTC
DAY_NAMES = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
CRON = re.compile(r"^cron\((.+)\)$")
RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
RATE_MINUTES = {"minute": 1, "hour": 60, "day": 1440}


@dataclass(frozen=True)
class Action:
    """One scheduled action as planned: its schedule, time zone and new min/max."""

    schedule: str
    timezone: str | None
    min_capacity: int | None
    max_capacity: int | None


@dataclass(frozen=True)
class Weekly:
    """Time-weighted task counts over a week, and how long each (min, max) window lasts."""

    baseline: float  # average of clamp(desired, min, max)
    low: float  # average min
    high: float  # average max
    windows: tuple[tuple[int, int, float], ...]  # (min, max, hours per week)

    def describe(self) -> str:
        parts = [f"{lo}..{hi} for {hours:g} h" for lo, hi, hours in self.windows]
        return "scheduled " + ", ".join(parts) + " a week"


@dataclass(frozen=True)
class _Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    weekdays: frozenset[int]  # 1 = Sunday ... 7 = Saturday (AWS cron)


def weekly(
    desired: int, min_capacity: int, max_capacity: int, actions: Iterable[Action]
) -> Weekly | None:
    """Average counts over a week under `actions`; None when a schedule is not weekly."""
    firings: list[tuple[int, int, Action]] = []
    for order, action in enumerate(actions):
        minutes = _firings(action)
        if minutes is None:
            return None
        firings.extend((minute, order, action) for minute in minutes)
    if not firings:
        return None
    firings.sort(key=lambda f: (f[0], f[1]))

    # The state at the start of the week is what the last firing of the week before left.
    lo, hi = min_capacity, max_capacity
    for _, _, action in firings:
        lo, hi = _apply(action, lo, hi)
    spans: dict[tuple[int, int], int] = {}
    total = low = high = 0.0
    cursor = 0
    for minute, _, action in [*firings, (WEEK_MINUTES, -1, None)]:
        length = minute - cursor
        if length:
            spans[(lo, hi)] = spans.get((lo, hi), 0) + length
            total += max(lo, min(desired, hi)) * length
            low += lo * length
            high += hi * length
        cursor = minute
        if action is not None:
            lo, hi = _apply(action, lo, hi)
    windows = tuple(
        (lo_, hi_, round(minutes / 60, 1)) for (lo_, hi_), minutes in sorted(spans.items())
    )
    return Weekly(total / WEEK_MINUTES, low / WEEK_MINUTES, high / WEEK_MINUTES, windows)


def _apply(action: Action, lo: int, hi: int) -> tuple[int, int]:
    return (
        lo if action.min_capacity is None else action.min_capacity,
        hi if action.max_capacity is None else action.max_capacity,
    )


def _firings(action: Action) -> list[int] | None:
    """Minutes of the reference week (UTC) at which the action fires; None if not weekly."""
    cron = _parse(action.schedule)
    if cron is None:
        return None
    try:
        zone = ZoneInfo(action.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return None
    out: set[int] = set()
    for day in range(-1, 8):  # local dates around the UTC week (offsets are under a day)
        date = (REFERENCE_MONDAY + timedelta(days=day)).date()
        if date.isoweekday() % 7 + 1 not in cron.weekdays:  # AWS: Sunday=1 .. Saturday=7
            continue
        for hour in cron.hours:
            for minute in cron.minutes:
                local = datetime(date.year, date.month, date.day, hour, minute, tzinfo=zone)
                index = int((local - REFERENCE_MONDAY).total_seconds() // 60)
                if 0 <= index < WEEK_MINUTES:
                    out.add(index)
    return sorted(out)


def _parse(schedule: str) -> _Cron | None:
    match = CRON.match(schedule.strip())
    if match is None:
        return None
    fields = match.group(1).split()
    if len(fields) != 6:
        return None
    minutes, hours, day_of_month, month, day_of_week, year = fields
    if day_of_month not in ("*", "?") or month != "*" or year != "*":
        return None
    on_minutes = _field(minutes, 0, 59, {})
    on_hours = _field(hours, 0, 23, {})
    on_days = _field(day_of_week, 1, 7, DAY_NAMES)
    if on_minutes is None or on_hours is None or on_days is None:
        return None
    return _Cron(on_minutes, on_hours, on_days)


def _field(text: str, first: int, last: int, names: dict[str, int]) -> frozenset[int] | None:
    if text in ("*", "?"):
        return frozenset(range(first, last + 1))
    values: set[int] = set()
    for part in text.upper().split(","):
        step = 1
        if "/" in part:
            part, _, step_text = part.partition("/")
            if not step_text.isdigit() or int(step_text) == 0:
                return None
            step = int(step_text)
        if part in ("*", "?"):
            start, end = first, last
        elif "-" in part:
            a, _, b = part.partition("-")
            start_, end_ = _value(a, names), _value(b, names)
            if start_ is None or end_ is None:
                return None
            start, end = start_, end_
        else:
            single = _value(part, names)
            if single is None:
                return None
            start, end = single, (last if step > 1 else single)
        if not first <= start <= last or not first <= end <= last or start > end:
            return None
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _value(text: str, names: dict[str, int]) -> int | None:
    if text in names:
        return names[text]
    return int(text) if text.isdigit() else None


def runs_per_week(expression: str, timezone: str | None) -> float | None:
    """How often a schedule fires in a week: rate(N unit), a weekly cron, or 0 for at(...);
    None for a cron this module does not model (days of the month, months, years)."""
    text = expression.strip()
    if text.startswith("at("):
        return 0.0
    rate = RATE.match(text)
    if rate:
        every = int(rate.group(1)) * RATE_MINUTES[rate.group(2).rstrip("s")]
        return WEEK_MINUTES / every
    firings = _firings(Action(text, timezone, None, None))
    return None if firings is None else float(len(firings))
