"""Local-time arithmetic for the scheduler: wall-clock instants across DST, months, workdays, ISO weeks."""

from __future__ import annotations

import calendar as _cal
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

FREQUENCY_STEP = {"weekly": (0, 7), "biweekly": (0, 14), "monthly": (1, 0), "quarterly": (3, 0),
                  "halfyearly": (6, 0), "yearly": (12, 0)}
"""Meeting frequency → (months, days) to the next meeting."""

_DAYS = {"nl": ("ma", "di", "wo", "do", "vr", "za", "zo"), "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
_MONTHS = {"nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
           "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")}


def at_local(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a local date: 09:00 stays 09:00 on both sides of a DST change."""
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = _cal.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def workday_before(day: date) -> date:
    """Saturday and Sunday move back to Friday: a reminder that must come before a date."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def workday_after(day: date) -> date:
    """Saturday and Sunday move on to Monday: a reminder that comes after a date."""
    return day + timedelta(days=(7 - day.weekday()) if day.weekday() >= 5 else 0)


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_end(day: date) -> date:
    """The Sunday of `day`'s ISO week."""
    return day + timedelta(days=6 - day.weekday())


def meeting_on(start: datetime, frequency: str, k: int, tz: ZoneInfo) -> datetime | None:
    """The `k`-th meeting of a series agreed to start at `start` (k = 0 is `start` itself), at the same local
    wall-clock time; None past the only one of a one-off meeting.

    Every date is counted from the start, not from the meeting before: a date that falls on a Saturday or
    Sunday moves on to the Monday (nobody meets on a Sunday), and the one after is on the agreed day again."""
    if k == 0:
        return start
    step = FREQUENCY_STEP.get(frequency)
    if step is None:
        return None
    local = start.astimezone(tz)
    day = workday_after(add_months(local.date(), k * step[0]) + timedelta(days=k * step[1]))
    return at_local(day, local.time().replace(tzinfo=None), tz)


def current_meeting(when: datetime | None, frequency: str, now: datetime, tz: ZoneInfo,
                    start: datetime | None = None) -> datetime | None:
    """The meeting's next occurrence at or after `now`: `when` (its stored next date) while that is still
    ahead, else the series' first date at or after `now`, counted from `start` (the agreed first meeting;
    `when` for a meeting stored before the start was kept)."""
    if when is None:
        return None
    if when >= now:
        return when
    start = start or when
    step = FREQUENCY_STEP.get(frequency)
    if step is None:
        return None
    # skip ahead without overshooting: a step is at most 31 days a month, a weekend moves a date 2 days on
    first = max(0, ((now - start).days - 3) // (step[0] * 31 + step[1]))
    for k in range(first, first + 2000):
        following = meeting_on(start, frequency, k, tz)
        if following is not None and following >= now:
            return following
    return None


def fmt_date(day: date, lang: str, today: date | None = None) -> str:
    """'wo 2 dec' / 'Wed 2 Dec'; the year is added when it is not this year."""
    lang = lang if lang in _DAYS else "nl"
    text = f"{_DAYS[lang][day.weekday()]} {day.day} {_MONTHS[lang][day.month - 1]}"
    if today is None or today.year != day.year:
        text += f" {day.year}"
    return text


def fmt_when(instant: datetime, tz: ZoneInfo, lang: str, today: date | None = None, with_time: bool = True) -> str:
    """'wo 2 dec 10:00'; only the date when no time was agreed."""
    local = instant.astimezone(tz)
    text = fmt_date(local.date(), lang, today)
    return f"{text} {local:%H:%M}" if with_time else text
