"""A Copilot Scheduled Job -> an entry of `ecs-platform:scheduledTasks`: its container, its
schedule as an EventBridge expression (UTC, as in Copilot) and its retries."""

from __future__ import annotations

import re
from typing import Any

from ..common import duration_seconds
from ..tables import RUN_ONCE_SCHEDULE
from .context import Workload
from .network import workload_network
from .report import keep, rest
from .sidecars import task_containers
from .tables import JOB_FIELDS, JOB_KEYS, MAX_RETRY_ATTEMPTS, SCHEDULE_KEYWORDS


def map_job(w: Workload, spec: dict[str, Any]) -> dict[str, Any] | None:
    """The scheduled task; None (reported) when its schedule does not convert."""
    schedule_in = (w.doc.get("on") or {}).get("schedule")
    by_hand = str(schedule_in).lower() == "none"  # Copilot: no schedule, run on demand
    schedule = RUN_ONCE_SCHEDULE if by_hand else schedule_expression(schedule_in)
    if schedule is None:
        w.add(
            "unmapped",
            "on.schedule",
            f"{schedule_in!r} is not a schedule this "
            "importer can convert (cron, @keyword, @every, rate()/cron()); skipped",
        )
        return None
    out = keep(
        w,
        spec,
        JOB_FIELDS,
        "not a key of a scheduled task (docs/config-reference.md, ecs-platform:scheduledTasks)",
    )
    out["schedule"] = schedule
    if by_hand:
        out["enabled"] = False
        w.add(
            "changed",
            "on.schedule",
            "none (run by hand): imported with its schedule disabled; start it with aws "
            "ecs run-task on its task definition, or set schedule and enabled: true",
        )
    elif schedule != schedule_in:
        w.add(
            "changed",
            "on.schedule",
            f"{schedule_in} is {schedule} in EventBridge (UTC, as in Copilot)",
        )
    retries = w.doc.get("retries")
    if isinstance(retries, int):
        out["retry"] = {"maximumRetryAttempts": min(max(retries, 0), MAX_RETRY_ATTEMPTS)}
    if w.doc.get("timeout") is not None:
        w.add("unmapped", "timeout", "a run time limit is not in the scheduled task config")
    task_containers(w, out, None, "scheduled task")
    workload_network(w, report_placement=False)
    rest(w, JOB_KEYS)
    return out


def schedule_expression(value: Any) -> str | None:
    """Copilot's on.schedule (cron, @keyword, @every <duration>) as EventBridge cron()/rate()."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if re.fullmatch(r"(cron|rate)\(.+\)", text):
        return text
    if text in SCHEDULE_KEYWORDS:
        return SCHEDULE_KEYWORDS[text]
    if text.startswith("@every "):
        return _rate(text.removeprefix("@every ").strip())
    fields = text.split()
    if len(fields) != 5:
        return None
    minute, hour, dom, month, dow = fields
    if dow != "*" and dom != "*":
        return None  # Unix cron ORs the two; EventBridge cannot
    if dow == "*":
        dow = "?"
    else:
        dom = "?"
        dow = _eventbridge_weekdays(dow)
        if dow is None:
            return None
    return f"cron({minute} {hour} {dom} {month} {dow} *)"


def _rate(duration: str) -> str | None:
    """`@every <duration>` as rate(): whole minutes, hours or days only."""
    seconds = duration_seconds(duration)
    if not seconds or seconds < 60 or seconds % 60:
        return None
    minutes = int(seconds // 60)
    if minutes % 1440 == 0:
        n, unit = minutes // 1440, "day"
    elif minutes % 60 == 0:
        n, unit = minutes // 60, "hour"
    else:
        n, unit = minutes, "minute"
    return f"rate({n} {unit}{'s' if n > 1 else ''})"


def _eventbridge_weekdays(field: str) -> str | None:
    """Unix day-of-week numbers (0 or 7 = Sunday) to EventBridge's (1 = Sunday)."""

    def day(token: str) -> str | None:
        if token.isalpha():
            return token.upper()
        if token.isdigit() and int(token) <= 7:
            return str(int(token) % 7 + 1)
        return None

    out = []
    for part in field.split(","):
        base, _, step = part.partition("/")
        if base == "*":
            mapped = "*"
        elif "-" in base:
            a, b = (day(t) for t in base.split("-", 1))
            if a is None or b is None:
                return None
            mapped = f"{a}-{b}"
        else:
            single = day(base)
            if single is None:
                return None
            mapped = single
        out.append(f"{mapped}/{step}" if step else mapped)
    return ",".join(out)
