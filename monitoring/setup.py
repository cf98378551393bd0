"""Setting up (or changing) the monitoring plan of a contract: frequency, reporter, ambition, first period."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from bot.feature import Turn
from bot.forms import invalid_reply, read_form
from bot.i18n import t
from bot.markdown import Md
from bot.messages import Choice, Form, FormField, Reply
from bot.records import MONITORING_FIGURES, MONITORING_FREQUENCIES, Contract, Member, MonitoringPlan
from bot.values import ValidationError, parse_id
from bot.workgroup import confirm_change, contract_deciders, may_manage_contract
from monitoring.due import local_today, next_prompt, reportable
from monitoring.formatting import day, number, period_label
from monitoring.lookup import plan_for

FORM_PREFIX = "mon:plan:"
ALWAYS = ("paid_hours", "people")
OPTIONAL_FIGURES = tuple(f for f in MONITORING_FIGURES if f not in ALWAYS)
ME = "me"


def quarter_start(today: date) -> date:
    return date(today.year, (today.month - 1) // 3 * 3 + 1, 1)


async def _form(turn: Turn, contract: Contract, plan: MonitoringPlan | None) -> Form:
    lang = turn.lang
    members = [m for m in await turn.repo.list(Member) if m.active]
    options = [Choice(m.name, str(m.id)) for m in members]
    me = turn.member
    if me is None:
        options.insert(0, Choice(str(t("monitoring.setup.me", lang, name=turn.incoming.user_name)), ME))
    reporter = (plan.reporter_id if plan else None) or contract.contract_manager_id or (me.id if me else None)
    today = local_today(turn.services.clock.now(), turn.org.timezone)
    figures = [f for f in (plan.figures if plan and plan.figures else OPTIONAL_FIGURES) if f in OPTIONAL_FIGURES]
    return Form(
        id=f"{FORM_PREFIX}{contract.id}", title=str(t("monitoring.setup.title", lang)),
        submit_label=str(t("form.submit", lang)),
        fields=[
            FormField("frequency", str(t("monitoring.setup.frequency", lang)), "choice", required=True,
                      options=[Choice(str(t(f"monitoring.frequency.{f}", lang)), f) for f in MONITORING_FREQUENCIES],
                      value=plan.frequency if plan else "quarter"),
            FormField("reporter", str(t("monitoring.setup.reporter", lang)), "choice", required=True, options=options,
                      value=str(reporter) if reporter is not None else ME),
            FormField("supplier_contact", str(t("monitoring.setup.supplier_contact", lang)), "text",
                      value=plan.supplier_contact if plan and plan.supplier_contact else None),
            FormField("ambition_hours_per_week", str(t("monitoring.setup.ambition_hours_per_week", lang)), "number",
                      minimum=0, value=plan.ambition_hours_per_week if plan else None),
            FormField("ambition_jobs", str(t("monitoring.setup.ambition_jobs", lang)), "number",
                      minimum=0, value=plan.ambition_jobs if plan else None),
            FormField("start_period", str(t("monitoring.setup.start_period", lang)), "date", required=True,
                      value=(plan.start_period if plan and plan.start_period else quarter_start(today)).isoformat()),
            FormField("figures", str(t("monitoring.setup.figures", lang)), "multichoice",
                      options=[Choice(str(t(f"monitoring.figure.{f}", lang)), f) for f in OPTIONAL_FIGURES],
                      value=figures),
        ])


async def refused(turn: Turn, contract: Contract) -> Reply | None:
    """Only the coordinator, the backup and the contract's manager set up or change its monitoring."""
    if await may_manage_contract(turn.repo, turn.incoming.user_id, contract):
        return None
    return Reply(text=turn.t("monitoring.setup.not_allowed", contract=contract.label,
                             names=await contract_deciders(turn.repo, contract)), section="4a")


def describe(turn: Turn, plan: MonitoringPlan, reporter: Member | None) -> Md:
    """A plan in one line: frequency, reporter, ambition, first period."""
    lang = turn.lang
    parts = [str(t(f"monitoring.frequency.{plan.frequency}", lang)),
             str(t("monitoring.setup.by", lang, name=reporter.name if reporter else "?"))]
    if plan.ambition_jobs is not None:
        parts.append(str(t("monitoring.setup.ambition_jobs_value", lang, value=_amount(plan.ambition_jobs, lang))))
    if plan.ambition_hours_per_week is not None:
        parts.append(str(t("monitoring.setup.ambition_hours_value", lang,
                           value=_amount(plan.ambition_hours_per_week, lang))))
    if plan.start_period is not None:
        parts.append(str(t("monitoring.setup.from", lang, date=day(plan.start_period, lang))))
    return Md(", ".join(parts))


