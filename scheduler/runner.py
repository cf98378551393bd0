"""Running the due computation and delivering its notifications exactly once.

Each due notification is first recorded as *pending* (`Repository.add_once` on its key: two processes
computing the same instant record it once), then claimed (*delivering*, compare-and-set), delivered
through `services.notifiers[channel]` with retries and per-conversation pacing, and marked *sent*. A
process that dies between those steps leaves a pending or claimed record; the next run (or the next start)
reclaims it and delivers it, and the notifier's idempotency on the key keeps a repeat from showing twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.atomicfile import process_alive
from bot.markdown import to_plain
from bot.notify import DeliveryError
from bot.records import Organisation
from bot.repository import Repository
from bot.retry import Pacer, Sleep, with_retries
from bot.services import Services
from scheduler.calendar import current_meeting
from scheduler.due import GRACE, Due, compute_due
from scheduler.records import Notification, target_doc
from scheduler.snapshot import OrgSnapshot, load
from scheduler.sources import collect

log = logging.getLogger("partnerbot.scheduler")
LEASE = timedelta(minutes=10)
KEEP_SENT = timedelta(days=400)
"""How long a finished notification stays in the sent log. Longer than any window in which its key
can come due again (the due computation ignores slots older than 30 days; a monitoring evaluation
before a contract's end looks back at most months), so forgetting it never sends it twice."""
MAX_RUNS = 5
"""A transiently failing notification is tried in this many runs (each with retries) before it is given up."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one run did with one notification (printed by `app.py tick`)."""

    org: str
    key: str
    kind: str
    status: str
    target: dict[str, Any]
    text: str = ""
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"org": self.org, "key": self.key, "kind": self.kind, "status": self.status, **self.target,
                "text": self.text, "error": self.error}


def _preview(replies: Iterable[dict[str, Any]]) -> str:
    first = next(iter(replies), None)
    return to_plain(first.get("text", ""))[:300] if first else ""


