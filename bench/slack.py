"""Time to acknowledge a signed Slack event (a direct message) at POST /slack/events, against a bare handler.

Partnerbot runs as a process with Slack configured (signing secret, bot token) and its Web API pointed at
a stand-in that answers like Slack, so the work after the acknowledgement (the router, chat.postMessage)
runs in the same process while the next events arrive, as it would in production. The baseline is a
bare aiohttp handler that reads the body and answers 200, in the same run. Target: p99 ≤ 50 ms.
"""

from __future__ import annotations

import asyncio
import sys

import aiohttp

from bench.common import bare_server, closed_loop, partnerbot_server, process_server, ratio, summary
from tests.fakes.slack import BOT_TOKEN, SIGNING_SECRET, SlackEvents

LEVELS = ((1, 200), (10, 60), (50, 20))
FAKE_WEB_API = """
import itertools, sys
from aiohttp import web
ts = itertools.count(1)
async def api(request):
    method = request.match_info["method"]
    await request.read()
    if method == "users.info":
        return web.json_response({"ok": True, "user": {"id": "U1", "real_name": "Anna de Vries", "profile": {}}})
    if method == "conversations.open":
        return web.json_response({"ok": True, "channel": {"id": "D0BENCH"}})
    if method == "auth.test":
        return web.json_response({"ok": True, "team_id": "T0PARTNER", "user_id": "U0BOT", "bot_id": "B0BOT"})
    return web.json_response({"ok": True, "ts": f"{1700000000 + next(ts)}.000100", "channel": "D0BENCH"})
app = web.Application()
app.router.add_route("*", "/api/{method}", api)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


async def drive(url: str, users: int, turns: int) -> tuple[list[float], float]:
    events: dict[int, SlackEvents] = {}

    async def call(session: aiohttp.ClientSession, n: int, i: int) -> None:
        sender = events.setdefault(n, SlackEvents(session, url, None))  # type: ignore[arg-type]
        status, _ = await sender.dm(["hoi", "wat is social return?", "help"][i % 3], user=f"U{n:06d}")
        if status != 200:
            raise RuntimeError(f"status {status}")

    return await closed_loop(users, turns, call)


def main() -> None:
    with process_server(sys.executable, "-c", FAKE_WEB_API) as web_api, bare_server() as bare_url, \
            partnerbot_server(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                              SLACK_API_BASE_URL=web_api + "/api/") as (bot_url, _):
        print(f"{'users':>5} | {'bare acks/s':>11} {'p50':>8} {'p99':>8} | {'bot acks/s':>10} {'p50':>8} "
              f"{'p99':>8} | {'p50 ratio':>9} {'p99 ratio':>9}")
        for users, turns in LEVELS:
            bare = summary(*asyncio.run(drive(bare_url, users, turns)))
            bot = summary(*asyncio.run(drive(bot_url, users, turns)))
            print(f"{users:>5} | {bare['turns_per_s']:>11.0f} {bare['p50_ms']:>6.2f}ms {bare['p99_ms']:>6.2f}ms | "
                  f"{bot['turns_per_s']:>10.0f} {bot['p50_ms']:>6.2f}ms {bot['p99_ms']:>6.2f}ms | "
                  f"{ratio(bot['p50_ms'], bare['p50_ms']):>9} {ratio(bot['p99_ms'], bare['p99_ms']):>9}", flush=True)


if __name__ == "__main__":
    main()
