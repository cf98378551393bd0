"""'Waar was ik?' after the server restarts: the position is kept with the organisation's records."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from conftest import ServerProcess
from flow_walk import plain


async def _say(session: aiohttp.ClientSession, url: str, user: str, **message: Any) -> list[dict[str, Any]]:
    body = {"org": "gemeente-x", "user": user, "name": user, **message}
    async with session.post(url + "/api/local/messages", json=body) as resp:
        assert resp.status == 200
        return (await resp.json())["replies"]


async def test_resume_after_a_restart_on_another_channel_user(tmp_path):
    data = tmp_path / "data"
    first = ServerProcess(data).start()
    try:
        async with aiohttp.ClientSession() as session:
            await _say(session, first.url, "anna", text="stappenplan")
            await _say(session, first.url, "anna", choice="flow:next:1a:why")
            await _say(session, first.url, "anna", choice="flow:skip:1a:decision")
            replies = await _say(session, first.url, "anna", choice="flow:next:1b:who")
            assert replies[0]["form"]["id"] == "flow:1b:members"
            added = await _say(session, first.url, "anna", form={"id": "flow:1b:members", "values": {
                "name": "Anna", "roles": ["hr_expert"], "position": "coordinator"}})
            assert added[0]["section"] == "1b"
    finally:
        first.stop()

    second = ServerProcess(data).start()
    try:
        async with aiohttp.ClientSession() as session:
            replies = await _say(session, second.url, "bram", text="waar was ik?")
            assert replies[0]["section"] == "1b"
            assert replies[0]["form"]["id"] == "flow:1b:members"
            assert "Anna" in plain(replies[0]["text"])
            progress = await _say(session, second.url, "bram", text="voortgang")
            text = plain(progress[0]["text"])
            assert "1a –" in text and "1b ▶" in text and "1c ○" in text
            # the walk goes on from there for the second user
            nxt = await _say(session, second.url, "bram", text="volgende")
            assert nxt[0]["section"] == "1c"
    finally:
        second.stop()


async def test_colleagues_starting_at_the_same_moment_share_one_place_in_the_steps(services):
    """The organisation has one position: fifty people typing "start" at once must not make fifty."""
    from bot.messages import Incoming
    from bot.records import JourneyPosition

    async def start(n: int) -> None:
        await services.router.handle(Incoming(org_id="demo", user_id=f"u{n}", user_name=f"U{n}",
                                              conversation_id=f"c{n}", channel="local", text="start"))

    await asyncio.gather(*(start(n) for n in range(50)))
    assert len(await services.repo("demo").list(JourneyPosition)) == 1
