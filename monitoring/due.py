"""What the monitoring cycle has due (pure): a function of (now, the organisation's records, the sent log).

- `monitor:<plan>:<period>` the period-end prompt with the report form, to the reporter, at 09:00 local
  time on the day after the period ends (only the latest ended period; older gaps show in the results);
- `monitor-later:<plan>:<period>:<when>` the prompt again after "remind me later";
- `monitor-remind:<plan>:<period>` a reminder 7 days after the prompt went out without an answer;
- `monitor-escalate:<plan>:<period>` the coordinator is told once, 14 days after the prompt;
- `monitor-eval:<plan>:<date>` the evaluation questions to the working group each year after the
  first period started (within a month of that date, so a late set-up does not dig up old ones);
- `monitor-eval-expiry:<contract>:<end>` the evaluation questions 6 months before a monitored
  contract ends, when the scheduler's expiry warnings start preparing the next tender.
The scheduler delivers each key once and keeps the sent log; reminders count from when the prompt
was actually sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import t
from bot.markdown import Md
from bot.messages import Choice, Reply
from bot.notify import Notice, Target
from bot.records import Contract, ConversationState, Member, MonitoringPlan, Organisation
from bot.repository import Repository
from monitoring.evaluation import questions_text
from monitoring.figures import prompt_reply
from monitoring.formatting import day, period_label
from monitoring.periods import Period, add_months, ended_periods, last_ended, period_at, period_index
from monitoring.records import MonitoringReport, PromptState

PROMPT_TIME = time(9, 0)
REMIND_AFTER_DAYS = 7
ESCALATE_AFTER_DAYS = 14
REMIND_LATER_DAYS = 3
EVALUATE_EVERY_MONTHS = 12
EVALUATION_WINDOW_DAYS = 30
EXPIRY_EVALUATION_MONTHS = 6
GRACE = timedelta(hours=48)
"""The scheduler's default: how late a reminder may still go out on its own."""
MAX_PERIOD_OPTIONS = 8
"""How many ended periods the report form offers (latest first)."""


@dataclass
class Snapshot:
    """The records the due computation reads, for one organisation."""

    org: Organisation
    plans: list[MonitoringPlan] = field(default_factory=list)
    contracts: dict[int, Contract] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    reports: list[MonitoringReport] = field(default_factory=list)
    prompts: list[PromptState] = field(default_factory=list)
    languages: dict[str, str] = field(default_factory=dict)
    """Each user's chosen language (from the conversation state)."""

    def report(self, plan_id: int | None, period: Period) -> MonitoringReport | None:
        for r in self.reports:
            if r.plan_id == plan_id and r.period_start == period.start:
                return r
        return None

    def previous_report(self, plan_id: int | None, before: date) -> MonitoringReport | None:
        earlier = [r for r in self.reports if r.plan_id == plan_id and r.period_start and r.period_start < before]
        return max(earlier, key=lambda r: r.period_start or date.min, default=None)

    def lang_of(self, member: Member | None) -> str:
        if member is not None and member.user_id in self.languages:
            return self.languages[member.user_id]
        return self.org.language


async def load_snapshot(repo: Repository, org: Organisation) -> Snapshot:
    return Snapshot(
        org=org,
        plans=await repo.list(MonitoringPlan),
        contracts={c.id: c for c in await repo.list(Contract) if c.id is not None},
        members={m.id: m for m in await repo.list(Member) if m.id is not None},
        reports=await repo.list(MonitoringReport),
        prompts=await repo.list(PromptState),
        languages={s.user_id: s.lang for s in await repo.list(ConversationState) if s.lang},
    )


def local_at(day_: date, tz: str, at: time = PROMPT_TIME) -> datetime:
    return datetime.combine(day_, at, tzinfo=ZoneInfo(tz))


def local_today(now: datetime, tz: str) -> date:
    return now.astimezone(ZoneInfo(tz)).date()


def prompt_at(period: Period, tz: str) -> datetime:
    return local_at(period.end + timedelta(days=1), tz)


def reportable(plan: MonitoringPlan, today: date) -> list[Period]:
    """The periods the reporter may report now: those that ended, latest first."""
    if plan.start_period is None:
        return []
    return ended_periods(plan.start_period, plan.frequency, today)[::-1][:MAX_PERIOD_OPTIONS]


