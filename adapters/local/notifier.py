"""The local channel's Notifier: delivered notifications land in the organisation's outbox."""

from __future__ import annotations

from adapters.server import file_url
from bot.clock import Clock
from bot.files import FileStore
from bot.messages import Attachment, Reply
from bot.notify import DeliveryError, Target
from bot.records import OutboxItem
from bot.repository import StoreRegistry


class LocalNotifier:
    channel = "local"

    def __init__(self, stores: StoreRegistry, files: FileStore, clock: Clock) -> None:
        self.stores = stores
        self.files = files
        self.clock = clock

    async def deliver(self, target: Target, replies: list[Reply], key: str) -> None:
        if target.to == "user" and not target.user_id:
            raise DeliveryError("no user to deliver to", transient=False)
        repo = self.stores.repo(target.org_id)
        for index, reply in enumerate(replies):
            item_key = key if len(replies) == 1 else f"{key}#{index + 1}"

            def url(att: Attachment, _files: FileStore = self.files) -> str:
                stored = _files.put(att)
                return file_url(stored.token, stored.name)

            item = OutboxItem(key=item_key, to=target.to, user_id=target.user_id if target.to == "user" else None,
                              conversation_id=target.conversation_id, reply=reply.to_dict(url),
                              sent_at=self.clock.now())
            # delivering the same key twice (a retry after a crash) leaves one item
            await repo.add_once(item, key=item_key, to=target.to, user_id=item.user_id)
