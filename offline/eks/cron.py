"""EventBridge Scheduler expressions as Kubernetes CronJob schedules.

EventBridge cron has six fields (minutes hours day-of-month month day-of-week year), `?` for
"no specific value", day-of-week 1-7 = SUN-SAT, and L, W and # modifiers
(https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html). A CronJob takes
the standard five fields with day-of-week 0-6 = SUN-SAT and no year
(https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax).
`rate(N unit)` becomes a step only when N divides the unit above it evenly; EventBridge counts a
rate from the schedule's creation, a CronJob from the clock, so the start times differ.
"""

from __future__ import annotations

import re

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_DOW_RANGE = re.compile(r"^(\d)(?:-(\d))?(/\d+)?$")


class ScheduleError(ValueError):
    """The expression has no exact CronJob equivalent."""


def _day_of_week(field: str) -> str:
    if field == "?":
        return "*"
    out = []
    for part in field.split(","):
        if "L" in part or "#" in part:
            raise ScheduleError(f"day-of-week {part!r} (L and # have no CronJob equivalent)")
        m = _DOW_RANGE.match(part)
        if m is None:  # names (MON-FRI) and * mean the same in both
            out.append(part)
            continue
        start = int(m.group(1)) - 1
        end = f"-{int(m.group(2)) - 1}" if m.group(2) else ""
        out.append(f"{start}{end}{m.group(3) or ''}")
    return ",".join(out)


def _rate(amount: int, unit: str) -> str:
    unit = unit.rstrip("s")
    if unit == "minute" and 60 % amount == 0:
        return "* * * * *" if amount == 1 else f"*/{amount} * * * *"
    if unit == "hour" and 24 % amount == 0:
        return "0 * * * *" if amount == 1 else f"0 */{amount} * * *"
    if unit == "day" and amount == 1:
        return "0 0 * * *"
    raise ScheduleError(
        f"rate({amount} {unit}s) does not divide the {unit}'s cycle; a CronJob step restarts "
        "every hour/day"
    )


def to_cronjob(expression: str) -> str:
    """The five-field CronJob schedule for an EventBridge Scheduler expression."""
    m = _RATE.match(expression)
    if m:
        return _rate(int(m.group(1)), m.group(2))
    if not (expression.startswith("cron(") and expression.endswith(")")):
        raise ScheduleError(f"{expression!r} is not a rate() or cron() expression")
    minute, hour, dom, month, dow, year = expression[5:-1].split()
    if year != "*":
        raise ScheduleError(f"year field {year!r} (a CronJob has no year)")
    if any(c in dom for c in "LW"):
        raise ScheduleError(f"day-of-month {dom!r} (L and W have no CronJob equivalent)")
    return " ".join([minute, hour, "*" if dom == "?" else dom, month, _day_of_week(dow)])
