"""What is due when: a pure function of (now, one organisation's records, the sent log).

Every kind of notification is a *series* of slots (an action's nudges, a meeting's two reminders, a
contract's expiry warnings, the weekly digest). Per series only the latest slot at or before `now` counts:
it is sent when it is at most `grace` old and its key is not in the sent log; older slots are *folded*
(recorded, and mentioned in the next digest) instead of sent late; slots older than `HORIZON` are ignored.
All dates are local to the organisation's time zone; slots fall at the organisation's digest time of day.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.messages import Reply
from bot.notify import Target
from bot.records import Action, Contract, Meeting, Member
from bot.sections import STEP_ORDER
from bot.values import ValidationError, parse_time
from scheduler import compose
from scheduler.calendar import add_months, at_local, current_meeting, iso_week, week_end, workday_after, workday_before
from scheduler.snapshot import OrgSnapshot

GRACE = timedelta(hours=48)
HORIZON = timedelta(days=30)
NUDGE_BEFORE_DAYS = 3
MEETING_BEFORE_DAYS = (7, 1)
EXPIRY_MONTHS = (12, 6, 3)
EXTENSION_MONTHS = 1
DIGEST_MEETING_DAYS = 14
DIGEST_CONTRACT_MONTHS = 6


@dataclass(frozen=True, slots=True)
class Due:
    key: str
    kind: str
    at: datetime
    """When it was due (UTC)."""
    target: Target
    replies: list[Reply]
    summary: str
    fold: bool = False


@dataclass(frozen=True, slots=True)
class _Slot:
    key: str
    day: date
    at: datetime
    label: str = ""


@dataclass
class _Context:
    now: datetime
    snap: OrgSnapshot
    grace: timedelta

    def __post_init__(self) -> None:
        self.tz = ZoneInfo(self.snap.org.timezone)
        self.today = self.now.astimezone(self.tz).date()
        self.send_time = send_time(self.snap.org.digest_time)
        self.lang = self.snap.org.language

    def slot(self, key: str, day: date, label: str = "") -> _Slot:
        return _Slot(key, day, at_local(day, self.send_time, self.tz), label)

    def member_lang(self, member: Member) -> str:
        return self.snap.langs.get(member.user_id or "", self.lang)


def send_time(text: str) -> time:
    try:
        return parse_time(text)
    except ValidationError:
        return time(9, 0)


def member_target(org_id: str, member: Member | None) -> Target | None:
    """A member's direct chat, when the member is active and linked to a chat user."""
    if member is None or not member.active or not member.user_id or not member.channel:
        return None
    return Target(org_id=org_id, channel=member.channel, to="user", user_id=member.user_id)


def group_target(snap: OrgSnapshot) -> Target | None:
    """The working group's conversation, unless it is unset or the channel said the bot was removed."""
    gc = snap.org.group_conversation
    if not gc or not gc.get("channel") or not gc.get("conversation_id"):
        return None
    for ref in snap.refs:
        if ref.channel == gc["channel"] and ref.conversation_id == gc["conversation_id"] and not ref.active:
            return None
    return Target(org_id=snap.org.org_id, channel=gc["channel"], to="group", conversation_id=gc["conversation_id"])


def coordinator(snap: OrgSnapshot) -> Member | None:
    for m in snap.members:
        if m.position == "coordinator" and m.active:
            return m
    return None


def latest(slots: Iterable[_Slot], now: datetime) -> _Slot | None:
    best: _Slot | None = None
    for s in slots:
        if s.at <= now and (best is None or s.at > best.at):
            best = s
    return best


