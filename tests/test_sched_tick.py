"""`app.py tick` end to end on the local channel: the right messages arrive once, also after a crash."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from bot.records import Contract, Meeting, Member
from tests.conftest import run_app


async def setup_org(server) -> None:
    """A coordinator (Anna, u1) and a colleague (Bert, u2), a group channel, an action, a contract, a meeting."""
    repo = server.services.repo("demo")
    anna = await repo.add(Member(name="Anna de Vries", user_id="u1", channel="local", position="coordinator"))
    await repo.add(Member(name="Bert Jansen", user_id="u2", channel="local"))
    replies = await server.say("gebruik dit kanaal voor de werkgroep", conversation="wg", group=True)
    assert "kanaal van de werkgroep" in replies[0]["text"]
    replies = await server.say("nieuwe actie Offerte schoonmaak opvragen voor Bert op 10-12-2026")
    assert "#1" in replies[0]["text"]
    contract = await repo.add(Contract(name="Schoonmaak", supplier="CleanCo", end=date(2027, 3, 10),
                                       contract_manager_id=anna.id))
    await repo.add(Meeting(title="Voortgang schoonmaak", contract_id=contract.id, frequency="monthly",
                           next_date=datetime(2026, 12, 17, 9, 0, tzinfo=UTC), participant_ids=[anna.id]))


def tick(server, now: str, *args: str, **env: str):
    data_dir = server.services.config.data_dir
    return run_app("tick", "--now", now, "--json", *args, data_dir=data_dir, **env)


def keys(items) -> list[str]:
    return [i["key"] for i in items]


async def test_each_message_arrives_once_and_a_repeated_tick_sends_nothing(server):
    await setup_org(server)
    first = tick(server, "2026-12-07T09:00:00+01:00")
    assert first.returncode == 0, first.stderr
    sent = json.loads(first.stdout)["notifications"]
    assert sorted(o["key"] for o in sent) == ["digest:demo:2026-W50", "nudge:1:2026-12-07"]
    assert all(o["status"] == "sent" for o in sent)

    bert = await server.notifications(user="u2")
    assert keys(bert) == ["nudge:1:2026-12-07", "digest:demo:2026-W50"] or \
        sorted(keys(bert)) == ["digest:demo:2026-W50", "nudge:1:2026-12-07"]
    nudge = next(n for n in bert if n["key"].startswith("nudge"))
    assert nudge["to"] == "user" and "Offerte schoonmaak opvragen" in nudge["text"] and "3 dagen" in nudge["text"]
    assert [c["value"] for c in nudge["choices"]] == ["sched:done:1", "sched:snooze:1", "sched:deadline:1"]
    digest = next(n for n in bert if n["key"].startswith("digest"))
    assert digest["to"] == "group" and "week 50" in digest["text"] and "Bert Jansen" in digest["text"]
    assert "Voortgang schoonmaak" in digest["text"]  # the meeting on the 17th is within 14 days

    again = tick(server, "2026-12-07T09:00:00+01:00")
    assert json.loads(again.stdout)["notifications"] == []
    assert keys(await server.notifications(user="u2")) == keys(bert)

    thursday = tick(server, "2026-12-10T09:00:30+01:00")
    got = sorted(o["key"] for o in json.loads(thursday.stdout)["notifications"])
    assert got == ["expiry:1:3:2027-03-10@group", "expiry:1:3:2027-03-10@m1", "meeting:1:2026-12-17:7@m1",
                   "nudge:1:2026-12-10"]
    anna = await server.notifications(user="u1")
    assert "nudge:1:2026-12-10" not in keys(anna)  # Bert's nudge is his alone
    warning = next(n for n in anna if n["key"] == "expiry:1:3:2027-03-10@m1")
    assert "CleanCo" in warning["text"]
    assert {c["value"] for c in warning["choices"]} == {"flow:start:2A", "flow:start:2B"}
    assert sum(k.startswith("expiry") for k in keys(anna)) == 2  # hers and the group's copy


async def test_done_action_gets_no_more_nudges(server):
    await setup_org(server)
    await server.say(choice="sched:done:1", user="u2", name="Bert Jansen")
    out = tick(server, "2026-12-07T09:00:00+01:00")
    assert "nudge:1:2026-12-07" not in [o["key"] for o in json.loads(out.stdout)["notifications"]]


async def test_dry_run_lists_but_sends_and_records_nothing(server):
    await setup_org(server)
    dry = tick(server, "2026-12-07T09:00:00+01:00", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    listed = json.loads(dry.stdout)["notifications"]
    assert {o["status"] for o in listed} == {"due"} and len(listed) == 2
    assert await server.notifications(user="u2") == []
    real = tick(server, "2026-12-07T09:00:00+01:00")
    assert len(json.loads(real.stdout)["notifications"]) == 2


@pytest.mark.parametrize("point", ["claimed", "delivered"])
async def test_a_process_killed_mid_delivery_delivers_on_the_next_start_without_duplicates(server, point):
    await setup_org(server)
    crashed = tick(server, "2026-12-07T09:00:00+01:00", PARTNERBOT_TEST_CRASH=point)
    assert crashed.returncode == 75
    before = keys(await server.notifications(user="u2"))
    assert (len(before) >= 1) if point == "delivered" else before == []
    rerun = tick(server, "2026-12-07T09:00:00+01:00")
    assert rerun.returncode == 0, rerun.stderr
    after = keys(await server.notifications(user="u2"))
    assert sorted(after) == ["digest:demo:2026-W50", "nudge:1:2026-12-07"]
    assert tick(server, "2026-12-07T09:05:00+01:00").stdout.count('"sent"') == 0


def test_tick_refuses_a_bad_instant(tmp_path):
    out = run_app("tick", "--now", "next tuesday", data_dir=tmp_path / "data")
    assert out.returncode == 2 and "ISO-8601" in out.stderr
