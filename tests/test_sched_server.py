"""The scheduler inside the server: started with it, it catches up at once (a pending notification left by a
crashed process included) and stops with it."""

from __future__ import annotations

import asyncio
import socket
from datetime import date, timedelta

from bot.records import Action, Member, Organisation
from scheduler.records import Notification
from tests.conftest import live_server


async def test_server_start_catches_up_and_delivers_what_a_crashed_process_left_pending(services):
    repo = services.repo("demo")
    await repo.save_organisation(Organisation(name="Demo"))
    bert = await repo.add(Member(name="Bert", user_id="u2", channel="local"))
    await repo.add(Action(title="Offerte opvragen", owner_id=bert.id, deadline=date(2026, 11, 23)))
    # claimed by a process on this machine that no longer runs, its lease not yet over
    await repo.add(Notification(key="nudge:left:behind", kind="nudge", status="delivering",
                                claimed_by=f"{socket.gethostname()}:999999999:gone",
                                claimed_until=services.clock.now() + timedelta(minutes=5),
                                target={"channel": "local", "to": "user", "user_id": "u2"},
                                replies=[{"text": "Van voor de crash"}], due_at=services.clock.now()))
    async with live_server(services) as server:
        # the first look happens right after start, in the background: wait (generously, the machine may be
        # busy) until both are delivered and marked sent
        for _ in range(600):
            statuses = {n.key: n.status for n in await repo.list(Notification)}
            got = {n["key"] for n in await server.notifications(user="u2")}
            if set(statuses.values()) == {"sent"} and len(statuses) == 2:
                break
            await asyncio.sleep(0.05)
        assert {"nudge:1:2026-11-23", "nudge:left:behind"} <= got
    assert statuses == {"nudge:1:2026-11-23": "sent", "nudge:left:behind": "sent"}
