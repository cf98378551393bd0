"""Step 4: a monitoring plan per contract (4a) and the evaluation answers (4b)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from bot.markdown import Md
from bot.messages import Choice
from bot.records import Evaluation, Member, MonitoringPlan
from bot.workgroup import confirm_change, contract_deciders, may_manage_contract
from dialogs.documents import fmt_date
from dialogs.ops.sources import active_members, contract_by_field, contract_label, member_by_field
from dialogs.plan import Node
from dialogs.registry import REGISTRY, Ctx, Outcome

EVALUATION_QUESTIONS = ("impact", "improve", "innovation", "next_tender", "share")
ALWAYS = ("paid_hours", "people")
"""Handbook 4a: the paid hours of people from the register are what shows the supplier's contribution."""
MONTHS_PER_PERIOD = {"month": 1, "quarter": 3, "halfyear": 6}


def period_start(today: date, frequency: str) -> date:
    """The first day of the month, quarter or half year `today` falls in."""
    months = MONTHS_PER_PERIOD[frequency]
    return date(today.year, (today.month - 1) // months * months + 1, 1)


@REGISTRY.save("monitoring_plan")
async def monitoring_plan(ctx: Ctx, node: Node, values: dict[str, Any]) -> Outcome:
    """One plan per contract: sending the form again for a contract changes (and reactivates) its plan."""
    contract = await contract_by_field(ctx, values.get("contract_id"))
    if contract is None:
        return Outcome(errors=[ctx.t("op.contract.unknown")])
    if not await may_manage_contract(ctx.repo, ctx.turn.incoming.user_id, contract):
        return Outcome(errors=[ctx.t("op.monitoring.not_allowed", name=contract_label(contract),
                                     names=await contract_deciders(ctx.repo, contract))])
    reporter = await member_by_field(ctx, values.get("reporter_id"))
    if reporter is None and contract.contract_manager_id is not None:
        reporter = await member_by_field(ctx, str(contract.contract_manager_id))
    if reporter is None and not await active_members(ctx):  # the form has no reporter field to choose from
        return Outcome(errors=[ctx.t("op.monitoring.no_members", name=contract_label(contract))],
                       choices=[Choice(ctx.t("nav.go_to", section="1b"), "flow:start:1b")])
    if reporter is None:
        return Outcome(errors=[ctx.t("op.monitoring.no_reporter", name=contract_label(contract))])
    old = await ctx.repo.find(MonitoringPlan, contract_id=contract.id)
    plan = replace(old) if old else MonitoringPlan()
    plan.contract_id, plan.reporter_id, plan.active = contract.id, reporter.id, True
    plan.frequency = values["frequency"]
    plan.supplier_contact = values.get("supplier_contact") or ""
    plan.figures = list(dict.fromkeys([*ALWAYS, *(values.get("figures") or [])]))
    plan.ambition_hours_per_week = values.get("ambition_hours_per_week")
    plan.ambition_jobs = values.get("ambition_jobs")
    plan.start_period = values.get("start_period") or period_start(ctx.today, plan.frequency)
    frequency = ctx.phrase(node.section, node.id, "frequency", plan.frequency)
    if old is not None and not confirm_change(ctx.turn.data("flow_confirm"), f"plan:{contract.id}",
                                              old.settings(), plan.settings()):
        before = await ctx.repo.get(Member, old.reporter_id or 0)
        return Outcome(errors=[ctx.t("op.monitoring.replace", name=contract_label(contract),
                                     old=_describe(ctx, node, old, before), new=_describe(ctx, node, plan, reporter))])
    ctx.turn.state.data.pop("flow_confirm", None)
    plan = await ctx.repo.save(plan)
    picked = len([f for f in plan.figures if f not in ALWAYS])  # the always-asked two are named, not counted
    extra = ctx.t("op.monitoring.extra_figures", count=picked) if picked else ""
    return Outcome(text=ctx.t("op.monitoring.saved", name=contract_label(contract), frequency=frequency,
                              reporter=reporter.name, extra=Md(extra), start=fmt_date(plan.start_period, ctx.lang)),
                   answer=plan.id)


def _describe(ctx: Ctx, node: Node, plan: MonitoringPlan, reporter: Member | None) -> str:
    """A plan in one line for the question whether to replace it."""
    parts = [ctx.phrase(node.section, node.id, "frequency", plan.frequency),
             str(ctx.t("op.monitoring.via", name=reporter.name if reporter else "?"))]
    if plan.ambition_jobs is not None:
        parts.append(str(ctx.t("op.monitoring.jobs", value=f"{plan.ambition_jobs:g}")))
    if plan.ambition_hours_per_week is not None:
        parts.append(str(ctx.t("op.monitoring.hours", value=f"{plan.ambition_hours_per_week:g}")))
    return ", ".join(parts)


@REGISTRY.save("evaluation")
async def evaluation(ctx: Ctx, node: Node, values: dict[str, Any]) -> Outcome:
    contract = await contract_by_field(ctx, values.get("contract_id"))
    answers = {q: values[q] for q in EVALUATION_QUESTIONS if values.get(q)}
    if not answers:
        return Outcome(errors=[ctx.t("op.evaluation.empty")])
    record = await ctx.repo.add(Evaluation(contract_id=contract.id if contract else None, date=ctx.today,
                                           answers=answers, user_id=ctx.turn.incoming.user_id))
    return Outcome(text=ctx.t("op.evaluation.saved", count=len(answers)), answer=record.id)
