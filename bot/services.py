"""The services one running bot shares: configuration, stores, clock, files and notifiers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.files import FileStore
from bot.messages import Reply
from bot.notify import DeliveryError, DueSource, Notifier, Target
from bot.repository import Repository, StoreRegistry, settle

if TYPE_CHECKING:
    from bot.router import Router

Hook = Callable[[], Awaitable[None]]


@dataclass
class Services:
    config: Config
    stores: StoreRegistry
    files: FileStore
    seen: StoreRegistry
    """Where bot.seen keeps the deliveries already handled: files of their own (`DATA_DIR/seen/`), so the
    thousands of keys a busy organisation collects are not rewritten with its data on every change."""
    clock: Clock = field(default_factory=SystemClock)
    notifiers: dict[str, Notifier] = field(default_factory=dict)
    due_sources: list[DueSource] = field(default_factory=list)
    """Features with their own due notifications, run by the scheduler (app.build_due_sources)."""
    router: Router | None = None
    on_startup: list[Hook] = field(default_factory=list)
    on_shutdown: list[Hook] = field(default_factory=list)

    @classmethod
    def create(cls, config: Config, clock: Clock | None = None) -> Services:
        return cls(config=config, stores=StoreRegistry(config.data_dir), files=FileStore(config.data_dir),
                   seen=StoreRegistry(config.data_dir, "seen"), clock=clock or SystemClock())

    def repo(self, org_id: str) -> Repository:
        return self.stores.repo(org_id)

    async def deliver(self, target: Target, replies: list[Reply], key: str) -> None:
        """Send `replies` to someone else during a turn, once what the turn wrote so far is on disk: nobody
        hears of a record (a question, an answer) that a crash could still take back. DeliveryError when
        the channel has no notifier or the message could not be sent."""
        notifier = self.notifiers.get(target.channel)
        if notifier is None:
            raise DeliveryError(f"no notifier for {target.channel}", transient=False)
        await settle()
        await notifier.deliver(target, replies, key)
