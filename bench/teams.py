"""Teams turns through POST /api/messages: Partnerbot against a minimal botbuilder echo bot, same protocol.

Both bots run in anonymous mode (no tokens, as on a developer's machine) as separate processes and reply
through the same stand-in Bot Connector (bench/common.py), so a turn is: the activity in, the reply
POSTed to the connector, the HTTP answer back. The echo bot runs from its own virtual environment
(.venv-bench-botbuilder, made from bench/requirements-botbuilder.txt on the first run). Target: Partnerbot
≤ 1.2× the echo bot's latency.
"""

from __future__ import annotations

import asyncio

import aiohttp

from bench.common import (
    ROOT,
    botbuilder_python,
    closed_loop,
    fake_connector,
    partnerbot_server,
    process_server,
    ratio,
    summary,
)
from bench.turns import SCRIPT
from tests.fakes.teams_activities import personal_message

LEVELS = ((1, 150), (10, 40), (50, 12))


async def drive(url: str, connector: str, users: int, turns: int) -> tuple[list[float], float]:
    async def call(session: aiohttp.ClientSession, n: int, i: int) -> None:
        text = SCRIPT[i % len(SCRIPT)]["text"]
        activity = personal_message(connector, text, user_id=f"29:bench-{n}", name=f"Gebruiker {n}")
        async with session.post(url + "/api/messages", json=activity) as resp:
            await resp.read()
            if resp.status >= 300:
                raise RuntimeError(f"status {resp.status}")

    return await closed_loop(users, turns, call, warm_up=len(SCRIPT) * 2)


def main() -> None:
    python = botbuilder_python()
    with fake_connector() as connector, process_server(str(python), str(ROOT / "bench" / "_echo_botbuilder.py")) \
            as echo_url, partnerbot_server() as (bot_url, _):
        print(f"{'users':>5} | {'echo turns/s':>12} {'p50':>8} {'p99':>8} | {'bot turns/s':>11} {'p50':>8} "
              f"{'p99':>8} | {'p50 ratio':>9} {'p99 ratio':>9}")
        for users, turns in LEVELS:
            echo = summary(*asyncio.run(drive(echo_url, connector, users, turns)))
            bot = summary(*asyncio.run(drive(bot_url, connector, users, turns)))
            print(f"{users:>5} | {echo['turns_per_s']:>12.0f} {echo['p50_ms']:>6.2f}ms {echo['p99_ms']:>6.2f}ms | "
                  f"{bot['turns_per_s']:>11.0f} {bot['p50_ms']:>6.2f}ms {bot['p99_ms']:>6.2f}ms | "
                  f"{ratio(bot['p50_ms'], echo['p50_ms']):>9} {ratio(bot['p99_ms'], echo['p99_ms']):>9}", flush=True)


if __name__ == "__main__":
    main()
