"""The Teams Notifier: the scheduler's messages, sent proactively to a user's personal chat or a channel.

It looks up the stored ConversationRef, renders the replies, and sends them through the SDK's
`continue_conversation_with_claims`. Throttling and server errors are retried here a bounded number of
times (Retry-After honoured); what still fails is a transient DeliveryError for the scheduler to retry
later. A 403/404 (the bot was removed, the conversation is gone) marks the reference inactive, so the
digest can tell the coordinator, and is a permanent DeliveryError. Parts of a notification that were
already delivered are not sent again when the scheduler retries the rest.
"""

from __future__ import annotations

from typing import Any

from microsoft_agents.hosting.core import TurnContext

from adapters.teams import refs
from adapters.teams.cards import render_all
from adapters.teams.channel import Bounded, TeamsChannel
from adapters.teams.delivery import ConversationGone
from bot.messages import Reply
from bot.notify import DeliveryError, Target

NOTIFY_ATTEMPTS = 5
NOTIFY_RETRY_CAP = 30.0
NOTIFY_MAX_WAIT = 120.0
"""A longer Retry-After is handed back to the scheduler, which retries on its next pass."""


class TeamsNotifier:
    channel = "teams"

    def __init__(self, teams: TeamsChannel, *, attempts: int = NOTIFY_ATTEMPTS,
                 cap: float = NOTIFY_RETRY_CAP) -> None:
        self.teams = teams
        self.attempts = attempts
        self.cap = cap
        self._delivered: Bounded[str, set[int]] = Bounded()
        """Notification key → indexes of its messages already delivered."""

    async def deliver(self, target: Target, replies: list[Reply], key: str) -> None:
        services = self.teams.services
        repo = services.repo(target.org_id)
        ref = await refs.for_target(repo, target)
        if ref is None:
            raise DeliveryError(f"no Teams conversation known for {target.to} "
                                f"{target.user_id or target.conversation_id}", transient=False)
        if not ref.active:
            raise DeliveryError(f"Teams conversation inactive: {ref.inactive_reason}", transient=False)
        lang = await self.teams.language(target.org_id, target.user_id if target.to == "user" else None)
        rendered = render_all(replies, self.teams.surface(lang, personal=ref.kind == "user"))
        done = self._delivered.get(key) or set()

        async def send_all(context: TurnContext) -> None:
            for index, item in enumerate(rendered):
                if index in done:
                    continue
                await self.teams.send(context, item.activity, reply_to=None, attempts=self.attempts, cap=self.cap,
                                      max_wait=NOTIFY_MAX_WAIT)
                done.add(index)
                self._delivered.put(key, done)

        try:
            await self.teams.proactive(ref.reference, send_all)
        except ConversationGone as exc:
            await refs.deactivate(repo, ref, f"Teams answered {exc.status}: the bot was removed or the "
                                  "conversation is gone", services.clock.now())
            raise
        self._remember_suggestions(target, ref.conversation_id, rendered)

    def _remember_suggestions(self, target: Target, conversation_id: str, rendered: list[Any]) -> None:
        if rendered and rendered[-1].suggested and target.to == "user":
            self.teams.suggested.put((target.org_id, conversation_id), rendered[-1].suggested)
