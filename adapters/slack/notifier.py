"""The Slack Notifier: the scheduler's messages as a DM to a person or a post in the working group's channel.

slack_sdk retries 429 (after Retry-After) and 5xx itself; what still fails becomes a `DeliveryError`.
A channel or user the bot can no longer reach has its ConversationRef marked inactive. Sends are
paced to one per second per conversation, and a retry of the same notification skips the replies
that already went out, so nothing arrives twice.
"""

from __future__ import annotations

import logging
from collections import OrderedDict

import aiohttp
from slack_sdk.errors import SlackClientError

from adapters.slack.client import failure
from adapters.slack.sender import Destination, SlackSender
from bot.messages import Reply
from bot.notify import DeliveryError, Target
from bot.records import ConversationRef
from bot.retry import Pacer

log = logging.getLogger(__name__)
MAX_SENT_KEYS = 20000


class SlackNotifier:
    channel = "slack"

    def __init__(self, sender: SlackSender, pacer: Pacer | None = None) -> None:
        self.sender = sender
        self.pacer = pacer or Pacer(1.0)
        self._sent: OrderedDict[str, None] = OrderedDict()

    async def deliver(self, target: Target, replies: list[Reply], key: str) -> None:
        if target.to == "user" and not target.user_id:
            raise DeliveryError("no user to deliver to", transient=False)
        if target.to == "group" and not target.conversation_id:
            raise DeliveryError("no channel to deliver to", transient=False)
        await self._refuse_inactive(target)
        try:
            channel = target.conversation_id if target.to == "group" else \
                await self.sender.dm_channel(target.org_id, target.user_id or "")
            dest = Destination(org_id=target.org_id, user_id=target.user_id, channel=channel)
            lang = await self.sender.language(target.org_id, target.user_id if target.to == "user" else None)
            for index, reply in enumerate(replies):
                reply_key = f"{target.conversation_key}|{key}|{index}"
                if reply_key in self._sent:
                    continue
                await self.pacer.wait(target.conversation_key)
                await self.sender.send(dest, [reply], lang)
                self._remember(reply_key)
        except (SlackClientError, aiohttp.ClientError, OSError, TimeoutError) as exc:
            problem = failure(exc)
            if problem.gone:
                await self.sender.mark_gone(target.org_id, "group" if target.to == "group" else "user", problem.code,
                                            conversation_id=target.conversation_id, user_id=target.user_id)
            log.warning("slack delivery of %s failed: %s", key, problem.error)
            raise problem.error from exc

    async def _refuse_inactive(self, target: Target) -> None:
        repo = self.sender.repo(target.org_id)
        if target.to == "group":
            ref = await repo.find(ConversationRef, channel="slack", kind="group",
                                  conversation_id=target.conversation_id)
        else:
            ref = await repo.find(ConversationRef, channel="slack", kind="user", user_id=target.user_id)
        if ref is not None and not ref.active:
            raise DeliveryError(f"slack: the bot can no longer post there ({ref.inactive_reason})", transient=False)

    def _remember(self, reply_key: str) -> None:
        self._sent[reply_key] = None
        if len(self._sent) > MAX_SENT_KEYS:
            self._sent.popitem(last=False)
