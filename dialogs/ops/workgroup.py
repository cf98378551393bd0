"""Step 1 (and the people parts of step 3): board decision, members, goals, actions, meetings,
support, the action plan document, and the role division."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from bot.feature import normalise
from bot.i18n import t
from bot.markdown import Md
from bot.records import POSITIONS, Action, Meeting, Member
from bot.values import ValidationError, parse_time
from bot.workgroup import holder, may_manage, set_position
from bot.workgroup_chat import handover_question
from dialogs import documents
from dialogs.documents import fmt_date
from dialogs.ops.meetings import planned_before
from dialogs.ops.sources import active_members, member_by_field, member_label
from dialogs.plan import Node
from dialogs.registry import REGISTRY, Ctx, Outcome

ROSTER_SIZE = 8
"""At most this many members are named in a chat message (the document lists them all)."""


def _error(ctx: Ctx, node: Node, field_name: str, key: str, **params: Any) -> Md:
    label = next((f.label[ctx.lang] for f in node.form.fields if f.name == field_name), field_name) \
        if node.form else field_name
    return ValidationError(key, field_name, **params).message(ctx.lang, label)


# -- 1a ---------------------------------------------------------------------------------------------

@REGISTRY.save("board_decision")
async def board_decision(ctx: Ctx, node: Node, values: dict[str, Any]) -> Outcome:
    status, when = values["status"], values.get("date")
    if status == "planned" and when is None:
        return Outcome(errors=[_error(ctx, node, "date", "required")])
    if status == "planned" and when < ctx.today:
        return Outcome(errors=[_error(ctx, node, "date", "past_date")])
    if status == "taken" and when is not None and when > ctx.today:
        return Outcome(errors=[ctx.t("op.board.future")])
    key = "taken_on" if status == "taken" and when is not None else status
    return Outcome(text=ctx.t(f"op.board.{key}", date=fmt_date(when, ctx.lang)))


# -- 1b ---------------------------------------------------------------------------------------------

async def roster(ctx: Ctx) -> Md:
    members = await active_members(ctx)
    if not members:
        return ctx.t("op.member.none")
    names = []
    for m in members[:ROSTER_SIZE]:
        labels = [str(t(f"role.{r}", ctx.lang)) for r in m.roles]
        if m.position:
            labels.append(str(t(f"position.{m.position}", ctx.lang)))
        names.append(f"{m.name} ({', '.join(labels)})" if labels else m.name)
    more = len(members) - ROSTER_SIZE
    text = "; ".join(names) + (" " + ctx.t("op.member.more", count=more) if more > 0 else "")
    return ctx.t("op.member.roster", members=text)


async def _refuse_change(ctx: Ctx) -> Outcome | None:
    """Only the coordinator or the backup (or anyone, while nobody coordinates) changes who is in the group
    and with which role: otherwise anyone could name themselves coordinator."""
    if await may_manage(ctx.repo, ctx.turn.incoming.user_id):
        return None
    coordinator = await holder(ctx.repo, "coordinator")
    return Outcome(errors=[ctx.t("op.member.not_allowed", coordinator=f" ({coordinator.name})" if coordinator else "")])


@REGISTRY.save("add_member")
async def add_member(ctx: Ctx, node: Node, values: dict[str, Any]) -> Outcome:
    """One member per form. A name already in the group gets the new roles added to the ones it has (never
    silently replaced); making someone else coordinator is a hand-over the user confirms first."""
    refused = await _refuse_change(ctx)
    if refused:
        return refused
    name, position = values["name"], values.get("position")
    existing = next((m for m in await active_members(ctx) if normalise(m.name) == normalise(name)), None)
    member = existing or Member(name=name, added_by=ctx.turn.incoming.user_id)
    member.roles = list(dict.fromkeys([*member.roles, *(values.get("roles") or [])]))
    # the coordinator steps down only by handing over (else the group has nobody in charge)
    keeps_role = member.position == "coordinator" and position in ("none", "backup")
    if position == "none" and not keeps_role:
        member.position = None
    current = await holder(ctx.repo, "coordinator")
    handover = position == "coordinator" and current is not None and current.id != member.id
    member = await ctx.repo.save(member)
    if position in POSITIONS and not handover and not keeps_role:
        member = await set_position(ctx.repo, member, position)
    if existing:
        roles = ", ".join(str(t(f"role.{r}", ctx.lang)) for r in member.roles)
        parts = [ctx.t("op.member.merged", name=member.name, roles=roles)]
    else:
        parts = [ctx.t("op.member.added", name=member.name)]
    if keeps_role:
        parts.append(ctx.t("op.member.stays_coordinator", name=member.name))
    parts.append(await roster(ctx))
    for problem in (await has_coordinator(ctx), await has_backup(ctx)):
        if problem:
            parts.append(problem)
    choices = []
    if handover:
        assert current is not None
        question = handover_question(ctx.turn, member, current)
        parts.append(question.text)
        choices = question.choices
    return Outcome(text=Md("\n".join(parts)), answer=member.id, choices=choices)


@REGISTRY.view("roster")
async def roster_view(ctx: Ctx, node: Node) -> Outcome:
    return Outcome(text=await roster(ctx))


@REGISTRY.check("has_coordinator")
async def has_coordinator(ctx: Ctx) -> Md | None:
    return None if await holder(ctx.repo, "coordinator") else ctx.t("check.no_coordinator")


@REGISTRY.check("has_backup")
async def has_backup(ctx: Ctx) -> Md | None:
    return None if await holder(ctx.repo, "backup") else ctx.t("check.no_backup")


# -- 1c ---------------------------------------------------------------------------------------------

@REGISTRY.save("goals")
async def goals(ctx: Ctx, node: Node, values: dict[str, Any]) -> Outcome:
    count = len(values.get("goals") or []) + (1 if values.get("other") else 0)
    target = ctx.label(node.section, node.id, "target", values["target"])
    return Outcome(text=ctx.t("op.goals.saved", target=target, count=count))


# -- 1d / 3b ----------------------------------------------------------------------------------------

@REGISTRY.save("add_action")
async def add_action(ctx: Ctx, node: Node, values: dict[str, Any]) -> Outcome:
    """A SMART action: a title, an owner who is in the working group, and a deadline from today on."""
    owner = await member_by_field(ctx, values.get("owner"))
    if owner is None:
        return Outcome(errors=[_error(ctx, node, "owner", "member_unknown")])
    if values["deadline"] < ctx.today:
        return Outcome(errors=[_error(ctx, node, "deadline", "past_date")])
    now = ctx.turn.services.clock.now()
    action = await ctx.repo.add(Action(title=values["title"], owner_id=owner.id, deadline=values["deadline"],
                                       section=node.section, created_at=now, updated_at=now))
    return Outcome(text=ctx.t("op.action.saved", title=action.title, owner=owner.name,
                              deadline=fmt_date(action.deadline, ctx.lang)), answer=action.id)


@REGISTRY.check("has_actions")
async def has_actions(ctx: Ctx) -> Md | None:
    return None if await ctx.repo.list(Action) else ctx.t("check.no_actions")


@REGISTRY.save("meeting_agreements")
async def meeting_agreements(ctx: Ctx, node: Node, values: dict[str, Any]) -> Outcome:
    """The working group's recurring meeting (kept as one Meeting record, updated when sent again)."""
    first = values["first"]
    if first < ctx.today:
        return Outcome(errors=[_error(ctx, node, "first", "past_date")])
    try:
        at = parse_time(values.get("time") or "10:00", "time")  # without a time: a placeholder, never shown
    except ValidationError as exc:
        return Outcome(errors=[exc.message(ctx.lang, _label(node, "time", ctx.lang))])
    meeting = await planned_before(ctx, node) or Meeting()
    meeting.title = str(ctx.t("op.meeting.title"))
    meeting.frequency = values["frequency"]
    meeting.next_date = meeting.series_start = datetime.combine(first, at, ctx.tz)
    meeting.time_set = bool(values.get("time"))
    meeting.participant_ids = [m.id for m in await active_members(ctx) if m.id is not None]
    meeting = await ctx.repo.save(meeting)
    frequency = ctx.phrase(node.section, node.id, "frequency", meeting.frequency)
    shown = at.strftime("%H:%M") if meeting.time_set else ""
    answer = {**values, "time": shown, "meeting_id": meeting.id}
    return Outcome(text=ctx.t("op.meeting.saved" if shown else "op.meeting.saved_no_time", frequency=frequency,
                              date=fmt_date(first, ctx.lang), time=shown), answer=answer)


