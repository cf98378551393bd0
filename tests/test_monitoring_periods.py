"""Reporting periods and the banenafspraak job unit: months, quarters and half years, leap years included."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitoring.formatting import period_label
from monitoring.periods import (
    JOB_HOURS_PER_WEEK,
    Period,
    add_months,
    ended_periods,
    jobs,
    last_ended,
    period_at,
    period_containing,
)

# (first day of the plan, frequency, which period, its first day, its last day, days in it)
PERIODS = [
    (date(2027, 2, 1), "month", 0, date(2027, 2, 1), date(2027, 2, 28), 28),
    (date(2028, 2, 1), "month", 0, date(2028, 2, 1), date(2028, 2, 29), 29),      # leap February
    (date(2028, 1, 1), "month", 1, date(2028, 2, 1), date(2028, 2, 29), 29),
    (date(2026, 7, 1), "month", 0, date(2026, 7, 1), date(2026, 7, 31), 31),
    (date(2027, 1, 1), "quarter", 0, date(2027, 1, 1), date(2027, 3, 31), 90),
    (date(2028, 1, 1), "quarter", 0, date(2028, 1, 1), date(2028, 3, 31), 91),    # leap Q1
    (date(2026, 1, 1), "quarter", 2, date(2026, 7, 1), date(2026, 9, 30), 92),
    (date(2026, 1, 1), "quarter", 3, date(2026, 10, 1), date(2026, 12, 31), 92),
    (date(2027, 1, 1), "halfyear", 0, date(2027, 1, 1), date(2027, 6, 30), 181),
    (date(2028, 1, 1), "halfyear", 0, date(2028, 1, 1), date(2028, 6, 30), 182),  # leap H1
    (date(2027, 1, 1), "halfyear", 1, date(2027, 7, 1), date(2027, 12, 31), 184),
    (date(2027, 12, 1), "quarter", 0, date(2027, 12, 1), date(2028, 2, 29), 91),  # across a leap year's start
    (date(2028, 1, 31), "month", 1, date(2028, 2, 29), date(2028, 3, 30), 31),    # the 31st clamps to the 29th
]


@pytest.mark.parametrize(("start", "frequency", "index", "first", "last", "days"), PERIODS)
def test_periods_and_jobs(start, frequency, index, first, last, days):
    period = period_at(start, frequency, index)
    assert (period.start, period.end, period.days) == (first, last, days)
    assert period.weeks == pytest.approx(days / 7)
    # three full jobs' worth of hours in exactly this period is three jobs, whatever its length
    assert jobs(JOB_HOURS_PER_WEEK * days / 7 * 3, period.weeks) == pytest.approx(3)
    # the same hours in a period one day longer are fewer jobs
    assert jobs(JOB_HOURS_PER_WEEK * days / 7 * 3, (days + 1) / 7) < 3


def test_job_unit_is_the_banenafspraak_figure():
    assert JOB_HOURS_PER_WEEK == 25.5
    assert jobs(25.5 * 13, 13) == pytest.approx(1)
    assert jobs(100, 0) == 0


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 3, 15), -6) == date(2025, 9, 15)


@given(start=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
       frequency=st.sampled_from(["month", "quarter", "halfyear"]),
       offset=st.integers(min_value=0, max_value=3000))
def test_periods_follow_each_other_and_contain_each_day(start, frequency, offset):
    day = start + timedelta(days=offset)
    period = period_containing(start, frequency, day)
    assert period is not None and period.start <= day <= period.end
    following = period_containing(start, frequency, period.end + timedelta(days=1))
    assert following is not None and following.start == period.end + timedelta(days=1)
    ended = ended_periods(start, frequency, day)
    assert all(p.end < day for p in ended)
    assert (ended[-1] if ended else None) == last_ended(start, frequency, day)


def test_nothing_has_ended_before_the_first_period_is_over():
    assert period_containing(date(2027, 1, 1), "quarter", date(2026, 12, 31)) is None
    assert last_ended(date(2027, 1, 1), "quarter", date(2027, 3, 31)) is None
    assert last_ended(date(2027, 1, 1), "quarter", date(2027, 4, 1)) == period_at(date(2027, 1, 1), "quarter", 0)


@pytest.mark.parametrize(("period", "nl", "en"), [
    (Period.between(date(2026, 11, 1), date(2026, 11, 30)), "november 2026", "November 2026"),
    (Period.between(date(2026, 10, 1), date(2026, 12, 31)), "Q4 2026", "Q4 2026"),
    (Period.between(date(2028, 1, 1), date(2028, 6, 30)), "H1 2028", "H1 2028"),
    (Period.between(date(2026, 11, 15), date(2027, 2, 14)), "15 november 2026 – 14 februari 2027",
     "15 November 2026 – 14 February 2027"),
])
def test_period_names(period, nl, en):
    assert period_label(period, "nl") == nl
    assert period_label(period, "en") == en
