"""Deliveries already handled, remembered across restarts: so a retried one is not answered or processed twice.

Slack repeats an event it thinks was not acknowledged (for about an hour) and a modal submission a user
sends again; in Teams anyone can click an old form's card at any time. The channel adapters ask a
`SeenKeys` (one per kind of key) whether a key is new before they act on it.

Each key is stored as a `SeenKey` record (through `bot.repository`) in a file of its own per organisation
(`services.seen`, `DATA_DIR/seen/`): a busy organisation collects thousands of keys, which would otherwise
be rewritten with its data on every change. An in-memory front: the first use in an organisation loads
that kind's keys once, after which a look-up is a dict look-up and never waits for the disk. Keys older
than the kind's `keep` are forgotten, in memory and in the store. One server process per DATA_DIR
receives the channels' traffic, so the front is the whole truth for that process (`app.py tick` writes
no keys).

At most once, not at least once: `claim` marks a key as seen in memory at once (a repeat arriving while
the first is being handled is dropped) and starts writing it; the caller waits for `stored()` before it
acts. So a crash after the key is on disk and before the work is done loses that delivery (Slack had its
acknowledgement; a form's card counts as sent, and the user asks for the form again), and a crash before
the key is on disk leaves nothing done, so a repeat is handled as new. The other order (store the key
after the work) would answer twice after a crash between the two, and for a form that means saving it
twice; a lost answer is the smaller harm. The write is not on Slack's acknowledgement path for events:
the adapter acknowledges first and waits for `stored()` in the work that follows. A key that cannot be
written (a full disk) is logged and the work goes on, guarded in memory until the next restart.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from bot.clock import Clock
from bot.records import Record
from bot.repository import StoreRegistry
from bot.values import ValidationError

log = logging.getLogger(__name__)
MAX_KEY = 200
PRUNE_EVERY = timedelta(days=1)
"""How often at most each organisation's old keys are removed from its store (more often for a short `keep`)."""


@dataclass(kw_only=True)
class SeenKey(Record):
    """One delivery already handled: its kind (who asked) and its key (Slack's event id, a card id, …)."""

    table: ClassVar[str] = "seen_keys"
    kind: str = ""
    key: str = ""
    seen_at: datetime | None = None

    def validate(self) -> None:
        if not self.kind:
            raise ValidationError("required", "kind")
        if not self.key or len(self.key) > MAX_KEY:
            raise ValidationError("required", "key")
        if self.seen_at is None:
            raise ValidationError("required", "seen_at")


class SeenKeys:
    """The keys of one kind (e.g. "slack_event") in every organisation, each kept for `keep`."""

    def __init__(self, stores: StoreRegistry, clock: Clock, kind: str, keep: timedelta) -> None:
        self.stores = stores
        self.clock = clock
        self.kind = kind
        self.keep = keep
        self.prune_every = min(keep / 2, PRUNE_EVERY)
        self._known: dict[str, dict[str, datetime]] = {}
        """Organisation → key → when it was seen (loaded from the store on first use)."""
        self._pruned: dict[str, datetime] = {}
        self._writing: dict[tuple[str, str], asyncio.Task[bool]] = {}

    async def _front(self, org_id: str) -> dict[str, datetime]:
        known = self._known.get(org_id)
        if known is None:
            limit = self.clock.now() - self.keep
            stored = {r.key: r.seen_at for r in await self.stores.repo(org_id).list(SeenKey, kind=self.kind)
                      if r.seen_at is not None and r.seen_at >= limit}
            known = self._known.setdefault(org_id, stored)  # another caller may have loaded it meanwhile
        return known

    async def claim(self, org_id: str, key: str) -> bool:
        """True the first time `key` is seen in this organisation (within `keep`), False after that.

        The key is known in memory at once and written in the background: this waits for no write, so it
        fits an acknowledgement path. Wait for `stored()` before acting on the delivery.
        """
        key = key[:MAX_KEY]
        known = await self._front(org_id)
        if key in known:
            return False
        now = self.clock.now()
        known[key] = now
        pending = (org_id, key)
        writing = self._writing[pending] = asyncio.ensure_future(self._store(org_id, key, now))
        writing.add_done_callback(lambda _: self._writing.pop(pending, None))
        return True

    async def stored(self, org_id: str, key: str) -> bool:
        """Wait until a claimed key is on disk; False when it could not be written (it stays known in memory)."""
        writing = self._writing.get((org_id, key[:MAX_KEY]))
        return True if writing is None else await asyncio.shield(writing)

    async def release(self, org_id: str, key: str) -> None:
        """Forget a claimed key: it was not used up (a refused form may be sent again)."""
        key = key[:MAX_KEY]
        await self.stored(org_id, key)
        (await self._front(org_id)).pop(key, None)
        repo = self.stores.repo(org_id)
        await repo.delete_many(SeenKey, [r.id for r in await repo.list(SeenKey, kind=self.kind, key=key)
                                         if r.id is not None])

    async def _store(self, org_id: str, key: str, now: datetime) -> bool:
        try:
            await self._prune(org_id, now)
            await self.stores.repo(org_id).add(SeenKey(kind=self.kind, key=key, seen_at=now))
        except Exception as exc:  # the work goes on; only a repeat after a restart is not recognised
            log.error("could not store a %s key in org=%s: %s", self.kind, org_id, exc)
            return False
        return True

    async def _prune(self, org_id: str, now: datetime) -> None:
        """Forget keys older than `keep`, at most once per `prune_every` per organisation."""
        last = self._pruned.get(org_id)
        if last is not None and last <= now < last + self.prune_every:
            return
        self._pruned[org_id] = now
        limit = now - self.keep
        known = await self._front(org_id)
        for key in [k for k, seen in known.items() if seen < limit]:
            del known[key]
        repo = self.stores.repo(org_id)
        old = [r.id for r in await repo.list(SeenKey, kind=self.kind)
               if r.id is not None and (r.seen_at is None or r.seen_at < limit)]
        if old:
            log.info("forgetting %d %s keys older than %s in org=%s", len(old), self.kind, self.keep, org_id)
            await repo.delete_many(SeenKey, old)
