"""Turns through POST /api/local/messages with 1, 10 and 50 concurrent users, against a bare aiohttp floor.

Both servers run as separate processes on this machine in the same run, driven by the same client;
the ratio Partnerbot / floor is what to watch (targets: p50 ≤ 1.5× floor, p99 ≤ 25 ms at 50 users,
≥ 500 turns/s).
"""

from __future__ import annotations

import asyncio
import time

import aiohttp

from bench.common import bare_server, partnerbot_server, summary, timed

# a user's mix: help, knowledge questions and a walk-through
SCRIPT = [
    {"text": "hoi"},
    {"text": "wat is social return?"},
    {"text": "start"},
    {"text": "volgende"},
    {"text": "how do I start with an existing contract?"},
    {"text": "voortgang"},
    {"text": "wie doet de monitoring?"},
    {"text": "waar was ik?"},
    {"text": "help"},
    {"text": "wat is een voorbehouden opdracht"},
]
LEVELS = ((1, 200), (10, 60), (50, 24))  # (users, turns per user)


async def _drive(url: str, users: int, turns: int, org: str) -> tuple[list[float], float]:
    latencies: list[float] = []
    connector = aiohttp.TCPConnector(limit=users)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def user(n: int) -> None:
            for i in range(turns):
                body = {"org": org, "user": f"bench-{n}", "name": f"Gebruiker {n}", **SCRIPT[i % len(SCRIPT)]}

                async def call(body=body) -> None:
                    async with session.post(url + "/api/local/messages", json=body) as resp:
                        await resp.read()
                        if resp.status != 200:
                            raise RuntimeError(f"status {resp.status}")

                latencies.append(await timed(call))

        await user(999)  # warm up (first imports, first file)
        latencies.clear()
        start = time.perf_counter()
        await asyncio.gather(*(user(n) for n in range(users)))
        return latencies, time.perf_counter() - start


def main() -> None:
    with bare_server() as floor_url, partnerbot_server() as (bot_url, _):
        print(f"{'users':>5} | {'floor turns/s':>13} {'p50':>7} {'p99':>7} | {'bot turns/s':>11} {'p50':>7} "
              f"{'p99':>7} | {'p50 ratio':>9}")
        for users, turns in LEVELS:
            floor = summary(*asyncio.run(_drive(floor_url, users, turns, "floor")))
            bot = summary(*asyncio.run(_drive(bot_url, users, turns, f"bench-{users}")))
            print(f"{users:>5} | {floor['turns_per_s']:>13.0f} {floor['p50_ms']:>6.2f}ms {floor['p99_ms']:>6.2f}ms | "
                  f"{bot['turns_per_s']:>11.0f} {bot['p50_ms']:>6.2f}ms {bot['p99_ms']:>6.2f}ms | "
                  f"{bot['p50_ms'] / floor['p50_ms']:>8.2f}x", flush=True)


if __name__ == "__main__":
    main()
