"""The walk-through as a router feature: which buttons, forms and typed messages are ours.

Owned values: `flow:start:<section>` and `flow:resume` (contracts other features use), plus our
own navigation (`flow:next|back|skip|tips:<section>:<node>`, `flow:ans:…`, `flow:stop`,
`flow:begin`, `flow:progress`) and form ids `flow:<section>:<node>`. Typed text is ours when it
starts, resumes or shows the walk-through, or, while a walk-through holds the conversation,
when it navigates or answers the question on screen. Anything else returns None, so a question
in the middle of a walk-through still reaches the knowledge base.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.feature import Dispatching, Turn
from bot.i18n import register_texts, t
from bot.messages import Choice, Reply
from bot.sections import STEP_ORDER
from dialogs.engine import FEATURE, NAV, PREFIX, Engine
from dialogs.ops import REGISTRY
from dialogs.plan import STEP_FILES, load_plan
from dialogs.registry import Ctx

HERE = Path(__file__).parent
register_texts(HERE / "texts.yaml")

# Sections a walk can start at: the steps ("2B") and their sub-steps ("4a"), matched without case.
STARTABLE = {code.lower(): code for code in (*STEP_FILES, *STEP_ORDER)} | {"2": "route"}


@cache
def phrases() -> dict[str, Any]:
    return yaml.safe_load((HERE / "phrases.yaml").read_text("utf-8"))


@cache
def _step_pattern() -> re.Pattern[str]:
    return re.compile(phrases()["step_pattern"])


def start_code(norm: str) -> str | None:
    """The section a typed "stap 2B" / "go to step 4a" asks for."""
    m = _step_pattern().match(norm)
    if not m:
        return None
    return STARTABLE.get(m.group("code").replace(" ", ""))


ENTRIES = ("begin", "resume", "progress")


def intent(norm: str) -> str | None:
    """"begin", "resume" or "progress" for a typed request to walk, continue or see the steps."""
    for name in ENTRIES:
        if norm in phrases()[name]:
            return name
    return None


def nav_action(norm: str) -> str | None:
    for action, words in phrases()["nav"].items():
        if norm in words:
            return action
    return None


class Dialogs(Dispatching):
    name = FEATURE
    prefixes = (PREFIX,)

    def __init__(self, engine: Engine | None = None) -> None:
        self.engine = engine or Engine(load_plan(REGISTRY.names()), REGISTRY)

    def help_choices(self, lang: str) -> list[Choice]:
        return [Choice(t("flow.help.walk", lang), "flow:begin"), Choice(t("flow.help.progress", lang), "flow:progress")]

    async def on_form(self, turn: Turn, form_id: str, values: Any) -> list[Reply] | None:
        section, _, node_id = form_id.removeprefix(PREFIX).partition(":")
        node = self.engine.plan.node(section, node_id)
        if node is None or node.form is None:
            return None
        return await self.engine.submit(self.engine.context(turn), node, values)

    async def on_choice(self, turn: Turn, value: str) -> list[Reply] | None:
        engine = self.engine
        ctx = engine.context(turn)
        kind, _, rest = value.removeprefix(PREFIX).partition(":")
        if kind in ENTRIES:
            return await self._entry(ctx, kind)
        if kind == "start":
            return await engine.start(ctx, STARTABLE.get(rest.lower(), ""))
        if kind == "stop":
            node = engine.on_screen(ctx) or await engine.saved_node(ctx)
            return [engine.stop(ctx, node)] if node else await engine.progress(ctx)
        section, _, rest = rest.partition(":")
        node_id, _, answer = rest.partition(":")
        node = engine.plan.node(section, node_id)
        if node is None:
            return [Reply(text=t("flow.unknown_button", turn.lang), choices=[
                Choice(t("flow.nav.resume", turn.lang), "flow:resume")])]
        if kind == "ans":
            return await engine.answer(ctx, node, answer)
        if kind in NAV:
            return await engine.navigate(ctx, kind, node)
        return None

    async def on_text(self, turn: Turn) -> list[Reply] | None:
        engine = self.engine
        norm = turn.norm
        ctx = engine.context(turn)
        node = engine.on_screen(ctx)
        if node is not None:
            action = nav_action(norm)
            if action is not None:
                return await engine.navigate(ctx, action, node)
            option = engine.match_option(node, norm) if node.options else None
            if option is not None:
                return await engine.answer(ctx, node, option.value)
        code = start_code(norm)
        if code is not None:
            return await engine.start(ctx, code)
        wanted = intent(norm)
        return await self._entry(ctx, wanted) if wanted else None

    async def _entry(self, ctx: Ctx, kind: str) -> list[Reply]:
        """'begin' (start or offer to resume), 'resume' (the saved position) or 'progress' (the overview)."""
        entry = {"begin": self.engine.begin, "resume": self.engine.resume, "progress": self.engine.progress}[kind]
        return await entry(ctx)

