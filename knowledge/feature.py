"""The knowledge base as a router feature: it answers any question that no other feature took.

Owned values: `kb:ask` (prompt), `kb:answer:<id>` (show an entry), `kb:handoff` (pass the last
unanswered question to the working group), the hand-off's `kb:reply:<id>` / `kb:add:<id>`
buttons and forms, and the own answers' `kb:own`, `kb:show:`, `kb:edit:`, `kb:remove:` (knowledge.own).
Registered last in `app.build_features`: it is the catch-all for typed text.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.feature import Dispatching, Turn
from bot.i18n import t
from bot.messages import Choice, Reply
from bot.repository import Repository
from bot.services import Services
from bot.values import printable
from knowledge import handoff, own
from knowledge.base import KnowledgeBase, OrgKnowledge, default_base
from knowledge.records import MAX_QUESTION, OrgEntry
from knowledge.render import HANDOFF, OWN, answer_reply, outcome_reply

NAME = "knowledge"
DIALOGS = "dialogs"
EXAMPLES = ("1", "2", "3")


class OrgCache:
    """Each organisation's own entries, indexed once and rebuilt on any change.

    The key is the entries' revision (count, highest id, highest revision number): adding raises the
    count, removing lowers it, and every add or edit raises the revision (knowledge.own.next_revision).
    """

    def __init__(self) -> None:
        self._built: dict[str, tuple[tuple[int, int, Any], OrgKnowledge]] = {}

    async def get(self, repo: Repository) -> OrgKnowledge | None:
        key = await repo.revision(OrgEntry, "revision")
        if key[0] == 0:
            self._built.pop(repo.org_id, None)
            return None
        cached = self._built.get(repo.org_id)
        if cached is not None and cached[0] == key:
            return cached[1]
        built = OrgKnowledge.build(await repo.list(OrgEntry))
        self._built[repo.org_id] = (key, built)
        return built


class KnowledgeFeature(Dispatching):
    name = NAME
    prefixes = ("kb:",)

    def __init__(self, services: Services | None = None, kb: KnowledgeBase | None = None) -> None:
        self._kb = kb
        self.orgs = OrgCache()
        if services is not None:
            services.on_startup.append(self._warm_up)

    @property
    def kb(self) -> KnowledgeBase:
        if self._kb is None:
            self._kb = default_base()
        return self._kb

    async def _warm_up(self) -> None:
        """Build the index in the background at start, so the first question is answered quickly."""
        self._kb = await asyncio.to_thread(default_base)

    def help_choices(self, lang: str) -> list[Choice]:
        return [Choice(t("kb.help.ask", lang), "kb:ask"), Choice(t("kb.help.person", lang), HANDOFF)]

    async def on_text(self, turn: Turn) -> list[Reply] | None:
        text = turn.text.strip()
        if not text:
            return None
        lang = own.asks_for_list(turn.norm)
        if lang is not None:
            turn.lang = turn.state.lang = lang
            return [await own.list_reply(turn)]
        if handoff.wants_person(text):
            return [await handoff.open_ask(turn, self._pending(turn))]
        return await self.answer(turn, text)

    async def answer(self, turn: Turn, text: str) -> list[Reply] | None:
        org = await self.orgs.get(turn.repo)
        outcome = self.kb.ask(text, turn.lang, org)
        if outcome.entry is None and not self.kb.has_content(text):
            return None  # "ok", "volgende", "thanks": not a question; the router's fallback answers
        data = turn.data(NAME)
        if outcome.entry is None and not outcome.off_topic:
            data["pending"] = text[:MAX_QUESTION]
        else:
            data.pop("pending", None)
        reachable = outcome.entry is not None or outcome.off_topic or await handoff.available(turn)
        return [outcome_reply(outcome, self.kb, org, resume=self._mid_walk(turn), handoff=reachable)]

    @staticmethod
    def _mid_walk(turn: Turn) -> bool:
        return turn.state.active == DIALOGS

    @staticmethod
    def _pending(turn: Turn) -> str | None:
        return turn.data(NAME).get("pending")

    async def on_choice(self, turn: Turn, value: str) -> list[Reply] | None:
        if value == "kb:ask":
            examples = [t(f"kb.examples.{n}", turn.lang) for n in EXAMPLES]
            return [Reply(text=turn.t("kb.prompt"), choices=[Choice(q, q) for q in examples])]
        if value.startswith("kb:answer:"):
            org = await self.orgs.get(turn.repo)
            entry = self.kb.entry(value.removeprefix("kb:answer:"), org)
            if entry is None:
                return [turn.reply("kb.stale")]
            turn.data(NAME).pop("pending", None)
            return [answer_reply(entry, turn.lang, self.kb, org, resume=self._mid_walk(turn))]
        if value == HANDOFF:
            pending = self._pending(turn)
            if not pending:
                return [await handoff.open_ask(turn, None)]
            turn.data(NAME).pop("pending", None)
            return await handoff.forward(turn, pending)
        if value.startswith(handoff.REPLY):
            return await handoff.open_reply(turn, value)
        if value.startswith(handoff.ADD):
            return await handoff.open_add(turn, value)
        return await own.choice(turn, value)

    async def on_form(self, turn: Turn, form_id: str, values: Any) -> list[Reply] | None:
        if form_id == handoff.ASK_FORM:
            text = values.get("question") if isinstance(values, dict) else None
            text = printable(text) if isinstance(text, str) else ""
            if not text:  # nothing, or only control characters
                return [handoff.ask_form(turn, None)]
            turn.data(NAME).pop("pending", None)
            return await handoff.forward(turn, text)
        if form_id.startswith(handoff.REPLY):
            return await handoff.submit_reply(turn, form_id, values)
        if form_id.startswith(handoff.ADD):
            added = await handoff.submit_add(turn, form_id, values)
            if isinstance(added, list):
                return added
            return [turn.reply("kb.add.saved", choices=[Choice(turn.t("kb.own.button"), OWN)])]
        if form_id.startswith(own.EDIT):
            return await own.submit_edit(turn, form_id.removeprefix(own.EDIT), values)
        return None
