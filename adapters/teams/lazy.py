"""The Teams notifier without loading the Agents SDK until something is sent to Teams.

`app.py chat`, `ask` and the like never talk to Teams; importing the SDK would add most of a second
to their start. The server loads it when it mounts `/api/messages`, `tick` when it delivers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.messages import Reply
from bot.notify import Target
from bot.services import Services

if TYPE_CHECKING:
    from adapters.teams.notifier import TeamsNotifier


class LazyTeamsNotifier:
    channel = "teams"

    def __init__(self, services: Services) -> None:
        self.services = services
        self._notifier: TeamsNotifier | None = None

    @property
    def notifier(self) -> TeamsNotifier:
        if self._notifier is None:
            from adapters.teams.channel import TeamsChannel
            from adapters.teams.notifier import TeamsNotifier

            self._notifier = TeamsNotifier(TeamsChannel(self.services))
        return self._notifier

    async def deliver(self, target: Target, replies: list[Reply], key: str) -> None:
        await self.notifier.deliver(target, replies, key)
