"""Scheduled scaling in the cost model: time-weighted task counts over a week."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from offline.cost import estimate
from offline.schedule import Action, _firings, weekly
from tests.support import mutate, plan_config
from tests.test_cost import HOURS, line, us_config

NIGHT = Action("cron(0 20 ? * * *)", "Asia/Seoul", 0, 0)
MORNING = Action("cron(0 8 ? * MON-FRI *)", "Asia/Seoul", 1, 2)


def test_office_hours_on_weekdays_are_60_of_168_hours():
    week = weekly(1, 1, 2, [NIGHT, MORNING])
    assert week is not None
    assert week.baseline == pytest.approx(60 / 168)
    assert week.low == pytest.approx(60 / 168)
    assert week.high == pytest.approx(2 * 60 / 168)
    assert week.windows == ((0, 0, 108.0), (1, 2, 60.0))
    assert week.describe() == "scheduled 0..0 for 108 h, 1..2 for 60 h a week"


def test_the_time_zone_moves_the_firings_not_the_shares():
    utc = weekly(
        1, 1, 2, [Action(NIGHT.schedule, "UTC", 0, 0), Action(MORNING.schedule, "UTC", 1, 2)]
    )
    assert utc is not None and utc.windows == weekly(1, 1, 2, [NIGHT, MORNING]).windows  # type: ignore[union-attr]


def test_desired_count_is_held_inside_the_range_in_force():
    # desired 4; 12 h a day capped at 2, the other 12 h floor 6
    cap = Action("cron(0 0 * * ? *)", None, 0, 2)
    floor = Action("cron(0 12 * * ? *)", None, 6, 10)
    week = weekly(4, 1, 10, [cap, floor])
    assert week is not None
    assert week.baseline == pytest.approx((2 + 6) / 2)
    assert (week.low, week.high) == (pytest.approx(3), pytest.approx(6))


def test_an_action_that_sets_only_min_keeps_the_max_in_force():
    raise_floor = Action("cron(0 9 ? * MON *)", None, 3, None)
    drop_floor = Action("cron(0 9 ? * TUE *)", None, 1, None)
    week = weekly(1, 1, 5, [raise_floor, drop_floor])
    assert week is not None
    assert week.baseline == pytest.approx((3 * 24 + 1 * 144) / 168)
    assert week.high == pytest.approx(5)


@pytest.mark.parametrize(
    "schedule",
    [
        "rate(1 day)",
        "at(2026-12-24T18:00:00)",
        "cron(0 8 1 * ? *)",  # day of month
        "cron(0 8 ? 12 MON *)",  # month
        "cron(0 8 ? * 6L *)",  # last Friday
        "cron(0 8 ? * MON#1 *)",  # first Monday
        "cron(0 8 ? * MON 2027)",  # year
        "cron(0 25 ? * * *)",  # no such hour
    ],
)
def test_schedules_that_are_not_weekly_are_not_modelled(schedule):
    assert weekly(1, 1, 2, [Action(schedule, "UTC", 0, 0)]) is None


def test_increments_lists_and_day_names_are_expanded():
    # 00:15, 06:15, 12:15, 18:15 UTC on Mondays and Wednesdays (the reference week starts Monday)
    fired = _firings(Action("cron(15 0/6 ? * MON,WED *)", "UTC", 1, 1))
    day = 24 * 60
    assert fired == [d + h * 60 + 15 for d in (0, 2 * day) for h in (0, 6, 12, 18)]
    # Seoul is UTC+9: 08:00 on Monday in Seoul is 23:00 UTC on Sunday, the week's last day
    assert _firings(Action("cron(0 8 ? * 2 *)", "Asia/Seoul", 1, 1)) == [6 * day + 23 * 60]


@given(
    desired=st.integers(0, 20),
    lo=st.integers(0, 10),
    spread=st.integers(0, 10),
    hours=st.lists(st.integers(0, 23), min_size=1, max_size=4, unique=True),
    counts=st.lists(st.tuples(st.integers(0, 10), st.integers(0, 10)), min_size=4, max_size=4),
)
def test_the_baseline_lies_between_the_averaged_min_and_max(desired, lo, spread, hours, counts):
    actions = [
        Action(f"cron(0 {hour} * * ? *)", "Europe/Berlin", min(a, b), max(a, b))
        for hour, (a, b) in zip(hours, counts, strict=False)
    ]
    week = weekly(desired, lo, lo + spread, actions)
    assert week is not None
    assert week.low - 1e-9 <= week.baseline <= week.high + 1e-9
    assert sum(w[2] for w in week.windows) == pytest.approx(168, abs=0.1 * len(week.windows))


# -- in the cost report ------------------------------------------------------------------------


def scheduled(cfg):
    scaling = {
        "minCount": 1,
        "maxCount": 2,
        "cpuTarget": 70,
        "schedules": [
            {"name": "night", "schedule": "cron(0 20 ? * * *)", "timezone": "Asia/Seoul",
             "minCount": 0, "maxCount": 0},
            {"name": "morning", "schedule": "cron(0 8 ? * MON-FRI *)",
             "timezone": "Asia/Seoul", "minCount": 1, "maxCount": 2},
        ],
    }  # fmt: skip
    cfg = mutate(cfg, "services.web.desiredCount", 1)
    return mutate(cfg, "services.web.autoscaling", scaling)


def test_a_service_scaled_to_zero_at_night_is_priced_for_its_office_hours():
    rep = estimate(plan_config(scheduled(us_config())))
    fargate = line(
        rep, "web: 0.36 tasks avg x 0.5 vCPU / 1 GB X86_64 (autoscaling 1..2, on a schedule)"
    )
    task_month = (0.5 * 0.04048 + 1 * 0.004445) * HOURS
    assert fargate.monthly_usd == pytest.approx(task_month * 60 / 168)
    assert fargate.min_usd == pytest.approx(task_month * 60 / 168)
    assert fargate.max_usd == pytest.approx(2 * task_month * 60 / 168)
    assert "scheduled 0..0 for 108 h, 1..2 for 60 h a week: 0.36 tasks on average" in fargate.basis


def test_public_task_addresses_follow_the_schedule_too():
    cfg = mutate(scheduled(us_config()), "services.web.assignPublicIp", True)
    cfg = mutate(cfg, "network.natGateways", "none")
    address = line(estimate(plan_config(cfg)), "web: public IPv4 per task")
    assert address.monthly_usd == pytest.approx(0.005 * HOURS * 60 / 168)


def test_a_schedule_that_is_not_weekly_prices_the_desired_count_and_says_so():
    cfg = scheduled(us_config())
    cfg = mutate(cfg, "services.web.autoscaling.schedules.0.schedule", "rate(12 hours)")
    fargate = line(estimate(plan_config(cfg)), "web: 1 task x")
    assert fargate.monthly_usd == pytest.approx((0.5 * 0.04048 + 1 * 0.004445) * HOURS)
    assert "scheduled actions not modelled (not a weekly cron)" in fargate.basis
    assert "on a schedule" not in fargate.item
