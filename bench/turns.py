"""Turns through POST /api/local/messages with 1, 10 and 50 concurrent users, against a bare aiohttp floor.

Both servers run as separate processes on this machine in the same run, driven by the same client;
the ratio Partnerbot / floor is what to watch (targets: p50 ≤ 1.5× floor, p99 ≤ 25 ms at 50 users,
≥ 500 turns/s). Users send one message after the other without thinking time, so the 50-user level
measures the server at saturation.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from bench.common import bare_server, closed_loop, partnerbot_server, ratio, summary

# a user's mix: help, knowledge questions and a walk-through
SCRIPT: list[dict[str, Any]] = [
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


async def drive(url: str, users: int, turns: int, org: str) -> tuple[list[float], float]:
    async def call(session: aiohttp.ClientSession, n: int, i: int) -> None:
        body = {"org": org, "user": f"bench-{n}", "name": f"Gebruiker {n}", **SCRIPT[i % len(SCRIPT)]}
        async with session.post(url + "/api/local/messages", json=body) as resp:
            await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"status {resp.status}")

    return await closed_loop(users, turns, call, warm_up=len(SCRIPT) * 2)


def main() -> None:
    with bare_server() as floor_url, partnerbot_server() as (bot_url, _):
        print(f"{'users':>5} | {'floor turns/s':>13} {'p50':>8} {'p99':>8} | {'bot turns/s':>11} {'p50':>8} "
              f"{'p99':>8} | {'p50 ratio':>9} {'p99 ratio':>9} {'turns/s ratio':>13}")
        for users, turns in LEVELS:
            floor = summary(*asyncio.run(drive(floor_url, users, turns, "floor")))
            bot = summary(*asyncio.run(drive(bot_url, users, turns, f"bench-{users}")))
            print(f"{users:>5} | {floor['turns_per_s']:>13.0f} {floor['p50_ms']:>6.2f}ms {floor['p99_ms']:>6.2f}ms | "
                  f"{bot['turns_per_s']:>11.0f} {bot['p50_ms']:>6.2f}ms {bot['p99_ms']:>6.2f}ms | "
                  f"{ratio(bot['p50_ms'], floor['p50_ms']):>9} {ratio(bot['p99_ms'], floor['p99_ms']):>9} "
                  f"{ratio(bot['turns_per_s'], floor['turns_per_s']):>13}", flush=True)


if __name__ == "__main__":
    main()
