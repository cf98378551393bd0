"""Fault injection: the fake Bot Connector and the fake Slack Web API fail 30 % of calls with 429 (Retry-After),
502, 503, timeouts and dropped connections, while the scheduler's runner delivers a week's notifications to
many people and the working group. Every notification arrives exactly once; a Teams chat the bot was removed
from (403) is marked inactive and not tried again."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

import app as partnerbot
from bot.records import Action, ConversationRef, Member, Organisation
from bot.retry import Pacer
from scheduler.records import Notification
from scheduler.runner import MAX_RUNS, Runner
from tests.conftest import live_server
from tests.fakes import teams_activities as ta
from tests.fakes.slack import TEAM, slack_config

MONDAY_0900 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # 09:00 in Amsterdam: the digest and the nudges are due
KINDS = ("429", "502", "503", "timeout", "drop")
PEOPLE = 20


async def _run_until_settled(services, sleep) -> list:
    """The scheduler's runner, as often as it would run (every minute) until nothing is pending."""
    outcomes = []
    for _ in range(MAX_RUNS + 1):
        runner = Runner(services, sleep=sleep, pacer=Pacer(0, sleep=sleep))
        outcomes += await runner.run(MONDAY_0900)
        notes = await services.repo(ORG[0]).list(Notification) if ORG else []
        if not any(n.status in ("pending", "delivering") for n in notes):
            break
    return outcomes


ORG: list[str] = []


@pytest.fixture
def delays() -> list[float]:
    return []


@pytest.fixture
def fast_sleep(delays):
    async def sleep(seconds: float) -> None:
        delays.append(seconds)
        await asyncio.sleep(0)

    return sleep


async def test_teams_notifications_arrive_exactly_once_when_30_percent_of_calls_fail(
        config, clock, bot_connector, delays, fast_sleep):
    services = partnerbot.build_services(replace(config, scheduler_interval=0), clock)
    teams = services.notifiers["teams"].notifier.teams
    teams.sleep, teams.send_timeout = fast_sleep, 0.3
    ORG[:] = [ta.TENANT]
    async with live_server(services) as live:
        async def post(activity) -> None:
            status, _ = await ta.post_activity(live.session, live.url, activity)
            assert status in (200, 202)

        await post(ta.channel_message(bot_connector.url, "gebruik dit kanaal voor de werkgroep"))
        repo = services.repo(ta.TENANT)
        for n in range(PEOPLE + 1):
            user = f"29:user{n}"
            await post(ta.personal_message(bot_connector.url, "hallo", user_id=user, name=f"Persoon {n}"))
            member = await repo.add(Member(name=f"Persoon {n}", user_id=user, channel="teams"))
            for k in (1, 2):
                await repo.add(Action(title=f"Taak {n}-{k}", owner_id=member.id, deadline=date(2026, 12, 10)))
        removed = f"a:1personal-29:user{PEOPLE}"  # the bot was removed from this one's chat
        bot_connector.gone[removed] = "403"
        bot_connector.sent.clear()
        bot_connector.retry_after = "3"
        bot_connector.fail_randomly(0.3, KINDS, seed=20261125)

        outcomes = await _run_until_settled(services, fast_sleep)

        for n in range(PEOPLE):
            chat = [s for s in bot_connector.to(f"a:1personal-29:user{n}") if s.reply_to is None]
            shown = Counter(title for s in chat for title in (f"Taak {n}-1", f"Taak {n}-2") if title in s.shown)
            assert shown == {f"Taak {n}-1": 1, f"Taak {n}-2": 1}, (n, [s.shown for s in chat])
            assert len(chat) == 2
        assert len([s for s in bot_connector.to(ta.CHANNEL_ID) if s.reply_to is None]) == 1  # the digest
        assert set(bot_connector.failed) >= set(KINDS), Counter(bot_connector.failed)
        assert max(delays) >= 3  # Retry-After is a floor for the wait
        notes = await repo.list(Notification)
        assert Counter(n.status for n in notes) == {"sent": 2 * PEOPLE + 1, "failed": 2}, outcomes
        ref = await repo.find(ConversationRef, channel="teams", kind="user", user_id=f"29:user{PEOPLE}")
        assert ref is not None and not ref.active and "403" in (ref.inactive_reason or "")
        tried = bot_connector.failed.count("403")
        assert tried == 1  # one call found the bot removed; the second nudge was not even tried
        await Runner(services, sleep=fast_sleep, pacer=Pacer(0, sleep=fast_sleep)).run(MONDAY_0900)
        assert bot_connector.failed.count("403") == tried


async def test_slack_notifications_arrive_exactly_once_when_30_percent_of_calls_fail(
        tmp_path, clock, slack_api, fast_sleep):
    services = partnerbot.build_services(replace(slack_config(tmp_path / "data", slack_api), scheduler_interval=0),
                                         clock)
    notifier = services.notifiers["slack"]
    notifier.pacer = Pacer(0, sleep=fast_sleep)
    notifier.sender.client.timeout = 0.5  # a call the fake leaves hanging fails after half a second
    ORG[:] = [TEAM]
    repo = services.repo(TEAM)
    org = await repo.organisation(Organisation())
    org.group_conversation = {"channel": "slack", "conversation_id": "C0GROUP", "name": "werkgroep"}
    await repo.save_organisation(org, now=MONDAY_0900)
    for n in range(PEOPLE):
        member = await repo.add(Member(name=f"Persoon {n}", user_id=f"U0USER{n}", channel="slack"))
        for k in (1, 2):
            await repo.add(Action(title=f"Taak {n}-{k}", owner_id=member.id, deadline=date(2026, 12, 10)))
    slack_api.fail_randomly(0.3, KINDS, seed=7, retry_after=0, hang=2.0)

    outcomes = await _run_until_settled(services, fast_sleep)

    notes = await repo.list(Notification)
    assert all(n.status == "sent" for n in notes), [(n.key, n.status, n.error) for n in notes]
    assert len(notes) == 2 * PEOPLE + 1, outcomes
    posted = Counter(m.get("text", "") for m in slack_api.messages() if m.get("channel") != "C0GROUP")
    for n in range(PEOPLE):
        for k in (1, 2):
            hits = [text for text, count in posted.items() for _ in range(count) if f"Taak {n}-{k}" in text]
            assert len(hits) == 1, (n, k, hits)
    assert len(slack_api.messages("C0GROUP")) == 1  # the digest
    assert set(slack_api.failed) >= set(KINDS), Counter(slack_api.failed)
