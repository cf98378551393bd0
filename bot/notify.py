"""The Notifier port: how the scheduler's messages reach people, one implementation per channel.

A notifier delivers replies to a user (direct message) or to a group conversation. It raises
`DeliveryError` with `transient=True` for what is worth retrying (429, 5xx, timeouts; with
`retry_after` when the channel said so) and `transient=False` when it never will work (the bot
was removed, the conversation is gone). Retrying, pacing and "exactly once" live in the scheduler.
Features that have their own due notifications (monitoring) hand them to the scheduler as `Notice`s
through a `DueSource`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, Protocol

from bot.messages import Reply

if TYPE_CHECKING:
    from bot.markdown import Md
    from bot.records import Organisation
    from bot.repository import Repository


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


@dataclass(frozen=True, slots=True)
class Notice:
    """A notification a feature has due; the scheduler records it under `key` and delivers it once.

    `fold=True` means it is too late to send on its own: the next digest mentions `summary` instead.
    """

    key: str
    kind: str
    at: datetime
    """Since when it is due."""
    target: Target
    replies: list[Reply]
    summary: str = ""
    fold: bool = False


DigestSection = Callable[[str], "Md | None"]
"""A piece of the weekly digest in the given language, or None when there is nothing to say."""


class DueSource(Protocol):
    """A feature's own "what is due", run by the scheduler next to its own (wired up in app.py).

    `load` reads the feature's records of one organisation; `due` and `digest` are pure functions of
    (now, those records, the sent log: key → when it was sent or recorded).
    """

    name: str

    async def load(self, repo: Repository, org: Organisation) -> Any:
        ...

    def due(self, now: datetime, records: Any, sent: Mapping[str, datetime], grace: timedelta) -> list[Notice]:
        ...

    def digest(self, now: datetime, records: Any) -> DigestSection | None:
        ...