def _label(node: Node, field_name: str, lang: str) -> str:
    assert node.form is not None
    return next(f.label[lang] for f in node.form.fields if f.name == field_name)


@REGISTRY.view("action_plan")
async def action_plan(ctx: Ctx, node: Node) -> Outcome:
    data = await _plan_data(ctx)
    doc = documents.action_plan(data, ctx.lang, ctx.today)
    name = "actieplan.md" if ctx.lang == "nl" else "action-plan.md"
    return Outcome(text=ctx.t("op.plan.ready", actions=len(data.actions), members=len(data.members)),
                   attachments=[documents.attachment(doc, name, ctx.lang)])


async def _plan_data(ctx: Ctx) -> documents.ActionPlanData:
    lang = ctx.lang
    decision = await ctx.journey.answer("1a", "decision")
    decision_text = None
    if isinstance(decision, dict) and decision.get("status"):
        status, when = decision["status"], decision.get("date")
        if when and status in ("taken", "planned"):  # "Gepland op 15-12-2026", not the option's "(met datum)"
            decision_text = documents.fill(f"flow.op.plan.decision_{status}", lang, date=fmt_date(when, lang))
        else:
            decision_text = ctx.label("1a", "decision", "status", status)
        if decision.get("body"):
            decision_text += f" — {decision['body']}"
    aims = await ctx.journey.answer("1c", "goals") or {}
    goal_lines = [ctx.label("1c", "goals", "goals", g) for g in aims.get("goals") or []]
    if aims.get("other"):
        goal_lines.append(aims["other"])
    target = ctx.label("1c", "goals", "target", aims["target"]) if aims.get("target") else None
    members = await active_members(ctx)
    names = {m.id: m.name for m in members}
    member_lines = []
    for m in members:
        line = member_label(m, lang)
        if m.position:
            line += f" — {t('position.' + m.position, lang)}"
        member_lines.append(line)
    actions = sorted((a for a in await ctx.repo.list(Action) if a.status == "open"),
                     key=lambda a: (a.deadline or ctx.today, a.id or 0))
    action_lines = [documents.fill("flow.op.plan.action", lang, title=a.title, owner=names.get(a.owner_id, "?"),
                                   deadline=fmt_date(a.deadline, lang)) for a in actions]
    meeting = await ctx.journey.answer("1d", "meetings") or {}
    meeting_text = None
    if meeting.get("frequency"):
        meeting_text = documents.fill("flow.op.plan.meeting", lang,
                                      frequency=ctx.label("1d", "meetings", "frequency", meeting["frequency"]),
                                      date=fmt_date(meeting.get("first"), lang), time=meeting.get("time", "")).rstrip()
    partners = [ctx.label("1d", "meetings", "partners", p) for p in meeting.get("partners") or []]
    if meeting.get("other"):
        partners.append(meeting["other"])
    return documents.ActionPlanData(organisation=ctx.turn.org.name, decision=decision_text, goals=goal_lines,
                                    target_group=target, members=member_lines, actions=action_lines,
                                    meetings=meeting_text, partners=partners)


