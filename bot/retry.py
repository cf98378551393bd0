"""Retrying transient delivery failures and pacing sends, shared by the scheduler and the adapters."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.notify import DeliveryError

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


def backoff_delay(attempt: int, *, base: float = 0.5, cap: float = 30.0, retry_after: float | None = None,
                  rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter; a channel's Retry-After is a floor, not a suggestion."""
    ceiling = min(cap, base * (2 ** attempt))
    delay = (rng or random).uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, min(retry_after, 300.0))
    return delay


async def with_retries(call: Callable[[], Awaitable[T]], *, attempts: int = 6, base: float = 0.5,
                       cap: float = 30.0, sleep: Sleep = asyncio.sleep) -> T:
    """Run `call`, retrying a transient DeliveryError; a permanent one (or the last attempt) is raised."""
    for attempt in range(attempts):
        try:
            return await call()
        except DeliveryError as exc:
            if not exc.transient or attempt == attempts - 1:
                raise
            await sleep(backoff_delay(attempt, base=base, cap=cap, retry_after=exc.retry_after))
    raise AssertionError("unreachable")


class Pacer:
    """At most one send per `interval` seconds per key (a conversation)."""

    def __init__(self, interval: float = 1.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Sleep = asyncio.sleep) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def wait(self, key: str) -> None:
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            now = self._clock()
            ready = self._next.get(key, 0.0)
            if ready > now:
                await self._sleep(ready - now)
                now = self._clock()
            self._next[key] = max(now, ready) + self.interval
