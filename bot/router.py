"""The router every channel calls: one Incoming in, the bot's Replies out.

It loads the organisation and the user's conversation state, picks the language, hands the
message to the right feature, saves the state, logs one line per turn and turns any exception
into a short apology (the server never goes down over one message).
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from bot.commands import CoreCommands
from bot.feature import Feature, Turn
from bot.i18n import t
from bot.language import detect
from bot.messages import Choice, FormSubmission, Incoming, Reply
from bot.records import ConversationState, Organisation
from bot.repository import one_commit
from bot.services import Services
from bot.values import printable
from bot.workgroup import member_for

log = logging.getLogger("partnerbot.turn")
MAX_TEXT = 2000


def _utf8(value: Any) -> Any:
    """`value` with lone surrogates taken out of every string in it (JSON's \\ud800 escapes can carry them,
    UTF-8 cannot, so they could be neither stored nor sent on)."""
    if isinstance(value, str):
        return value if value.isascii() else value.encode("utf-8", "ignore").decode("utf-8")
    if isinstance(value, list):
        return [_utf8(v) for v in value]
    if isinstance(value, dict):
        return {_utf8(k): _utf8(v) for k, v in value.items()}
    return value


def receivable(incoming: Incoming) -> Incoming:
    """The message as the features get it: text cleaned, and no lone surrogates in any value."""
    form = incoming.form
    if form is not None:
        form = FormSubmission(id=_utf8(form.id), values=_utf8(form.values) if isinstance(form.values, dict) else {})
    return replace(incoming, user_id=_utf8(incoming.user_id),
                   user_name=_utf8(incoming.user_name), conversation_id=_utf8(incoming.conversation_id),
                   text=printable(incoming.text) if incoming.text is not None else None,
                   choice=_utf8(incoming.choice), form=form)


class Router:
    def __init__(self, services: Services, features: Sequence[Feature] = ()) -> None:
        self.services = services
        self.features: list[Feature] = list(features)
        self.core = CoreCommands(self)
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = \
            weakref.WeakValueDictionary()
        self._soft: set[asyncio.Future[Any]] = set()
        services.router = self
        services.on_shutdown.append(self.flush)

    def _all(self) -> list[Feature]:
        return [self.core, *self.features]

    def owner(self, value: str) -> Feature | None:
        """The feature whose prefix the choice value or form id starts with (longest prefix wins)."""
        best: tuple[int, Feature] | None = None
        for feature in self._all():
            for prefix in feature.prefixes:
                if value.startswith(prefix) and (best is None or len(prefix) > best[0]):
                    best = (len(prefix), feature)
        return best[1] if best else None

    async def handle(self, incoming: Incoming) -> list[Reply]:
        started = time.perf_counter()
        outcome = "ok"
        try:
            replies = await self._locked_turn(incoming)
        except Exception:
            outcome = "error"
            log.exception("turn failed channel=%s org=%s", incoming.channel, incoming.org_id)
            replies = [Reply(text=t("error.apology", self.services.config.language))]
        elapsed = (time.perf_counter() - started) * 1000
        log.info("turn channel=%s org=%s kind=%s outcome=%s replies=%d ms=%.1f", incoming.channel,
                 incoming.org_id, incoming.kind, outcome, len(replies), elapsed)
        return replies

    async def _locked_turn(self, incoming: Incoming) -> list[Reply]:
        key = (incoming.org_id, incoming.user_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        async with lock, one_commit():  # the turn's writes reach the disk together, before the reply
            return await self._turn(incoming)

    def _save_soft(self, saving: asyncio.Future[Any]) -> None:
        self._soft.add(saving)

        def done(finished: asyncio.Future[Any]) -> None:
            self._soft.discard(finished)
            if not finished.cancelled():
                finished.exception()  # retrieved here: the store has logged it, the turn is long over

        saving.add_done_callback(done)

    async def flush(self) -> None:
        """Wait until every soft save is on disk (at shutdown)."""
        if self._soft:
            await asyncio.gather(*self._soft, return_exceptions=True)

    async def _turn(self, incoming: Incoming) -> list[Reply]:
        services = self.services
        incoming = receivable(incoming)
        repo = services.repo(incoming.org_id)
        org = await repo.organisation(Organisation(language=services.config.language,
                                                   timezone=services.config.timezone))
        state = await repo.find(ConversationState, user_id=incoming.user_id) \
            or ConversationState(user_id=incoming.user_id)
        before = state.to_doc()
        lang = self._language(incoming, state, org)
        detected = state.lang
        turn = Turn(incoming=incoming, lang=lang, repo=repo, org=org, state=state, services=services,
                    member=await member_for(repo, incoming))
        replies = await self._dispatch(turn)
        after = state.to_doc()
        if after != before:
            state.updated_at = services.clock.now()
            if state.id is not None and state.lang == detected and after == {**before, "lang": detected}:
                # only the language the message was written in changed: the reply need not wait for
                # the disk (readers see it at once, the next batch writes it; a crash may lose it)
                self._save_soft(repo.update_soon(state))
            else:
                await repo.save(state)
        return replies

    @staticmethod
    def _language(incoming: Incoming, state: ConversationState, org: Organisation) -> str:
        if incoming.text:
            detected = detect(incoming.text)
            if detected:
                state.lang = detected
                return detected
        return state.lang or org.language

    async def _dispatch(self, turn: Turn) -> list[Reply]:
        incoming = turn.incoming
        if incoming.form is not None:
            owner = self.owner(incoming.form.id)
            replies = await owner.handle(turn) if owner else None
            return replies if replies is not None else [turn.reply("form.unknown")]
        if incoming.choice is not None:
            owner = self.owner(incoming.choice)
            replies = await owner.handle(turn) if owner else None
            if replies is not None:
                return replies
            # a button whose value is a plain command ("volgende", "help") reads as typed text
            turn.incoming = replace(incoming, choice=None, text=printable(incoming.choice))
            turn.extra.pop("_norm", None)
        text = turn.text
        if len(text) > MAX_TEXT:
            return [turn.reply("too_long", length=len(text), maximum=MAX_TEXT)]
        if not text:
            return [self.core.help(turn)]
        replies = await self.core.handle(turn)
        if replies is not None:
            return replies
        for feature in self._text_order(turn.state.active):
            replies = await feature.handle(turn)
            if replies is not None:
                return replies
        return [turn.reply("fallback.text", choices=[Choice(turn.t("fallback.menu"), "core:help")])]

    def _text_order(self, active: str | None) -> list[Feature]:
        first = [f for f in self.features if f.name == active]
        return first + [f for f in self.features if f.name != active]
