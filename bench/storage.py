"""Storage and process figures: write latency vs. number of organisations, cold start, RSS with 1,000 orgs.

- write latency for one organisation when 1, 100 and 1,000 organisations exist (must stay flat:
  each organisation has its own file); baseline = the same bytes written with a bare atomic write;
- cold start of `app.py serve` until /healthz answers (target ≤ 2 s), against a bare aiohttp server;
- RSS of the server with 1,000 organisations loaded (target ≤ 150 MB), against the RSS right after start.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
import urllib.request
from datetime import UTC, date, datetime
from pathlib import Path

import aiohttp

from bench.common import bare_server, partnerbot_server, percentile, rss_mb
from bot.atomicfile import atomic_write
from bot.records import Action, Contract, Member
from bot.repository import StoreRegistry

WRITES = 150
NOW = datetime(2026, 11, 25, tzinfo=UTC)


async def _populate(stores: StoreRegistry, orgs: int) -> None:
    for n in range(orgs):
        repo = stores.repo(f"org-{n}")
        for i in range(5):
            await repo.add(Member(name=f"Lid {i}", user_id=f"u{i}", roles=["hr_expert"]))
        for i in range(10):
            await repo.add(Action(title=f"Actie {i}", owner_id=1, deadline=date(2027, 1, 1 + i), created_at=NOW))
        await repo.add(Contract(supplier="Schoon BV", yearly_value=250_000.0, end=date(2028, 1, 1)))


async def _write_latency(orgs: int) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        stores = StoreRegistry(Path(tmp))
        await _populate(stores, orgs)
        repo = stores.repo("org-0")
        bot, bare = [], []
        path = Path(tmp) / "bare.json"
        for i in range(WRITES):
            start = time.perf_counter()
            await repo.add(Action(title=f"bench {i}", owner_id=1))
            bot.append((time.perf_counter() - start) * 1000)
            payload = stores.root.joinpath("org_org-0.json").read_bytes()
            start = time.perf_counter()
            atomic_write(path, payload)
            bare.append((time.perf_counter() - start) * 1000)
        return statistics.median(bot), percentile(bot, 99), statistics.median(bare)


def _cold_start() -> tuple[float, float]:
    start = time.perf_counter()
    with partnerbot_server() as (url, _):
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=1) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                time.sleep(0.005)
        bot = time.perf_counter() - start
    start = time.perf_counter()
    with bare_server():
        bare = time.perf_counter() - start
    return bot, bare


async def _touch_all(url: str, orgs: int) -> None:
    async with aiohttp.ClientSession() as session:
        sem = asyncio.Semaphore(20)

        async def one(n: int) -> None:
            async with sem, session.post(url + "/api/local/messages",
                                         json={"org": f"org-{n}", "user": "u1", "text": "help"}) as resp:
                await resp.read()

        await asyncio.gather(*(one(n) for n in range(orgs)))


def _rss(orgs: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        asyncio.run(_populate(StoreRegistry(data), orgs))
        with partnerbot_server(data) as (url, proc):
            with urllib.request.urlopen(url + "/api/local/messages", data=json.dumps(
                    {"org": "warm", "user": "u", "text": "help"}).encode(), timeout=5):
                pass
            idle = rss_mb(proc.pid)
            asyncio.run(_touch_all(url, orgs))
            return idle, rss_mb(proc.pid)


def main() -> None:
    print("write latency for one organisation (ms):")
    print(f"{'orgs':>6} | {'p50':>6} {'p99':>6} | {'bare atomic write p50':>21} | ratio")
    for orgs in (1, 100, 1000):
        p50, p99, bare = asyncio.run(_write_latency(orgs))
        print(f"{orgs:>6} | {p50:>6.2f} {p99:>6.2f} | {bare:>21.2f} | {p50 / bare:.2f}x", flush=True)
    bot, bare = _cold_start()
    print(f"cold start to /healthz: {bot:.2f} s (bare aiohttp server: {bare:.2f} s, {bot / bare:.1f}x; "
          f"target ≤ 2 s)", flush=True)
    idle, loaded = _rss(1000)
    print(f"RSS: {idle:.0f} MB after start, {loaded:.0f} MB with 1,000 organisations loaded "
          f"({loaded / idle:.2f}x; target ≤ 150 MB)", flush=True)


if __name__ == "__main__":
    main()
