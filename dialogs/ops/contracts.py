"""Steps 2A and 2B: tenders and their social return advice, the leidraad, the contract portfolio
with its ranking and top 3, the brainstorm format and the agendas for the supplier talks."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from bot.feature import normalise
from bot.markdown import Md
from bot.messages import Choice
from bot.records import Contract, Meeting, Member, Tender
from bot.values import ValidationError, parse_id
from dialogs import documents
from dialogs.advice import applicability_advice
from dialogs.documents import fmt_date
from dialogs.ops.meetings import planned_before
from dialogs.ops.sources import active_members, contract_by_field, contract_label, member_by_field, member_label
from dialogs.ops.sources import contracts as contract_options
from dialogs.plan import Node
from dialogs.ranking import rank_contracts
from dialogs.registry import REGISTRY, Ctx, Outcome

SHOWN_IN_RANKING = 5
"""Contracts named in the ranking message (more would not fit a chat message)."""
MAX_TOP = 3


def _euro(value: float, lang: str) -> str:
    text = f"{value:,.0f}"
    return "€ " + (text.replace(",", ".") if lang == "nl" else text)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "contract"


# -- 2Aa: tenders on the calendar ----------------------------------------------------------------------

@REGISTRY.save("add_tender")
async def add_tender(ctx: Ctx, node: Node, values: dict[str, Any]) -> Outcome:
    months = values.get("duration_months")
    tender = await ctx.repo.add(Tender(
        title=values["title"], category=values.get("category") or "", kind=values.get("kind"),
        estimated_value=values.get("estimated_value"), labour_share=values.get("labour_share"),
        duration_months=int(months) if isinstance(months, float) and months.is_integer() else months,
        planned_publication=values.get("planned_publication")))
    return Outcome(text=ctx.t("op.tender.saved", title=tender.title), answer=tender.id)


# -- 2Ac: the applicability advice ---------------------------------------------------------------------

@REGISTRY.save("tender_advice")
async def tender_advice(ctx: Ctx, node: Node, values: dict[str, Any]) -> Outcome:
    """Advice for a tender from the calendar, or for figures typed in (typed figures win)."""
    tender = None
    if (ident := parse_id(values.get("tender"))) is not None:
        tender = await ctx.repo.get(Tender, ident)

    def pick(name: str) -> Any:
        given = values.get(name)
        return given if given is not None else (getattr(tender, name, None) if tender else None)

    errors = _advice_problems(ctx, node, pick, tender is not None)
    if errors:
        return Outcome(errors=errors)
    advice = applicability_advice(pick("estimated_value"), pick("duration_months"), pick("labour_share"),
                                  pick("kind"), pick("category"))
    basis = ctx.t(f"advice.basis.{advice.basis}") if advice.basis else ""
    lines = [ctx.t(f"advice.verdict.{advice.verdict}", name=tender.title if tender else ctx.t("advice.this"),
                   percentage=advice.percentage or 0, basis=basis)]
    lines += [f"- {ctx.t('advice.reason.' + r.key, **_shown(r.params, ctx.lang))}" for r in advice.reasons]
    answer = {"tender_id": tender.id if tender else None, "verdict": advice.verdict,
              "percentage": advice.percentage, "reasons": advice.reason_keys}
    return Outcome(text=Md("\n".join(lines)), answer=answer)


ADVICE_FIGURES = ("estimated_value", "duration_months", "labour_share")
"""What the 2Ac advice rests on: each comes from the chosen tender or is typed in."""


def _advice_problems(ctx: Ctx, node: Node, pick: Callable[[str], Any], from_tender: bool) -> list[Md]:
    """Every problem with the advice's figures at once: missing, negative, or a labour share above 100 %."""
    assert node.form is not None
    labels = {f.name: f.label[ctx.lang] for f in node.form.fields}
    errors: list[Md] = []
    for name in ADVICE_FIGURES:
        value = pick(name)
        if value is None:
            errors.append(ValidationError("required", name).message(ctx.lang, labels[name]))
        elif value < 0:
            errors.append(ValidationError("non_negative", name).message(ctx.lang, labels[name]))
        elif name == "labour_share" and value > 100:
            errors.append(ValidationError("percentage", name).message(ctx.lang, labels[name]))
    if errors and not from_tender and any(pick(n) is None for n in ADVICE_FIGURES):
        errors.append(ctx.t("op.advice.pick_tender"))
    return errors