# -- the series --------------------------------------------------------------------------------------------
def nudge_slots(ctx: _Context, action: Action) -> Iterator[_Slot]:
    """3 days before the deadline, on the day (weekends: the Friday before), then weekly while overdue.

    A snooze drops the slots before `snoozed_until`; an overdue action then restarts its weekly reminders
    on the day the snooze ends.
    """
    deadline = action.deadline
    if deadline is None:
        return
    snooze = action.snoozed_until
    candidates = [ctx.slot(f"nudge:{action.id}:{workday_before(deadline - timedelta(days=NUDGE_BEFORE_DAYS))}",
                           workday_before(deadline - timedelta(days=NUDGE_BEFORE_DAYS)), "soon"),
                  ctx.slot(f"nudge:{action.id}:{workday_before(deadline)}", workday_before(deadline), "today")]
    first = snooze if snooze and snooze > deadline else deadline + timedelta(days=7)
    weeks = max(0, (ctx.today - first).days // 7)
    for k in (weeks - 1, weeks):
        if k >= 0:
            day = workday_after(first + timedelta(days=7 * k))
            candidates.append(ctx.slot(f"nudge:{action.id}:{day}", day, "overdue"))
    for s in candidates:
        if snooze is None or s.day >= snooze:
            yield s


def meeting_slots(ctx: _Context, meeting: Meeting, when: datetime) -> Iterator[_Slot]:
    day = when.astimezone(ctx.tz).date()
    for days in MEETING_BEFORE_DAYS:
        s = ctx.slot(f"meeting:{meeting.id}:{day}:{days}", workday_before(day - timedelta(days=days)), str(days))
        if s.at < when:
            yield s


def expiry_slots(ctx: _Context, contract: Contract) -> Iterator[_Slot]:
    if contract.end is None or contract.end < ctx.today:
        return
    for months in EXPIRY_MONTHS:
        day = workday_before(add_months(contract.end, -months))
        yield ctx.slot(f"expiry:{contract.id}:{months}:{contract.end}", day, str(months))


def extension_slot(ctx: _Context, contract: Contract) -> Iterator[_Slot]:
    decision = contract.extension_decision
    if decision is None or decision < ctx.today:
        return
    day = workday_before(add_months(decision, -EXTENSION_MONTHS))
    yield ctx.slot(f"extension:{contract.id}:{EXTENSION_MONTHS}:{decision}", day, str(EXTENSION_MONTHS))


# -- the computation ---------------------------------------------------------------------------------------
def compute_due(now: datetime, snap: OrgSnapshot, *, grace: timedelta = GRACE,
                extra: Sequence[Due] = ()) -> list[Due]:
    """The notifications due at `now` whose keys are not in `snap.sent`, oldest first, the digest last.

    `extra` are the other features' due notifications (scheduler/sources.py), delivered and folded alike.
    """
    ctx = _Context(now, snap, grace)
    items = [*_nudges(ctx), *_meetings(ctx), *_expiries(ctx), *extra]
    items.sort(key=lambda d: (d.at, d.key))
    digest = _digest_due(ctx, [d for d in items if d.fold])
    if digest is not None:
        items.append(digest)
    return items


def _emit(ctx: _Context, slot: _Slot | None, kind: str, recipients: list[tuple[str, Target, str]],
          build, summary) -> Iterator[Due]:
    """One Due per recipient (key suffix, target, language) that is not in the sent log yet."""
    if slot is None or ctx.now - slot.at > HORIZON:
        return
    fold = ctx.now - slot.at > ctx.grace
    for suffix, target, lang in recipients:
        key = slot.key + suffix
        if key in ctx.snap.sent:
            continue
        yield Due(key=key, kind=kind, at=slot.at, target=target, replies=[] if fold else [build(lang)],
                  summary=summary(ctx.lang), fold=fold)


def _nudges(ctx: _Context) -> Iterator[Due]:
    org_id = ctx.snap.org.org_id
    for action in ctx.snap.actions:
        if action.status != "open":
            continue
        owner = ctx.snap.member(action.owner_id)
        orphan = owner is None or not owner.active
        # an owner the bot cannot reach in chat (typed in by name, never wrote to it): the coordinator passes it on
        unreachable = owner if not orphan and member_target(org_id, owner) is None else None
        recipient = coordinator(ctx.snap) if orphan or unreachable else owner
        target = member_target(org_id, recipient)
        lang = ctx.member_lang(recipient) if recipient is not None else ctx.lang
        if target is None and (orphan or unreachable):
            target = group_target(ctx.snap)
        if target is None:
            continue
        slot = latest(nudge_slots(ctx, action), ctx.now)
        if slot is None:
            continue
        yield from _emit(ctx, slot, "nudge", [("", target, lang)],
                         lambda lang, a=action, s=slot, o=orphan, u=unreachable:
                         compose.nudge(a, s.day, ctx.today, lang, o, u.name if u else None),
                         lambda lang, a=action: compose.action_summary(a, lang, ctx.today))


def agenda(snap: OrgSnapshot, meeting: Meeting) -> list[Action]:
    """The open actions of the meeting itself or of its contract; a meeting of no one contract (the working
    group's own meeting) has the whole open action plan as its agenda."""
    return [a for a in snap.actions if a.status == "open" and (
        meeting.contract_id is None or a.meeting_id == meeting.id or a.contract_id == meeting.contract_id)]


def _meetings(ctx: _Context) -> Iterator[Due]:
    snap, tz, today = ctx.snap, ctx.tz, ctx.today
    for meeting in snap.meetings:
        when = current_meeting(meeting.next_date, meeting.frequency, ctx.now, ctx.tz, meeting.series_start)
        if when is None:
            continue
        slot = latest(meeting_slots(ctx, meeting, when), ctx.now)
        if slot is None:
            continue
        recipients = [(f"@m{m.id}", target, ctx.member_lang(m)) for m in
                      (snap.member(i) for i in meeting.participant_ids)
                      if m is not None and (target := member_target(snap.org.org_id, m)) is not None]
        if not recipients and (group := group_target(snap)) is not None:
            recipients = [("@group", group, ctx.lang)]
        todo = agenda(snap, meeting)
        yield from _emit(ctx, slot, "meeting", recipients,
                         lambda lang, m=meeting, w=when, a=todo: compose.meeting(m, w, tz, a, snap, lang, today),
                         lambda lang, m=meeting, w=when: compose.meeting_summary(m, w, tz, lang, today))


def contract_recipients(ctx: _Context, contract: Contract) -> list[tuple[str, Target, str]]:
    """The contract manager, and the working group: its conversation, or else the coordinator directly."""
    snap = ctx.snap
    group = group_target(snap)
    people = [snap.member(contract.contract_manager_id), None if group is not None else coordinator(snap)]
    recipients: list[tuple[str, Target, str]] = []
    seen: set[int | None] = set()
    for member in people:
        if member is None or member.id in seen:
            continue
        seen.add(member.id)
        if (target := member_target(snap.org.org_id, member)) is not None:
            recipients.append((f"@m{member.id}", target, ctx.member_lang(member)))
    if group is not None:
        recipients.append(("@group", group, ctx.lang))
    return recipients


def late_entry(ctx: _Context, slots: list[_Slot], series: str) -> _Slot | None:
    """The latest slot; but a contract entered after its last warning was due gets that warning once, now.

    Only when no later warning of the series is still to come, and none was ever sent or folded: after
    downtime the usual folding applies.
    """
    slot = latest(slots, ctx.now)
    if slot is None or ctx.now - slot.at <= ctx.grace or any(s.at > ctx.now for s in slots):
        return slot
    if any(key.startswith(series) for key in ctx.snap.sent):
        return slot
    return _Slot(slot.key, ctx.today, ctx.now, slot.label)


def _expiries(ctx: _Context) -> Iterator[Due]:
    snap = ctx.snap
    for contract in snap.contracts:
        recipients = contract_recipients(ctx, contract)
        end_slot = late_entry(ctx, list(expiry_slots(ctx, contract)), f"expiry:{contract.id}:")
        yield from _emit(ctx, end_slot, "expiry", recipients,
                         lambda lang, c=contract, s=end_slot: compose.expiry(c, int(s.label), lang, ctx.today),
                         lambda lang, c=contract: compose.contract_summary(c, lang, ctx.today))
        ext_slot = late_entry(ctx, list(extension_slot(ctx, contract)), f"extension:{contract.id}:")
        yield from _emit(ctx, ext_slot, "extension", recipients,
                         lambda lang, c=contract: compose.extension(c, lang, ctx.today),
                         lambda lang, c=contract: compose.contract_summary(c, lang, ctx.today))


# -- the digest --------------------------------------------------------------------------------------------
def digest_day(ctx: _Context) -> date:
    """The local date of the latest digest slot at or before now."""
    org = ctx.snap.org
    day = ctx.today - timedelta(days=(ctx.today.weekday() - org.digest_weekday) % 7)
    if at_local(day, ctx.send_time, ctx.tz) > ctx.now:
        day -= timedelta(days=7)
    return day


def next_digest_at(now: datetime, snap: OrgSnapshot) -> datetime:
    """The instant of the next digest after `now` (for the timer that wakes the scheduler up)."""
    ctx = _Context(now, snap, GRACE)
    return at_local(digest_day(ctx) + timedelta(days=7), ctx.send_time, ctx.tz)


def digest_target(snap: OrgSnapshot) -> Target | None:
    """The working group's conversation, or else the coordinator directly."""
    return group_target(snap) or member_target(snap.org.org_id, coordinator(snap))


def _digest_due(ctx: _Context, folded_now: list[Due]) -> Due | None:
    snap = ctx.snap
    target = digest_target(snap)
    if target is None:
        return None
    day = digest_day(ctx)
    at = at_local(day, ctx.send_time, ctx.tz)
    key = f"digest:{snap.org.org_id}:{iso_week(day)}"
    if key in snap.sent or ctx.now - at > ctx.grace:
        return None
    reply = build_digest(ctx.now, snap, folded_now=folded_now, day=day, grace=ctx.grace)
    return Due(key=key, kind="digest", at=at, target=target, replies=[reply],
               summary=compose.digest_summary(iso_week(day), ctx.lang))


def next_step(snap: OrgSnapshot) -> str | None:
    """The first sub-step of the walk-through that is neither done nor skipped."""
    status = {j.section: j.status for j in snap.journey}
    for code in STEP_ORDER:
        if status.get(code) not in ("done", "skipped"):
            return code
    return None


def build_digest(now: datetime, snap: OrgSnapshot, *, folded_now: list[Due] | None = None,
                 day: date | None = None, grace: timedelta = GRACE) -> Reply:
    """The weekly digest as it stands at `now` (also what "digest nu" shows)."""
    ctx = _Context(now, snap, grace)
    day = day or ctx.today
    last_digest = max((e.at for e in snap.sent.values() if e.kind == "digest" and e.status == "sent" and e.at),
                      default=None)

    def since_last(status: str) -> list[str]:
        return [e.summary for e in snap.sent.values()
                if e.status == status and e.summary and e.at and (last_digest is None or e.at > last_digest)]

    open_actions = [a for a in snap.actions if a.status == "open"]
    horizon = now + timedelta(days=DIGEST_MEETING_DAYS)
    meetings = []
    for m in snap.meetings:
        when = current_meeting(m.next_date, m.frequency, now, ctx.tz, m.series_start)
        if when is not None and when <= horizon:
            meetings.append((when, m))
    limit = add_months(ctx.today, DIGEST_CONTRACT_MONTHS)
    contracts = [c for c in snap.contracts
                 if any(d is not None and ctx.today <= d <= limit for d in (c.end, c.extension_decision))]
    data = compose.DigestData(
        week=iso_week(day), org_name=snap.org.name, today=ctx.today, week_end=week_end(ctx.today), tz=ctx.tz,
        actions=open_actions, members={m.id: m for m in snap.members if m.id is not None},
        meetings=sorted(meetings, key=lambda x: x[0]), contracts=contracts, next_step=next_step(snap),
        folded=since_last("folded") + [d.summary for d in folded_now or []],
        failed=since_last("failed"),
        unreachable=[r for r in snap.refs if not r.active],
        sections=[text for section in snap.sections if (text := section(ctx.lang))],
    )
    return compose.digest(data, ctx.lang)
