"""The flow engine: walks a person through the step plan one short message at a time.

It interprets the plan (dialogs/plan.py) and knows only generic things: show a node, take an
answer or a form, call the node's named operations, move next/back/skip, keep the position.
Every reply carries the node's section code and a progress mark ("Stap 2B · 2Ba (1/2)").
The organisation's position lives in the records (see `Journey`); the user's conversation state
only remembers which prompt is on screen (`at`), so typed navigation knows where it stands.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.feature import Turn, normalise
from bot.forms import invalid_reply, read_form
from bot.i18n import t
from bot.markdown import Md
from bot.messages import MAX_CHOICES, Choice, Form, FormField, Reply
from bot.privacy import privacy_message
from bot.sections import title
from bot.values import ValidationError, parse_id
from dialogs.journey import END, FINISHED, Journey
from dialogs.plan import FieldSpec, Node, Option, Plan
from dialogs.registry import Ctx, Outcome, Registry

FEATURE = "dialogs"
PREFIX = "flow:"
OVERVIEW_SECTION = "bijlage-1"
NAV = ("next", "back", "skip", "tips", "stop")


class Engine:
    def __init__(self, plan: Plan, registry: Registry) -> None:
        self.plan = plan
        self.registry = registry

    # -- context -------------------------------------------------------------------------------
    def context(self, turn: Turn) -> Ctx:
        now = turn.services.clock.now()
        try:
            tz = ZoneInfo(turn.org.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            tz = ZoneInfo("Europe/Amsterdam")
        return Ctx(turn=turn, journey=Journey(turn.repo, now), today=now.astimezone(tz).date(), tz=tz,
                   plan=self.plan)

    def on_screen(self, ctx: Ctx) -> Node | None:
        """The prompt this user last saw in a walk-through that is not stopped or finished.

        Kept even when another feature answered a question in between, so "volgende" still works.
        """
        at = ctx.turn.state.data.get(FEATURE, {}).get("at")
        if isinstance(at, list) and len(at) == 2:
            return self.plan.node(str(at[0]), str(at[1]))
        return None

    # -- entry points ----------------------------------------------------------------------------
    async def start(self, ctx: Ctx, code: str) -> list[Reply]:
        node = self.plan.first(code)
        if node is None:
            return await self.begin(ctx)
        return await self.show(ctx, node)

    async def saved_node(self, ctx: Ctx) -> Node | None:
        """The node at the organisation's saved position (None before the start and after the end)."""
        position = await ctx.journey.position()
        if position is None or position.section == END:
            return None
        return self.plan.node(position.section, position.node) or self.plan.first(position.section)

    async def _finished(self, ctx: Ctx) -> bool:
        position = await ctx.journey.position()
        return position is not None and position.section == END

    async def begin(self, ctx: Ctx) -> list[Reply]:
        """'start': a new walk at 1a, or the choice between resuming and starting over."""
        if await self._finished(ctx):
            return [await self._finished_reply(ctx, OVERVIEW_SECTION)]
        node = await self.saved_node(ctx)
        if node is None:
            return await self.start(ctx, "1")
        text = self._compose(ctx, node, ctx.t("begin.known", where=self._where(ctx, node)))
        choices = [Choice(ctx.t("nav.resume"), "flow:resume"), Choice(ctx.t("nav.restart"), "flow:start:1"),
                   Choice(ctx.t("nav.progress"), "flow:progress")]
        return [Reply(text=text, section=node.section, choices=choices)]

    async def resume(self, ctx: Ctx) -> list[Reply]:
        if await self._finished(ctx):
            return [await self._finished_reply(ctx, OVERVIEW_SECTION)]
        node = await self.saved_node(ctx)
        if node is None:
            return [Reply(text=ctx.t("resume.none"), section=OVERVIEW_SECTION,
                          choices=[Choice(ctx.t("nav.begin"), "flow:start:1"),
                                   Choice(ctx.t("nav.progress"), "flow:progress")])]
        return await self.show(ctx, node, notice=ctx.t("resume.back", where=self._where(ctx, node)))

    async def navigate(self, ctx: Ctx, action: str, node: Node) -> list[Reply]:
        if action == "next":
            return await self.forward(ctx, node, checked=True)
        if action == "back":
            return await self.back(ctx, node)
        if action == "skip":
            await ctx.journey.set_status(node.section, "skipped")
            return await self._leave_section(ctx, node)
        if action == "tips":
            return [self.tips(ctx, node)]
        return [self.stop(ctx, node)]

    async def forward(self, ctx: Ctx, node: Node, *, checked: bool, notice: Md | None = None) -> list[Reply]:
        """To the node after `node`, unless its check fails (then the same prompt with the reason)."""
        if checked and node.check:
            problem = await self.registry.checks[node.check](ctx)
            if problem:
                return await self.show(ctx, node, notice=problem)
        if node.warn:
            warning = await self.registry.checks[node.warn](ctx)
            if warning:
                notice = _join(notice, warning)
        following = self.plan.following(node)
        if following is not None:
            return await self.show(ctx, following, notice=notice)
        await ctx.journey.set_status(node.section, "done")
        return await self._leave_section(ctx, node, notice)

    async def _leave_section(self, ctx: Ctx, node: Node, notice: Md | None = None) -> list[Reply]:
        statuses = await ctx.journey.statuses()
        route = await ctx.journey.route()
        target = self.plan.next_section(node.section, route, lambda s: statuses.get(s) in FINISHED)
        if target is None:
            return await self.finish(ctx, node, notice)
        first = self.plan.first(target)
        assert first is not None
        return await self.show(ctx, first, notice=notice)

    async def back(self, ctx: Ctx, node: Node) -> list[Reply]:
        previous = self.plan.preceding(node)
        if previous is None:
            section = self.plan.previous_section(node.section, await ctx.journey.route())
            if section is None:
                return await self.show(ctx, node, notice=ctx.t("notice.at_start"))
            previous = self.plan.substeps[section].nodes[-1]
        return await self.show(ctx, previous)

    def tips(self, ctx: Ctx, node: Node) -> Reply:
        if node.tips:
            lines = [ctx.t("tips.title")] + [f"- {tip[ctx.lang]}" for tip in node.tips]
        else:
            lines = [ctx.t("tips.none")]
        return Reply(text=self._compose(ctx, node, *lines), section=node.section,
                     choices=self._nav(ctx, node, ("next", "back", "stop")))

    def stop(self, ctx: Ctx, node: Node) -> Reply:
        ctx.turn.state.active = None
        ctx.turn.data(FEATURE).pop("at", None)
        return Reply(text=self._compose(ctx, node, ctx.t("stopped", where=self._where(ctx, node))),
                     section=node.section, choices=[Choice(ctx.t("nav.resume"), "flow:resume"),
                                                    Choice(ctx.t("nav.progress"), "flow:progress")])

    async def finish(self, ctx: Ctx, node: Node, notice: Md | None = None) -> list[Reply]:
        await ctx.journey.move(END, "", ctx.turn.incoming.user_id)
        ctx.turn.state.active = None
        ctx.turn.data(FEATURE).pop("at", None)
        reply = await self._finished_reply(ctx, node.section)
        reply.text = self._compose(ctx, node, notice, reply.text)
        return [reply]

    async def _finished_reply(self, ctx: Ctx, section: str) -> Reply:
        statuses = await ctx.journey.statuses()
        open_steps = [code for code in ("2A", "2B") if not all(
            statuses.get(sub.section) in FINISHED for sub in self.plan.steps[code].substeps)]
        choices = [Choice(ctx.t("nav.start_step", step=code), f"flow:start:{code}") for code in open_steps]
        choices.append(Choice(ctx.t("nav.progress"), "flow:progress"))
        text = ctx.t("finished.text")
        if open_steps:
            text = Md(text + " " + ctx.t("finished.open", steps=", ".join(open_steps)))
        return Reply(text=text, section=section, choices=choices)

    # -- answers ---------------------------------------------------------------------------------
    async def answer(self, ctx: Ctx, node: Node, value: str) -> list[Reply]:
        option = next((o for o in node.options if o.value == value), None)
        if option is None:
            return await self.show(ctx, node, notice=ctx.t("notice.pick_option"))
        outcome = Outcome()
        if node.save:
            outcome = await self.registry.saves[node.save](ctx, node, {"choice": value})
            if outcome.errors:
                return await self.show(ctx, node, notice=Md("\n".join(outcome.errors)))
        await ctx.journey.save_answer(node.section, node.id, outcome.answer if outcome.answer is not None else value)
        said = _join(Md(option.reply[ctx.lang]) if option.reply else None, outcome.text)
        offers = [Choice(ctx.t("nav.start_step", step=code), f"flow:start:{code}") for code in option.offer]
        if not option.advance:
            self._remember(ctx, node)
            choices = offers + self._nav(ctx, node, ("next", "back", "stop"))
            return [Reply(text=self._compose(ctx, node, said), section=node.section,
                          choices=choices[:MAX_CHOICES], attachments=outcome.attachments)]
        replies: list[Reply] = []
        if said or outcome.attachments or offers:
            replies.append(Reply(text=self._compose(ctx, node, said), section=node.section,
                                 attachments=outcome.attachments, choices=offers))
        return replies + await self.forward(ctx, node, checked=False)

    def match_option(self, node: Node, norm: str) -> Option | None:
        """The answer a typed message picks: its number, value, label or one of its words."""
        picked = parse_id(norm)
        if picked is not None and 1 <= picked <= len(node.options):
            return node.options[picked - 1]
        for option in node.options:
            names = {option.value.lower(), *(normalise(label) for label in option.label.values()),
                     *(normalise(w) for w in option.words)}
            if norm in names:
                return option
        return None

    async def submit(self, ctx: Ctx, node: Node, values: Any) -> list[Reply]:
        form = await self.build_form(ctx, node)
        if form is None:
            return await self.show(ctx, node)
        values = dict(values) if isinstance(values, dict) else {}
        clean, errors = read_form(form, values, ctx.lang)
        errors += self._personal_data(ctx, node, form, clean)
        outcome = Outcome()
        if not errors and node.save:
            try:
                outcome = await self.registry.saves[node.save](ctx, node, clean)
            except ValidationError as exc:
                label = next((f.label for f in form.fields if f.name == exc.field), None)
                outcome = Outcome(errors=[exc.message(ctx.lang, label)])
            errors = outcome.errors
        if errors:
            reply = invalid_reply(form, values, errors, ctx.lang, section=node.section)
            reply.text = self._compose(ctx, node, reply.text)
            reply.choices = [*outcome.choices, *self._nav(ctx, node, ("back", "skip", "stop"))][:MAX_CHOICES]
            self._remember(ctx, node)
            return [reply]
        answer = outcome.answer if outcome.answer is not None else clean
        await ctx.journey.save_answer(node.section, node.id, answer, append=node.repeat)
        if node.repeat:
            fresh = await self.build_form(ctx, node)
            text = _join(outcome.text, ctx.t("repeat.again"))
            self._remember(ctx, node)
            return [Reply(text=self._compose(ctx, node, text), section=node.section, form=fresh,
                          attachments=outcome.attachments,
                          choices=[*outcome.choices, Choice(ctx.t("nav.done"), f"flow:next:{node.section}:{node.id}"),
                                   *self._nav(ctx, node, ("back", "stop"))][:MAX_CHOICES])]
        replies: list[Reply] = []
        if outcome.text or outcome.attachments:
            replies.append(Reply(text=self._compose(ctx, node, outcome.text),
                                 section=node.section, attachments=outcome.attachments, choices=outcome.choices))
        return replies + await self.forward(ctx, node, checked=True)

    def _personal_data(self, ctx: Ctx, node: Node, form: Form, clean: dict[str, Any]) -> list[Md]:
        """The AVG guard on the node's free-text fields: nothing is stored while one holds personal data."""
        assert node.form is not None
        guarded = {spec.name: spec.no_names for spec in node.form.fields if spec.guard}
        errors = []
        for field in form.fields:
            text = clean.get(field.name)
            if field.name in guarded and isinstance(text, str):
                refused = privacy_message(text, ctx.today, ctx.lang, field.label, names=guarded[field.name])
                if refused:
                    errors.append(refused)
        return errors

    # -- rendering -------------------------------------------------------------------------------
    async def show(self, ctx: Ctx, node: Node, *, notice: Md | None = None) -> list[Reply]:
        await ctx.journey.move(node.section, node.id, ctx.turn.incoming.user_id)
        await ctx.journey.set_status(node.section, "in_progress")
        self._remember(ctx, node)
        parts = [self._mark(ctx, node)]
        if notice:
            parts.append(notice)
        sub = self.plan.substeps[node.section]
        if sub.index == 1 and node is sub.nodes[0] and node.section != sub.step:
            parts.append(Md(f"_{self.plan.steps[sub.step].goal[ctx.lang]}_"))
        parts.append(Md(node.text[ctx.lang]))
        extra = await self.registry.views[node.show](ctx, node) if node.show else Outcome()
        if extra.text:
            parts.append(extra.text)
        choices = list(extra.choices)
        form = await self.build_form(ctx, node) if node.form else None
        if node.form and form is None:
            assert node.empty is not None
            parts.append(Md(node.empty[ctx.lang]))
            if node.empty_goto:
                choices.append(Choice(ctx.t("nav.go_to", section=node.empty_goto), f"flow:start:{node.empty_goto}"))
        if node.options:
            choices += [Choice(o.label[ctx.lang], f"flow:ans:{node.section}:{node.id}:{o.value}") for o in node.options]
            choices += self._nav(ctx, node, ("back", "tips", "skip", "stop"))
        else:
            choices += self._nav(ctx, node, NAV)
        return [Reply(text=Md("\n".join(parts)), section=node.section, choices=choices[:MAX_CHOICES], form=form,
                      attachments=extra.attachments)]

    async def build_form(self, ctx: Ctx, node: Node) -> Form | None:
        """The node's form with its options filled in; None when a required list (or every list) is still empty."""
        spec = node.form
        assert spec is not None
        values = await self.registry.prefills[node.prefill](ctx) if node.prefill else {}
        fields: list[FormField] = []
        for f in spec.fields:
            options = await self._options(ctx, f)
            if f.type in ("choice", "multichoice") and not options:
                if f.required:
                    return None
                continue
            fields.append(FormField(name=f.name, label=f.label[ctx.lang], type=f.type, required=f.required,
                                    options=options, value=values.get(f.name),
                                    hint=f.hint[ctx.lang] if f.hint else None, minimum=f.minimum,
                                    maximum=f.maximum, integer=f.integer, after=f.after, before=f.before,
                                    messages=dict(f.messages)))
        if not fields:  # every list it draws on is still empty: nothing to ask
            return None
        return Form(id=f"{PREFIX}{node.section}:{node.id}", title=spec.title[ctx.lang], fields=fields,
                    submit_label=t("form.submit", ctx.lang))

    async def _options(self, ctx: Ctx, spec: FieldSpec) -> list[Choice]:
        if spec.source:
            return await self.registry.sources[spec.source](ctx)
        return [Choice(o.label[ctx.lang], o.value) for o in spec.options]

    def _nav(self, ctx: Ctx, node: Node, actions: tuple[str, ...]) -> list[Choice]:
        out = []
        for action in actions:
            if action == "tips" and not node.tips:
                continue
            value = "flow:stop" if action == "stop" else f"flow:{action}:{node.section}:{node.id}"
            out.append(Choice(ctx.t(f"nav.{action}"), value))
        return out

    def _remember(self, ctx: Ctx, node: Node) -> None:
        ctx.turn.state.active = FEATURE
        ctx.turn.data(FEATURE)["at"] = [node.section, node.id]

    def _mark(self, ctx: Ctx, node: Node) -> Md:
        sub = self.plan.substeps[node.section]
        name = _bare_title(node.section, ctx.lang)
        if sub.step == node.section:
            return ctx.t("mark.single", name=name)
        return ctx.t("mark.step", step=sub.step, section=node.section, index=sub.index, count=sub.count, name=name)

    def _compose(self, ctx: Ctx, node: Node, *parts: Md | str | None) -> Md:
        """A walk-through message: the progress mark, then the parts that are not empty."""
        return Md("\n".join(p for p in (self._mark(ctx, node), *parts) if p))

    def _where(self, ctx: Ctx, node: Node) -> str:
        return f"{node.section} {_bare_title(node.section, ctx.lang)}"

    # -- progress overview -----------------------------------------------------------------------
    async def progress(self, ctx: Ctx) -> list[Reply]:
        statuses = await ctx.journey.statuses()
        position = await ctx.journey.position()
        route = await ctx.journey.route()
        here = position.section if position else None
        lines = [ctx.t("progress.title")]
        for code, step in self.plan.steps.items():
            cells = []
            for sub in step.substeps:
                status = "current" if sub.section == here else statuses.get(sub.section, "not_started")
                cells.append(f"{sub.section} {ctx.t('progress.mark.' + status)}")
            label = ctx.t("progress.route") if code == "route" else ctx.t("progress.step", step=code)
            note = ""
            if code == "route" and route:
                note = " " + ctx.t("progress.route_choice", route=ctx.t(f"progress.route_name.{route}"))
            lines.append(f"- **{label}**: {' · '.join(cells)}{note}")
        lines.append(ctx.t("progress.legend"))
        choices = []
        if position is not None and position.section != END:
            choices.append(Choice(ctx.t("nav.resume"), "flow:resume"))
        elif position is None:
            choices.append(Choice(ctx.t("nav.begin"), "flow:start:1"))
        if route == "both" and not all(statuses.get(sub.section) in FINISHED for sub in self.plan.steps["2A"].substeps):
            choices.append(Choice(ctx.t("nav.start_step", step="2A"), "flow:start:2A"))
        return [Reply(text=Md("\n".join(lines)), section=OVERVIEW_SECTION, choices=choices)]


def _bare_title(section: str, lang: str) -> str:
    """The section's title without its leading code ("1b Een werkgroep opzetten" → "Een werkgroep opzetten")."""
    name = title(section, lang)
    head, _, rest = name.partition(" ")
    return rest if head == section and rest else name


def _join(*parts: Md | None) -> Md:
    return Md("\n".join(p for p in parts if p))
