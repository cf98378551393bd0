"""Reporting periods of a monitoring plan and the banenafspraak job unit (pure date arithmetic).

A plan's periods follow each other from `start_period` at the plan's frequency; period n starts
`n × months` calendar months after the first (the day clamped to the month's length) and ends the
day before the next one starts. Weeks in a period are its days ÷ 7, so a 29-day February counts
4.14 weeks and a leap year's first half year 182 days.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

# One job ("baan") in the banenafspraak counts as 25.5 paid hours per week. Source: the
# banenafspraak's standard job unit (Wet banenafspraak en quotum arbeidsbeperkten; listed under
# "related facts" in handbook/SECTIONS.md). Jobs = paid hours ÷ (25.5 × weeks in the period).
JOB_HOURS_PER_WEEK = 25.5

FREQUENCY_MONTHS = {"month": 1, "quarter": 3, "halfyear": 6}


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True, slots=True)
class Period:
    """One reporting period, `start` to `end` inclusive."""

    start: date
    end: date
    months: int
    """The length in calendar months, or 0 for an irregular span."""

    @classmethod
    def between(cls, start: date, end: date) -> Period:
        """The period from `start` to `end`, recognising whole months, quarters and half years."""
        for months in FREQUENCY_MONTHS.values():
            if add_months(start, months) - timedelta(days=1) == end:
                return cls(start, end, months)
        return cls(start, end, 0)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def weeks(self) -> float:
        return self.days / 7

    @property
    def key(self) -> str:
        return self.start.isoformat()

    @property
    def calendar_aligned(self) -> bool:
        """Starts on the first of a month that opens a calendar month, quarter or half year."""
        return self.months > 0 and self.start.day == 1 and (self.start.month - 1) % self.months == 0

    def overlap_days(self, start: date, end: date) -> int:
        first, last = max(self.start, start), min(self.end, end)
        return max(0, (last - first).days + 1)


def period_at(start: date, frequency: str, index: int) -> Period:
    months = FREQUENCY_MONTHS[frequency]
    first = add_months(start, index * months)
    nxt = add_months(start, (index + 1) * months)
    return Period(first, nxt - timedelta(days=1), months)


def period_index(start: date, frequency: str, day: date) -> int | None:
    """The index of the period that contains `day`, or None before the first period."""
    if day < start:
        return None
    months = FREQUENCY_MONTHS[frequency]
    index = ((day.year - start.year) * 12 + day.month - start.month) // months
    # the clamped start can lie after `day` in the same month: step back; or before the next: step on
    while period_at(start, frequency, index).start > day:
        index -= 1
    while period_at(start, frequency, index).end < day:
        index += 1
    return index


def period_containing(start: date, frequency: str, day: date) -> Period | None:
    index = period_index(start, frequency, day)
    return None if index is None else period_at(start, frequency, index)


def period_starting(start: date, frequency: str, day: date) -> Period | None:
    """The plan's period that starts on `day`, or None when no period starts that day."""
    found = period_containing(start, frequency, day)
    return found if found is not None and found.start == day else None


def ended_periods(start: date, frequency: str, today: date) -> list[Period]:
    """Every period that ended before `today`, oldest first."""
    current = period_index(start, frequency, today)
    if current is None:
        return []
    return [period_at(start, frequency, i) for i in range(current)]


def last_ended(start: date, frequency: str, today: date) -> Period | None:
    index = period_index(start, frequency, today)
    if not index:
        return None
    return period_at(start, frequency, index - 1)


def calendar_quarters(first: date, last: date) -> Iterator[Period]:
    """The calendar quarters that touch `first`..`last`, in order."""
    day = date(first.year, (first.month - 1) // 3 * 3 + 1, 1)
    while day <= last:
        nxt = add_months(day, 3)
        yield Period(day, nxt - timedelta(days=1), 3)
        day = nxt


def jobs(hours: float, weeks: float) -> float:
    """Jobs in the banenafspraak sense: paid hours ÷ (25.5 × weeks)."""
    if weeks <= 0:
        return 0.0
    return hours / (JOB_HOURS_PER_WEEK * weeks)