def _amount(value: float, lang: str) -> str:
    return number(value, lang, 0 if value == int(value) else 1)


async def show(turn: Turn, contract: Contract) -> list[Reply]:
    refusal = await refused(turn, contract)
    if refusal:
        return [refusal]
    plan = await plan_for(turn.repo, contract.id or 0)
    return [Reply(text=turn.t("monitoring.setup.intro", contract=contract.label), section="4a",
                  form=await _form(turn, contract, plan))]


async def _reporter(turn: Turn, choice: str) -> Member | None:
    if choice == ME:
        if turn.member is not None:
            return turn.member
        incoming = turn.incoming
        member = Member(name=incoming.user_name, user_id=incoming.user_id, channel=incoming.channel,
                        roles=["contract_manager"])
        turn.member = await turn.repo.add(member)
        return turn.member
    ident = parse_id(choice)
    return await turn.repo.get(Member, ident) if ident is not None else None


async def save(turn: Turn, contract: Contract, values: Any) -> list[Reply]:
    lang = turn.lang
    refusal = await refused(turn, contract)
    if refusal:
        return [refusal]
    plan = await plan_for(turn.repo, contract.id or 0)
    form = await _form(turn, contract, plan)
    clean, errors = read_form(form, values, lang)
    if errors:
        return [invalid_reply(form, values, errors, lang, section="4a")]
    reporter = await _reporter(turn, clean["reporter"])
    before = (plan.settings(), describe(turn, plan, await turn.repo.get(Member, plan.reporter_id or 0))) \
        if plan else None
    plan = replace(plan) if plan else MonitoringPlan(contract_id=contract.id)
    plan.frequency = clean["frequency"]
    plan.reporter_id = reporter.id if reporter else None
    plan.supplier_contact = clean["supplier_contact"] or ""
    plan.ambition_hours_per_week = clean["ambition_hours_per_week"]
    plan.ambition_jobs = clean["ambition_jobs"]
    plan.start_period = clean["start_period"]
    plan.figures = [*ALWAYS, *clean["figures"]]
    plan.active = True
    if before is not None and not confirm_change(turn.data("monitoring"), f"plan:{contract.id}", before[0],
                                                 plan.settings()):
        text = turn.t("monitoring.setup.confirm_change", contract=contract.label, old=before[1],
                      new=describe(turn, plan, reporter))
        return [invalid_reply(form, values, [text], lang, section="4a")]
    _drop_empty(turn)
    try:
        await turn.repo.save(plan)
    except ValidationError as exc:
        return [invalid_reply(form, values, [exc.message(lang)], lang, section="4a")]
    return [saved_reply(turn, contract, plan, reporter)]


def _drop_empty(turn: Turn) -> None:
    if not turn.state.data.get("monitoring"):
        turn.state.data.pop("monitoring", None)


def saved_reply(turn: Turn, contract: Contract, plan: MonitoringPlan, reporter: Member | None) -> Reply:
    lang = turn.lang
    today = local_today(turn.services.clock.now(), turn.org.timezone)
    upcoming = next_prompt(plan, today)
    assert upcoming is not None
    text = turn.t("monitoring.setup.saved", contract=contract.label,
                  frequency=t(f"monitoring.frequency.{plan.frequency}", lang),
                  reporter=reporter.name if reporter else "?", date=day(upcoming[0], lang),
                  period=period_label(upcoming[1], lang))
    choices = [Choice(str(t("monitoring.results.open", lang, contract=contract.label)), f"mon:results:{contract.id}")]
    ended = reportable(plan, today)
    if ended:
        text += "\n" + turn.t("monitoring.setup.catch_up", period=period_label(ended[0], lang))
        choices.insert(0, Choice(str(t("monitoring.results.report", lang)), f"mon:report:{plan.id}"))
    return Reply(text=text, section="4a", choices=choices)


async def stop(turn: Turn, contract: Contract) -> list[Reply]:
    refusal = await refused(turn, contract)
    if refusal:
        return [refusal]
    plan = await plan_for(turn.repo, contract.id or 0)
    if plan is None:
        return [no_plan(turn, contract)]
    plan.active = False
    await turn.repo.update(plan)
    return [Reply(text=turn.t("monitoring.setup.stopped", contract=contract.label), section="4a")]


def no_plan(turn: Turn, contract: Contract) -> Reply:
    return Reply(text=turn.t("monitoring.setup.no_plan", contract=contract.label), section="4a",
                 choices=[Choice(str(t("monitoring.results.setup", turn.lang, contract=contract.label)),
                                 f"mon:setup:{contract.id}")])