class Runner:
    def __init__(self, services: Services, *, sleep: Sleep = asyncio.sleep, grace: timedelta = GRACE,
                 attempts: int = 5, pacer: Pacer | None = None, crash_at: str | None = None) -> None:
        self.services = services
        self.sleep = sleep
        self.grace = grace
        self.attempts = attempts
        self.pacer = pacer or Pacer(1.0, sleep=sleep)
        self.crash_at = crash_at
        """Test hook: "claimed" or "delivered" ends the process right there (a crash between the steps)."""
        self.host = socket.gethostname()
        self.owner = f"{self.host}:{os.getpid()}:{secrets.token_hex(4)}"
        self._inflight: set[tuple[str, str]] = set()
        self._lock = asyncio.Lock()

    def defaults(self) -> Organisation:
        config = self.services.config
        return Organisation(language=config.language, timezone=config.timezone)

    async def snapshot(self, org_id: str) -> OrgSnapshot:
        snap, _ = await load(self.services.repo(org_id), self.defaults())
        return snap

    async def run(self, now: datetime | None = None, *, dry_run: bool = False,
                  orgs: Iterable[str] | None = None) -> list[Outcome]:
        """One pass over the organisations; one pass at a time in this process."""
        now = now or self.services.clock.now()
        outcomes: list[Outcome] = []
        async with self._lock:
            for org_id in list(orgs) if orgs is not None else self.services.stores.org_ids():
                try:
                    outcomes.extend(await self.run_org(org_id, now, dry_run=dry_run))
                except Exception:
                    log.exception("scheduler run failed for org=%s", org_id)
        return outcomes

    async def run_org(self, org_id: str, now: datetime, *, dry_run: bool = False) -> list[Outcome]:
        repo = self.services.repo(org_id)
        snap, notes = await load(repo, self.defaults())
        due = compute_due(now, snap, grace=self.grace, extra=await collect(self.services, repo, snap, now, self.grace))
        if dry_run:
            waiting = [Outcome(org_id, n.key, n.kind, n.status, n.target, _preview(n.replies))
                       for n in notes if n.status in ("pending", "delivering")]
            return waiting + [self._outcome(org_id, d, "folded" if d.fold else "due") for d in due]
        await self._roll_meetings(repo, snap, now)
        outcomes = [self._outcome(org_id, d, "folded") for d in await self._record(repo, due, now) if d.fold]
        pending = [n for n in await repo.list(Notification) if n.status in ("pending", "delivering")]
        by_conversation: dict[str, list[Notification]] = {}
        for n in pending:
            by_conversation.setdefault(n.target_of(org_id).conversation_key, []).append(n)
        results = await asyncio.gather(*(self._deliver_all(repo, items, now) for items in by_conversation.values()))
        for batch in results:
            outcomes.extend(batch)
        await self._forget_old(repo, notes, now)
        return outcomes

    @staticmethod
    async def _forget_old(repo: Repository, notes: list[Notification], now: datetime) -> None:
        """Keep the sent log from growing for ever: drop finished notifications older than KEEP_SENT."""
        old = [n.id for n in notes if n.status in ("sent", "failed", "folded") and n.id is not None
               and (n.due_at or n.created_at or now) < now - KEEP_SENT]
        if old:
            log.info("forgetting %d notifications older than %d days in org=%s", len(old), KEEP_SENT.days,
                     repo.org_id)
            await repo.delete_many(Notification, old)

    @staticmethod
    def _outcome(org_id: str, d: Due, status: str) -> Outcome:
        return Outcome(org_id, d.key, d.kind, status, target_doc(d.target),
                       _preview(r.to_dict() for r in d.replies) or d.summary)

    async def _record(self, repo: Repository, due: list[Due], now: datetime) -> list[Due]:
        """Write each due notification as pending (or folded) unless its key was recorded already."""
        recorded = []
        for d in due:
            note = Notification(key=d.key, kind=d.kind, status="folded" if d.fold else "pending",
                                target=target_doc(d.target), replies=[r.to_dict() for r in d.replies],
                                summary=d.summary, due_at=d.at, created_at=now)
            if await repo.add_once(note, key=d.key) is not None:
                recorded.append(d)
        return recorded

    async def _roll_meetings(self, repo: Repository, snap: OrgSnapshot, now: datetime) -> None:
        """A meeting whose date has passed moves on to its next date (from its frequency)."""
        from zoneinfo import ZoneInfo

        tz = ZoneInfo(snap.org.timezone)
        for meeting in snap.meetings:
            old = meeting.next_date
            if old is None or old >= now:
                continue
            new = current_meeting(old, meeting.frequency, now, tz, meeting.series_start)
            if new is not None and new != old:
                meeting.next_date = new
                await repo.update_if(meeting, next_date=old)

    async def _deliver_all(self, repo: Repository, items: list[Notification], now: datetime) -> list[Outcome]:
        out = []
        for n in sorted(items, key=lambda n: (n.due_at or now, n.id or 0)):
            outcome = await self._deliver(repo, n, now)
            if outcome is not None:
                out.append(outcome)
        return out

    def _stale_claim(self, n: Notification, now: datetime) -> bool:
        if n.claimed_by == self.owner:
            return (n.key, self.owner) not in self._inflight
        if n.claimed_until is None or n.claimed_until < now:
            return True
        host, _, rest = (n.claimed_by or "").partition(":")
        pid = rest.partition(":")[0]
        return host == self.host and pid.isdigit() and not process_alive(int(pid))

    def _crash(self, point: str) -> None:
        if self.crash_at == point:
            log.error("test hook: ending the process after %s", point)
            os._exit(75)

    async def _deliver(self, repo: Repository, n: Notification, now: datetime) -> Outcome | None:
        org_id = repo.org_id
        if n.status == "delivering" and not self._stale_claim(n, now):
            return None
        expected = {"status": n.status, "claimed_by": n.claimed_by, "attempts": n.attempts}
        n.status, n.claimed_by, n.claimed_until = "delivering", self.owner, now + LEASE
        if not await repo.update_if(n, **expected):
            return None  # another process claimed it first
        self._inflight.add((n.key, self.owner))
        try:
            self._crash("claimed")
            error = await self._send(org_id, n)
            if error is None:
                self._crash("delivered")
                n.status, n.sent_at, n.error = "sent", self.services.clock.now(), None
            else:
                n.attempts += 1
                n.error = str(error)[:300]
                n.status = "pending" if error.transient and n.attempts < MAX_RUNS else "failed"
                log.warning("delivery of %s failed (%s, attempt %d): %s", n.key, n.status, n.attempts, error)
            n.claimed_by, n.claimed_until = None, None
            if not await repo.update_if(n, claimed_by=self.owner):
                log.warning("claim on %s was taken over while delivering", n.key)
        finally:
            self._inflight.discard((n.key, self.owner))
        return Outcome(org_id, n.key, n.kind, n.status, n.target, _preview(n.replies), n.error)

    async def _send(self, org_id: str, n: Notification) -> DeliveryError | None:
        """Deliver with retries; the error that ended it, or None when delivered."""
        target = n.target_of(org_id)
        notifier = self.services.notifiers.get(target.channel)
        if notifier is None:
            return DeliveryError(f"no notifier for channel {target.channel!r}", transient=False)
        replies = n.reply_objects()

        async def send() -> None:
            await self.pacer.wait(target.conversation_key)
            await notifier.deliver(target, replies, n.key)

        try:
            await with_retries(send, attempts=self.attempts, sleep=self.sleep)
        except DeliveryError as exc:
            return exc
        except Exception as exc:  # a notifier bug must not stop the other deliveries
            log.exception("notifier %s failed on %s", target.channel, n.key)
            return DeliveryError(f"{type(exc).__name__}: {exc}", transient=True)
        return None