def next_prompt(plan: MonitoringPlan, today: date) -> tuple[date, Period] | None:
    """When the next period-end prompt comes, and for which period."""
    if plan.start_period is None:
        return None
    index = period_index(plan.start_period, plan.frequency, today)
    period = period_at(plan.start_period, plan.frequency, 0 if index is None else index)
    return period.end + timedelta(days=1), period


def user_target(org: Organisation, member: Member | None) -> Target | None:
    if member is None or not member.user_id or not member.channel or not member.active:
        return None
    return Target(org_id=org.org_id, channel=member.channel, to="user", user_id=member.user_id)


def group_target(org: Organisation) -> Target | None:
    gc = org.group_conversation
    if not gc:
        return None
    return Target(org_id=org.org_id, channel=gc["channel"], to="group", conversation_id=gc["conversation_id"])


def coordinator(snap: Snapshot) -> Member | None:
    for member in snap.members.values():
        if member.position == "coordinator" and member.active:
            return member
    return None


def reporter(snap: Snapshot, plan: MonitoringPlan) -> Member | None:
    contract = snap.contracts.get(plan.contract_id or 0)
    for member_id in (plan.reporter_id, contract.contract_manager_id if contract else None):
        member = snap.members.get(member_id or 0)
        if member is not None and member.active:
            return member
    return None


def prompt_replies(snap: Snapshot, plan: MonitoringPlan, period: Period, today: date, lang: str,
                   text_key: str = "monitoring.prompt.text") -> list[Reply]:
    contract = snap.contracts.get(plan.contract_id or 0)
    has_previous = snap.previous_report(plan.id, period.start) is not None
    return [prompt_reply(plan, contract.label if contract else "?", period, reportable(plan, today), has_previous,
                         lang, text_key)]


def _due_period(plan: MonitoringPlan, contract: Contract, now: datetime, tz: str) -> Period | None:
    """The latest period whose prompt time has come, unless the contract ended before it started."""
    assert plan.start_period is not None
    period = last_ended(plan.start_period, plan.frequency, local_today(now, tz))
    if period is not None and prompt_at(period, tz) > now:
        period = last_ended(plan.start_period, plan.frequency, period.end)
    if period is None or (contract.end is not None and period.start > contract.end):
        return None
    return period


def _prompt_notices(snap: Snapshot, plan: MonitoringPlan, contract: Contract, now: datetime,
                    sent: Mapping[str, datetime], grace: timedelta) -> list[Notice]:
    tz = snap.org.timezone
    period = _due_period(plan, contract, now, tz)
    if period is None or snap.report(plan.id, period) is not None:
        return []
    member = reporter(snap, plan)
    target = user_target(snap.org, member)
    if target is None:
        return []
    lang = snap.lang_of(member)
    today = local_today(now, tz)
    key = f"monitor:{plan.id}:{period.key}"
    summary = str(t("monitoring.summary_line", snap.org.language, contract=contract.label,
                    period=period_label(period, snap.org.language), reporter=member.name if member else "?"))
    if key not in sent:  # a prompt is never folded: the figures are still wanted, however late
        return [Notice(key=key, kind="monitor", at=prompt_at(period, tz), target=target,
                       replies=prompt_replies(snap, plan, period, today, lang), summary=summary)]
    notices = []
    asked_on = local_today(sent[key], tz)
    for state in snap.prompts:
        if state.plan_id == plan.id and state.period_start == period.start and state.snoozed_until \
                and state.snoozed_until <= now:
            when = state.snoozed_until.astimezone(ZoneInfo(tz))
            later = f"monitor-later:{plan.id}:{period.key}:{when:%Y-%m-%dT%H:%M}"
            if later not in sent:
                replies = prompt_replies(snap, plan, period, today, lang, "monitoring.prompt.later_again")
                notices.append(Notice(key=later, kind="monitor-later", at=state.snoozed_until, target=target,
                                      replies=replies, summary=summary, fold=now - state.snoozed_until > grace))
    remind_at = local_at(asked_on + timedelta(days=REMIND_AFTER_DAYS), tz)
    remind = f"monitor-remind:{plan.id}:{period.key}"
    if now >= remind_at and remind not in sent:
        replies = prompt_replies(snap, plan, period, today, lang, "monitoring.prompt.reminder")
        notices.append(Notice(key=remind, kind="monitor-remind", at=remind_at, target=target, replies=replies,
                              summary=summary, fold=now - remind_at > grace))
    escalate_at = local_at(asked_on + timedelta(days=ESCALATE_AFTER_DAYS), tz)
    escalate = f"monitor-escalate:{plan.id}:{period.key}"
    if now >= escalate_at and escalate not in sent:
        boss = coordinator(snap)
        boss_target = user_target(snap.org, boss) or group_target(snap.org)
        if boss_target is not None:
            boss_lang = snap.lang_of(boss) if boss_target.to == "user" else snap.org.language
            text = t("monitoring.prompt.escalation", boss_lang, contract=contract.label,
                     period=period_label(period, boss_lang), reporter=member.name if member else "?")
            choices = [Choice(str(t("monitoring.results.open", boss_lang, contract=contract.label)),
                              f"mon:results:{contract.id}")]
            notices.append(Notice(key=escalate, kind="monitor-escalate", at=escalate_at, target=boss_target,
                                  replies=[Reply(text=text, section="4a", choices=choices)], summary=summary,
                                  fold=now - escalate_at > grace))
    return notices