# -- 1e ---------------------------------------------------------------------------------------------

@REGISTRY.save("checklist")
async def checklist(ctx: Ctx, node: Node, values: dict[str, Any]) -> Outcome:
    """A checklist form (field `items`): what is ticked is kept, what is still open is listed."""
    assert node.form is not None
    spec = next(f for f in node.form.fields if f.name == "items")
    ticked = set(values.get("items") or [])
    still_open = [o.label[ctx.lang] for o in spec.options if o.value not in ticked]
    if not still_open:
        return Outcome(text=ctx.t("op.checklist.all"))
    return Outcome(text=Md(ctx.t("op.checklist.open", done=len(ticked), total=len(spec.options)) + "\n"
                           + "\n".join(f"- {t_}" for t_ in still_open)))


# -- 3b / 3c ----------------------------------------------------------------------------------------

@REGISTRY.save("decision_meeting")
async def decision_meeting(ctx: Ctx, node: Node, values: dict[str, Any]) -> Outcome:
    """The meeting with the decision makers (a one-off Meeting with the chosen participants)."""
    when = values["date"]
    if when < ctx.today:
        return Outcome(errors=[_error(ctx, node, "date", "past_date")])
    ids = [int(v) for v in values.get("participants") or []]
    meeting = await planned_before(ctx, node) or Meeting(frequency="once")
    meeting.title, meeting.time_set, meeting.participant_ids = str(ctx.t("op.decision.title")), False, ids
    meeting.next_date = meeting.series_start = datetime.combine(when, time(10, 0), ctx.tz)
    meeting = await ctx.repo.save(meeting)
    return Outcome(text=ctx.t("op.decision.saved", date=fmt_date(when, ctx.lang), count=len(ids)),
                   answer={**values, "meeting_id": meeting.id})


@REGISTRY.save("role_division")
async def role_division(ctx: Ctx, node: Node, values: dict[str, Any]) -> Outcome:
    """Who delivers procurement's data and who is the internal client: their roles are added."""
    refused = await _refuse_change(ctx)
    if refused:
        return refused
    assert node.form is not None
    named = []
    for spec in node.form.fields:
        role = spec.name.removeprefix("role_")
        member = await member_by_field(ctx, values.get(spec.name))
        if member is None or spec.source != "members":
            continue
        if role not in member.roles:
            member.roles = [*member.roles, role]
            await ctx.repo.update(member)
        named.append(f"{member.name}: {t('role.' + role, ctx.lang)}")
    if not named:
        return Outcome(text=ctx.t("op.roles.none"))
    return Outcome(text=ctx.t("op.roles.saved", roles="; ".join(named)))


# -- route ------------------------------------------------------------------------------------------

@REGISTRY.check("route_chosen")
async def route_chosen(ctx: Ctx) -> Md | None:
    return None if await ctx.journey.route() else ctx.t("check.no_route")
