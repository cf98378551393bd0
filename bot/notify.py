"""The Notifier port: how the scheduler's messages reach people, one implementation per channel.

A notifier delivers replies to a user (direct message) or to a group conversation. It raises
`DeliveryError` with `transient=True` for what is worth retrying (429, 5xx, timeouts; with
`retry_after` when the channel said so) and `transient=False` when it never will work (the bot
was removed, the conversation is gone). Retrying, pacing and "exactly once" live in the scheduler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from bot.messages import Reply


@dataclass(frozen=True, slots=True)
class Target:
    org_id: str
    channel: str
    to: Literal["user", "group"]
    user_id: str | None = None
    conversation_id: str | None = None

    @property
    def conversation_key(self) -> str:
        """What pacing counts per: one conversation (or one user's direct chat)."""
        return f"{self.channel}:{self.org_id}:{self.conversation_id or self.user_id}"


class DeliveryError(Exception):
    def __init__(self, message: str, *, transient: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.transient = transient
        self.retry_after = retry_after


class Notifier(Protocol):
    channel: str

    async def deliver(self, target: Target, replies: list[Reply], key: str) -> None:
        """Deliver, or raise DeliveryError. `key` identifies the notification (for idempotency)."""
        ...