def _shown(params: dict[str, Any], lang: str) -> dict[str, Any]:
    return {k: _euro(v, lang) if k in ("value", "threshold") else v for k, v in params.items()}


# -- 2Ad: the leidraad ---------------------------------------------------------------------------------

async def _goal_lines(ctx: Ctx) -> tuple[str, str]:
    aims = await ctx.journey.answer("1c", "goals") or {}
    goals = [ctx.label("1c", "goals", "goals", g) for g in aims.get("goals") or []]
    if aims.get("other"):
        goals.append(aims["other"])
    target = ctx.label("1c", "goals", "target", aims["target"]) if aims.get("target") else ""
    return "; ".join(goals), target


@REGISTRY.prefill("from_goals")
async def from_goals(ctx: Ctx) -> dict[str, Any]:
    """What step 1c captured, as a starting point for the leidraad and the policy outline."""
    goals, target = await _goal_lines(ctx)
    return {k: v for k, v in (("goal", goals), ("target_groups", target)) if v}


@REGISTRY.save("leidraad")
async def leidraad(ctx: Ctx, node: Node, values: dict[str, Any]) -> Outcome:
    doc = documents.leidraad(values, ctx.lang)
    name = "leidraad-social-return.md" if ctx.lang == "nl" else "social-return-guide.md"
    return Outcome(text=ctx.t("op.leidraad.ready"), attachments=[documents.attachment(doc, name, ctx.lang)])


# -- 2Ba: portfolio, ranking, top 3, brainstorm -----------------------------------------------------------

@REGISTRY.save("add_contract")
async def add_contract(ctx: Ctx, node: Node, values: dict[str, Any]) -> Outcome:
    manager = None
    if values.get("contract_manager_id"):
        manager = await member_by_field(ctx, values["contract_manager_id"])
    contract = await ctx.repo.add(Contract(
        name=values.get("name") or "", supplier=values["supplier"], category=values.get("category") or "",
        yearly_value=values.get("yearly_value"), start=values.get("start"), end=values.get("end"),
        extension_decision=values.get("extension_decision"), has_sroi_clause=values.get("has_sroi_clause") == "yes",
        contract_manager_id=manager.id if manager else None))
    return Outcome(text=ctx.t("op.contract.saved", name=contract_label(contract)), answer=contract.id)


@REGISTRY.view("contract_ranking")
async def contract_ranking(ctx: Ctx, node: Node) -> Outcome:
    ranked = rank_contracts(await ctx.repo.list(Contract), ctx.today)
    if not ranked:
        return Outcome(text=ctx.t("op.ranking.none"))
    lines = []
    for i, item in enumerate(ranked[:SHOWN_IN_RANKING], 1):
        reasons = ", ".join(str(ctx.t("ranking." + r.key, **_reason_params(r.params, ctx.lang)))
                            for r in item.reasons)
        star = " ★" if item.top else ""
        lines.append(f"{i}. {ctx.t('op.ranking.line', name=contract_label(item.contract), star=star)} {reasons}")
    more = len(ranked) - SHOWN_IN_RANKING
    if more > 0:
        lines.append(ctx.t("op.ranking.more", count=more))
    return Outcome(text=Md("\n".join(lines)))


def _reason_params(params: dict[str, Any], lang: str) -> dict[str, Any]:
    out = {}
    for key, value in params.items():
        out[key] = _euro(value, lang) if key in ("value", "threshold") else \
            fmt_date(value, lang) if key in ("end", "date") else value
    return out


@REGISTRY.prefill("top3")
async def top3_prefill(ctx: Ctx) -> dict[str, Any]:
    chosen = await ctx.journey.answer("2Ba", "top3")
    if isinstance(chosen, list) and chosen:
        return {"contracts": [str(c) for c in chosen]}
    ranked = rank_contracts(await ctx.repo.list(Contract), ctx.today)
    return {"contracts": [str(r.contract.id) for r in ranked if r.top]}


@REGISTRY.save("top3")
async def top3(ctx: Ctx, node: Node, values: dict[str, Any]) -> Outcome:
    ids = [int(v) for v in values.get("contracts") or []]
    if len(ids) > MAX_TOP:
        return Outcome(errors=[ctx.t("op.top3.too_many", maximum=MAX_TOP)])
    names = [contract_label(c) for c in [await ctx.repo.get(Contract, i) for i in ids] if c is not None]
    return Outcome(text=ctx.t("op.top3.saved", names=", ".join(names)), answer=ids)