def _evaluation_target(snap: Snapshot) -> tuple[Target, str] | None:
    group = group_target(snap.org)
    if group is not None:
        return group, snap.org.language
    boss = coordinator(snap)
    target = user_target(snap.org, boss)
    return (target, snap.lang_of(boss)) if target else None


def evaluation_reply(contract: Contract, lang: str, text: Md) -> Reply:
    body = Md(text + "\n" + questions_text(lang))
    return Reply(text=body, section="4b",
                 choices=[Choice(str(t("monitoring.evaluation.button", lang)), f"mon:eval:{contract.id}")])


def _evaluation_notices(snap: Snapshot, plan: MonitoringPlan, contract: Contract, now: datetime,
                        sent: Mapping[str, datetime]) -> list[Notice]:
    assert plan.start_period is not None
    tz = snap.org.timezone
    today = local_today(now, tz)
    notices = []
    years = (today.year - plan.start_period.year) + 1
    anniversaries = [add_months(plan.start_period, EVALUATE_EVERY_MONTHS * n) for n in range(1, years + 1)]
    passed = [a for a in anniversaries if local_at(a, tz) <= now]
    target = _evaluation_target(snap)
    if target is None:
        return []
    where, lang = target
    if passed:
        when = passed[-1]
        key = f"monitor-eval:{plan.id}:{when.isoformat()}"
        fresh = (today - when).days <= EVALUATION_WINDOW_DAYS
        ended = contract.end is not None and contract.end < when
        if fresh and not ended and key not in sent:
            text = t("monitoring.evaluation.yearly", lang, contract=contract.label)
            notices.append(Notice(key=key, kind="monitor-eval", at=local_at(when, tz), target=where,
                                  replies=[evaluation_reply(contract, lang, text)], summary=str(text)))
    if contract.end is not None:
        start = add_months(contract.end, -EXPIRY_EVALUATION_MONTHS)
        key = f"monitor-eval-expiry:{contract.id}:{contract.end.isoformat()}"
        if local_at(start, tz) <= now and today <= contract.end and key not in sent:
            text = t("monitoring.evaluation.expiry", lang, contract=contract.label, date=day(contract.end, lang))
            notices.append(Notice(key=key, kind="monitor-eval", at=local_at(start, tz), target=where,
                                  replies=[evaluation_reply(contract, lang, text)], summary=str(text)))
    return notices


def due(now: datetime, snap: Snapshot, sent: Mapping[str, datetime], grace: timedelta = GRACE) -> list[Notice]:
    """Everything the monitoring cycle has due at `now` that is not in the sent log, oldest first.

    Reminders more than `grace` late (the server was down) are folded into the digest, not sent.
    """
    notices: list[Notice] = []
    for plan in snap.plans:
        contract = snap.contracts.get(plan.contract_id or 0)
        if not plan.active or plan.start_period is None or contract is None:
            continue
        notices.extend(_prompt_notices(snap, plan, contract, now, sent, grace))
        notices.extend(_evaluation_notices(snap, plan, contract, now, sent))
    unique = {n.key: n for n in notices}
    return sorted(unique.values(), key=lambda n: (n.at, n.key))
