"""The scheduler's messages (digest, nudges, meeting reminders, contract warnings) as neutral Replies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.i18n import register_texts, t
from bot.markdown import Md
from bot.messages import Choice, Reply
from bot.records import Action, Contract, ConversationRef, Meeting, Member
from bot.sections import title as section_title
from scheduler.calendar import fmt_date, fmt_when

if TYPE_CHECKING:
    from scheduler.snapshot import OrgSnapshot

register_texts(Path(__file__).with_name("texts.yaml"))

MAX_LINES = 12
"""Per digest section; the rest is summed up as "and N more"."""


def lines(items: list[Md], lang: str, limit: int = MAX_LINES, bullet: bool = True) -> Md:
    """A Markdown list of at most `limit` items (the rest summed up)."""
    shown = [Md(f"- {i}") for i in items[:limit]] if bullet else items[:limit]
    if len(items) > limit:
        shown.append(t("sched.more", lang, count=len(items) - limit))
    return Md("\n".join(shown))


def action_buttons(action: Action, lang: str) -> list[Choice]:
    return [Choice(t("sched.button.done", lang), f"sched:done:{action.id}"),
            Choice(t("sched.button.snooze", lang), f"sched:snooze:{action.id}"),
            Choice(t("sched.button.deadline", lang), f"sched:deadline:{action.id}")]


def advice_buttons(lang: str, extension_first: bool) -> list[Choice]:
    tender = Choice(t("sched.button.tender", lang), "flow:start:2A")
    extend = Choice(t("sched.button.extend", lang), "flow:start:2B")
    return [extend, tender] if extension_first else [tender, extend]


# -- nudges -----------------------------------------------------------------------------------------------
def nudge(action: Action, day: date, today: date, lang: str, orphan: bool = False,
          on_behalf_of: str | None = None) -> Reply:
    """The reminder sent on `day` for an action's deadline (before, on the day, or overdue).

    An action without an owner, or whose owner (`on_behalf_of`) the bot cannot reach in chat, is sent to
    the coordinator (or the working group), saying so."""
    assert action.deadline is not None
    deadline = action.deadline
    params = {"id": action.id, "title": action.title, "date": fmt_date(deadline, lang, today)}
    if deadline == day:
        text = t("sched.nudge.today", lang, **params)
    elif deadline > day:
        text = t("sched.nudge.soon", lang, days=(deadline - day).days, **params)
    else:
        text = t("sched.nudge.overdue", lang, **params)
    if orphan:
        text = Md(f"{text} {t('sched.nudge.no_owner', lang)}")
    elif on_behalf_of:
        text = Md(f"{text} {t('sched.nudge.for_owner', lang, name=on_behalf_of)}")
    return Reply(text=text, section="1d", choices=action_buttons(action, lang))


def action_line(action: Action, lang: str, today: date) -> Md:
    if action.deadline is None:
        return t("sched.line.action_open", lang, id=action.id, title=action.title)
    key = "sched.line.action_overdue" if action.deadline < today else "sched.line.action"
    return t(key, lang, id=action.id, title=action.title, date=fmt_date(action.deadline, lang, today))


def action_summary(action: Action, lang: str, today: date) -> str:
    return str(action_line(action, lang, today))


# -- meetings ---------------------------------------------------------------------------------------------
def meeting(m: Meeting, when: datetime, tz: ZoneInfo, agenda: list[Action], snap: OrgSnapshot, lang: str,
            today: date) -> Reply:
    days = (when.astimezone(tz).date() - today).days
    head = t("sched.meeting.tomorrow" if days == 1 else "sched.meeting.soon", lang, title=m.title,
             when=fmt_when(when, tz, lang, today, m.time_set), days=days)
    if agenda:
        items = [owner_suffix(action_line(a, lang, today), snap.member(a.owner_id), lang) for a in agenda]
        body = t("sched.meeting.agenda", lang, lines=lines(items, lang))
    else:
        body = t("sched.meeting.no_agenda", lang)
    return Reply(text=Md(f"{head}\n{body}"), section="4a",
                 choices=[Choice(t("sched.button.export_meetings", lang), "sched:export:meetings")])


def owner_suffix(line: Md, owner: Member | None, lang: str) -> Md:
    return Md(f"{line} ({t('sched.line.owner', lang, name=owner.name)})") if owner else line


def meeting_line(m: Meeting, when: datetime, tz: ZoneInfo, lang: str, today: date) -> Md:
    return t("sched.line.meeting", lang, title=m.title, when=fmt_when(when, tz, lang, today, m.time_set))


def meeting_summary(m: Meeting, when: datetime, tz: ZoneInfo, lang: str, today: date) -> str:
    return str(meeting_line(m, when, tz, lang, today))


# -- contracts --------------------------------------------------------------------------------------------
def expiry(c: Contract, months: int, lang: str, today: date) -> Reply:
    assert c.end is not None
    days = (c.end - today).days
    key = "sched.expiry.end_soon" if days < months * 28 else "sched.expiry.end"  # entered late: say how soon
    text = t(key, lang, name=c.label, supplier=c.supplier, date=fmt_date(c.end, lang, today), months=months,
             days=days)
    return Reply(text=text, section="2Ba", choices=advice_buttons(lang, extension_first=False))


def extension(c: Contract, lang: str, today: date) -> Reply:
    assert c.extension_decision is not None
    text = t("sched.expiry.extension", lang, name=c.label, supplier=c.supplier,
             date=fmt_date(c.extension_decision, lang, today))
    return Reply(text=text, section="2Ba", choices=advice_buttons(lang, extension_first=True))


def contract_line(c: Contract, lang: str, today: date) -> Md:
    parts = []
    if c.end is not None:
        parts.append(t("sched.line.contract_end", lang, date=fmt_date(c.end, lang, today)))
    if c.extension_decision is not None and c.extension_decision >= today:
        parts.append(t("sched.line.contract_decision", lang, date=fmt_date(c.extension_decision, lang, today)))
    return t("sched.line.contract", lang, name=c.label, supplier=c.supplier, dates=Md(", ".join(parts)))


def contract_summary(c: Contract, lang: str, today: date) -> str:
    return str(contract_line(c, lang, today))


# -- the digest -------------------------------------------------------------------------------------------
@dataclass
class DigestData:
    week: str
    org_name: str
    today: date
    week_end: date
    tz: ZoneInfo
    actions: list[Action]
    members: dict[int, Member]
    meetings: list[tuple[datetime, Meeting]]
    contracts: list[Contract]
    next_step: str | None
    folded: list[str]
    failed: list[str]
    unreachable: list[ConversationRef]
    sections: list[Md] = field(default_factory=list)
    """Sections from other features (e.g. monitoring), shown after the contracts."""


def digest_summary(week: str, lang: str) -> str:
    return str(t("sched.digest.summary", lang, week=week))


def _by_owner(d: DigestData, lang: str) -> list[Md]:
    def order(a: Action) -> tuple[bool, date, int]:
        return (not (a.deadline is not None and a.deadline < d.today), a.deadline or date.max, a.id or 0)

    groups: dict[str, list[Action]] = {}
    for a in sorted(d.actions, key=order):
        owner = d.members.get(a.owner_id) if a.owner_id is not None else None
        groups.setdefault(owner.name if owner else str(t("sched.digest.no_owner", lang)), []).append(a)
    out: list[Md] = []
    for name, acts in sorted(groups.items(), key=lambda g: order(g[1][0])):
        out.append(t("sched.digest.owner", lang, name=name))
        out.extend(Md(f"- {action_line(a, lang, d.today)}") for a in acts[:5])
        if len(acts) > 5:
            out.append(t("sched.more", lang, count=len(acts) - 5))
    return out


def digest(d: DigestData, lang: str) -> Reply:
    week_label = d.week.split("-W")[-1].lstrip("0")
    name = d.org_name or ""
    sections: list[Md] = []
    due_week = [a for a in d.actions if a.deadline is not None and d.today <= a.deadline <= d.week_end]
    if d.actions:
        sections.append(Md(t("sched.digest.open", lang, count=len(d.actions)) + "\n" +
                           lines(_by_owner(d, lang), lang, limit=3 * MAX_LINES, bullet=False)))
    if due_week:
        sections.append(Md(t("sched.digest.this_week", lang) + "\n" + lines(
            [action_line(a, lang, d.today) for a in sorted(due_week, key=lambda a: a.deadline or d.today)], lang)))
    if d.meetings:
        sections.append(Md(t("sched.digest.meetings", lang) + "\n" + lines(
            [meeting_line(m, w, d.tz, lang, d.today) for w, m in d.meetings], lang)))
    if d.contracts:
        sections.append(Md(t("sched.digest.contracts", lang) + "\n" + lines(
            [contract_line(c, lang, d.today) for c in d.contracts], lang)))
    sections.extend(d.sections)
    if d.folded:
        sections.append(Md(t("sched.digest.folded", lang) + "\n" + lines([Md(s) for s in d.folded], lang)))
    if d.failed:
        sections.append(Md(t("sched.digest.failed", lang) + "\n" + lines([Md(s) for s in d.failed], lang)))
    if d.unreachable:
        sections.append(Md(t("sched.digest.unreachable", lang) + "\n" + lines(
            [t("sched.line.unreachable", lang, name=r.name or r.conversation_id, channel=r.channel)
             for r in d.unreachable], lang)))
    choices: list[Choice] = []
    if d.next_step is not None and (sections or d.next_step != "1a"):
        sections.append(t("sched.digest.next_step", lang, step=section_title(d.next_step, lang)))
        choices.append(Choice(t("sched.button.resume", lang), "flow:resume"))
    if not sections:
        return Reply(text=t("sched.digest.quiet", lang, week=week_label, org=name), section="1d")
    if d.actions:
        choices.insert(0, Choice(t("sched.button.my_actions", lang), "sched:list:mine"))
    head = t("sched.digest.title", lang, week=week_label, org=f" – {name}" if name else "")
    return Reply(text=Md(head + "\n\n" + "\n\n".join(sections)), section="1d", choices=choices)