@REGISTRY.source("top3")
async def top3_source(ctx: Ctx) -> list[Choice]:
    """The chosen top 3 (all contracts until one is chosen): the talks of 2Bb are about these."""
    options = await contract_options(ctx)
    chosen = await ctx.journey.answer("2Ba", "top3")
    if isinstance(chosen, list) and chosen:
        keep = {str(c) for c in chosen}
        options = [o for o in options if o.value in keep] or options
    return options


@REGISTRY.save("brainstorm")
async def brainstorm(ctx: Ctx, node: Node, values: dict[str, Any]) -> Outcome:
    """Bijlage III filled in for one contract, as a Markdown document."""
    contract = await contract_by_field(ctx, values.get("contract"))
    if contract is None:
        return Outcome(errors=[ctx.t("op.contract.unknown")])
    answers: dict[str, documents.Content] = {k: v for k, v in values.items() if isinstance(v, str)}
    for key in ("kind", "work_type"):
        if values.get(key):
            answers[key] = ctx.label(node.section, node.id, key, values[key])
    if not answers.get("description"):
        category = ctx.phrase("2Ba", "contracts", "category", contract.category) if contract.category else ""
        answers["description"] = ", ".join(x for x in (contract_label(contract), category) if x)
    doc = documents.brainstorm(contract_label(contract), answers, ctx.lang)
    name = f"brainstorm-{_slug(contract.label)}.md"
    return Outcome(text=ctx.t("op.brainstorm.ready", name=contract_label(contract)),
                   attachments=[documents.attachment(doc, name, ctx.lang)],
                   answer={**values, "contract": contract.id})


# -- 2Bb: the talks with the supplier ----------------------------------------------------------------

@REGISTRY.prefill("our_people")
async def our_people(ctx: Ctx) -> dict[str, Any]:
    return {"ours": "\n".join(member_label(m, ctx.lang) for m in await active_members(ctx))}


def _attending(members: list[Member], lines: list[str]) -> list[int]:
    """The members whose name starts one of the lines ("Anna de Vries (coördinator)")."""
    wanted = [normalise(line) for line in lines]
    return [m.id for m in members if m.id is not None and
            any(w == normalise(m.name) or w.startswith(normalise(m.name) + " ") for w in wanted)]


@REGISTRY.save("supplier_agendas")
async def supplier_agendas(ctx: Ctx, node: Node, values: dict[str, Any]) -> Outcome:
    """Agendas of the first and second talk (Tabel 2); with a date, the first talk becomes a meeting."""
    contract = await contract_by_field(ctx, values.get("contract"))
    if contract is None:
        return Outcome(errors=[ctx.t("op.contract.unknown")])
    when = values.get("date")
    if when is not None and when < ctx.today:
        return Outcome(errors=[ctx.t("op.agenda.past")])
    people = {key: [line.strip() for line in (values.get(key) or "").splitlines() if line.strip()]
              for key in ("theirs", "ours")}
    label = contract_label(contract)
    attachments = []
    for number in (1, 2):
        doc = documents.talk_agenda(number, label, people, fmt_date(when, ctx.lang) if number == 1 else "",
                                    ctx.lang)
        prefix = "agenda-gesprek" if ctx.lang == "nl" else "agenda-talk"
        attachments.append(documents.attachment(doc, f"{prefix}-{number}-{_slug(contract.label)}.md", ctx.lang))
    meeting_id = None
    if when is not None:
        # only a date is asked: the time is a placeholder that is never shown; the reminder goes to the members
        # listed as attending ("ours"), or to the working group's conversation when none of them is a member
        meeting = await planned_before(ctx, node, contract=contract.id) or Meeting(frequency="once")
        meeting.title = str(ctx.t("op.agenda.meeting", supplier=contract.supplier))
        meeting.contract_id, meeting.time_set = contract.id, False
        meeting.next_date = meeting.series_start = datetime.combine(when, time(10, 0), ctx.tz)
        meeting.participant_ids = _attending(await active_members(ctx), people["ours"])
        meeting_id = (await ctx.repo.save(meeting)).id
    key = "op.agenda.ready_dated" if when else "op.agenda.ready"
    return Outcome(text=ctx.t(key, name=label, date=fmt_date(when, ctx.lang)), attachments=attachments,
                   answer={"contract": contract.id, "date": when, "meeting_id": meeting_id})
