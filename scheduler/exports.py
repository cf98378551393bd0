"""Exports on request: the action plan as Markdown and CSV, the progress meetings as an iCalendar file."""

from __future__ import annotations

import calendar as _cal
import csv
import io
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import t
from bot.records import Action, Contract, Meeting, Member
from scheduler.calendar import FREQUENCY_STEP
from scheduler.due import agenda
from scheduler.snapshot import OrgSnapshot

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
MEETING_LENGTH = timedelta(hours=1)


def _rrule(meeting: Meeting, tz: ZoneInfo) -> dict[str, Any] | None:
    """The repeat rule of a meeting series as the bot counts it (scheduler.calendar.meeting_on): the agreed
    weekday, or the agreed day of the month where a Saturday or Sunday moves on to the Monday ("the first
    workday of days D, D+1, D+2"). Where D+2 can pass the end of a month the series meets in (from the
    27th in a monthly series, for February), the file keeps to day D: in a month where D falls on a
    weekend, or does not exist, the bot's date (the Monday after; the month's last day) then differs."""
    step = FREQUENCY_STEP.get(meeting.frequency)
    start = meeting.series_start or meeting.next_date
    if step is None or start is None:
        return None
    months, days = step
    day = start.astimezone(tz).date()
    if not months:
        if day.weekday() < 5:
            return {"FREQ": "WEEKLY", "INTERVAL": days // 7}
        # agreed on a weekend day: the later ones are on the Monday after it, every `days` counted from it
        return {"FREQ": "WEEKLY", "INTERVAL": days // 7, "BYDAY": "MO", "WKST": WEEKDAYS[day.weekday()]}
    shortest = min(_cal.monthrange(2027, (day.month - 1 + k * months) % 12 + 1)[1] for k in range(12))
    if day.day + 2 > shortest:  # a moved date could fall in the next month: no rule says that
        return {"FREQ": "MONTHLY", "INTERVAL": months, "BYMONTHDAY": day.day}
    return {"FREQ": "MONTHLY", "INTERVAL": months, "BYMONTHDAY": [day.day, day.day + 1, day.day + 2],
            "BYDAY": WEEKDAYS[:5], "BYSETPOS": 1}


def _skipped(first: date, rule: dict[str, Any]) -> date | None:
    """A first meeting on a weekend day (as agreed) is followed by the rule's Monday right after it, which
    is no meeting: the next one comes a whole step later."""
    if first.weekday() < 5 or rule.get("BYDAY") is None:
        return None
    return first + timedelta(days=7 - first.weekday())


def _ordered(actions: list[Action]) -> list[Action]:
    return sorted(actions, key=lambda a: (a.status != "open", a.deadline is None, a.deadline or datetime.min.date(),
                                          a.id or 0))


def _names(snap: OrgSnapshot) -> tuple[dict[int, Member], dict[int, Contract]]:
    return ({m.id: m for m in snap.members if m.id is not None},
            {c.id: c for c in snap.contracts if c.id is not None})


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def actions_markdown(snap: OrgSnapshot, lang: str) -> bytes:
    members, contracts = _names(snap)
    cols = [t(f"sched.export.col.{c}", lang) for c in ("id", "title", "owner", "deadline", "status", "contract")]
    out = [f"# {t('sched.export.title', lang, org=snap.org.name or snap.org.org_id)}", "",
           "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in _rows(snap, lang, members, contracts):
        out.append("| " + " | ".join(_md_cell(v) for v in row) + " |")
    return ("\n".join(out) + "\n").encode("utf-8")


def _safe_csv(value: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def actions_csv(snap: OrgSnapshot, lang: str) -> bytes:
    members, contracts = _names(snap)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";" if lang == "nl" else ",")
    writer.writerow([t(f"sched.export.col.{c}", lang) for c in
                     ("id", "title", "owner", "deadline", "status", "contract")])
    for row in _rows(snap, lang, members, contracts):
        writer.writerow([_safe_csv(v) for v in row])
    return buf.getvalue().encode("utf-8-sig")


def _rows(snap: OrgSnapshot, lang: str, members: dict[int, Member], contracts: dict[int, Contract]) -> list[list[str]]:
    rows = []
    for a in _ordered(snap.actions):
        owner = members.get(a.owner_id) if a.owner_id is not None else None
        contract = contracts.get(a.contract_id) if a.contract_id is not None else None
        rows.append([str(a.id), a.title, owner.name if owner else "", a.deadline.isoformat() if a.deadline else "",
                     str(t(f"sched.export.status.{a.status}", lang)), contract.label if contract else ""])
    return rows


def meetings_ics(snap: OrgSnapshot, now: datetime, lang: str) -> bytes:
    """One event per progress meeting, repeating by its frequency, in the organisation's time zone."""
    from icalendar import Calendar, Event  # on first use: a tenth of a second off every start-up

    tz = ZoneInfo(snap.org.timezone)
    cal = Calendar()
    cal.add("prodid", "-//Partnerbot//Voortgangsoverleggen//NL")
    cal.add("version", "2.0")
    cal.add("x-wr-timezone", snap.org.timezone)
    members, _ = _names(snap)
    for m in snap.meetings:
        if m.next_date is None:
            continue
        start = m.next_date.astimezone(tz)
        event = Event()
        event.add("uid", f"meeting-{m.id}-{snap.org.org_id}@partnerbot")
        event.add("dtstamp", now)
        if m.time_set:
            event.add("dtstart", start)
            event.add("dtend", start + MEETING_LENGTH)
        else:  # only a date was agreed: an all-day event, no made-up time
            event.add("dtstart", start.date())
            event.add("dtend", start.date() + timedelta(days=1))
        event.add("summary", m.title)
        rule = _rrule(m, tz)
        if rule:
            event.add("rrule", rule)
            skipped = _skipped(start.date(), rule)
            if skipped is not None:
                event.add("exdate", datetime.combine(skipped, start.timetz()) if m.time_set else skipped)
        items = agenda(snap, m)
        if items:
            lines = [f"- #{a.id} {a.title}" for a in items]
            event.add("description", str(t("sched.export.agenda", lang)) + "\n" + "\n".join(lines))
        for pid in m.participant_ids:
            if pid in members:
                event.add("attendee", f"urn:partnerbot:member:{pid}", parameters={"CN": members[pid].name})
        cal.add_component(event)
    cal.add_missing_timezones()  # a VTIMEZONE for Europe/Amsterdam etc., so Outlook places the time right
    return cal.to_ical()
