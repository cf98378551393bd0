"""Proactive messages in Teams: the scheduler's notifications reach a user's personal chat and the
working group's channel through the Teams notifier, exactly once, also when the Bot Connector
throttles and fails; a bot that was removed (403/404) marks the conversation inactive.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

import app as partnerbot
from adapters.teams.notifier import TeamsNotifier
from bot.messages import Choice, Reply
from bot.notify import DeliveryError, Target
from bot.records import Action, ConversationRef, Member
from bot.retry import Pacer
from scheduler.runner import Runner
from tests.conftest import live_server
from tests.fakes import teams_activities as ta
from tests.fakes.bot_connector import FakeConnector
from tests.helpers.adaptive_card import assert_valid_message

ANNA_CHAT = "a:1personal-29:anna"
MONDAY_0900 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # 09:00 in Amsterdam, ISO week 50


@pytest.fixture
def delays() -> list[float]:
    return []


@pytest.fixture
async def server(config, clock, delays):
    """The server with its own scheduler off (the test runs it), and sleeps that only take note."""
    services = partnerbot.build_services(replace(config, scheduler_interval=0), clock)

    async def sleep(seconds: float) -> None:
        delays.append(seconds)
        await asyncio.sleep(0)

    teams = notifier_of(services).teams
    teams.sleep = sleep
    teams.send_timeout = 0.5
    async with live_server(services) as live:
        live.sleep = sleep  # type: ignore[attr-defined]
        yield live


def notifier_of(services) -> TeamsNotifier:
    return services.notifiers["teams"].notifier


async def post(server, activity) -> None:
    status, _ = await ta.post_activity(server.session, server.url, activity)
    assert status in (200, 202)


async def setup_working_group(server, bot_connector: FakeConnector, actions: int = 1) -> Member:
    """Bram registers the channel; Anna talks to the bot once and owns `actions` actions due on 10 Dec."""
    await post(server, ta.channel_message(bot_connector.url, "gebruik dit kanaal voor de werkgroep"))
    assert "werkgroep" in str(bot_connector.sent[-1].activity)
    await post(server, ta.personal_message(bot_connector.url, "hallo"))
    repo = server.services.repo(ta.TENANT)
    anna = await repo.add(Member(name="Anna de Vries", user_id="29:anna", channel="teams"))
    for n in range(1, actions + 1):
        await repo.add(Action(title=f"Leverancier {n} bellen", owner_id=anna.id, deadline=date(2026, 12, 10)))
    bot_connector.sent.clear()
    return anna


def proactive(bot_connector: FakeConnector, conversation_id: str) -> list:
    return [s for s in bot_connector.to(conversation_id) if s.reply_to is None]


async def run_scheduler(server) -> list:
    runner = Runner(server.services, sleep=server.sleep, pacer=Pacer(0, sleep=server.sleep))
    return await runner.run(MONDAY_0900)


async def test_digest_reaches_the_channel_and_a_nudge_the_owner(server, bot_connector):
    await setup_working_group(server, bot_connector)
    outcomes = await run_scheduler(server)
    assert sorted(o.status for o in outcomes) == ["sent", "sent"]
    (digest,) = proactive(bot_connector, ta.CHANNEL_ID)  # a new post in the channel itself, not in a thread
    assert "50" in str(digest.activity) and "Leverancier 1 bellen" in str(digest.activity)
    assert_valid_message(digest.activity)
    (nudge,) = proactive(bot_connector, ANNA_CHAT)
    message = assert_valid_message(nudge.activity)
    assert "Leverancier 1 bellen" in nudge.shown and "1d" in nudge.shown  # the section code as footer
    labels = [a["title"] for a in message["suggestedActions"]["actions"]]
    assert len(labels) == 3

    # Anna taps the first suggested action ("done"): the action is closed
    await post(server, ta.personal_message(bot_connector.url, labels[0]))
    action = (await server.services.repo(ta.TENANT).list(Action))[0]
    assert action.status == "done"


async def test_each_notification_arrives_exactly_once_when_30_percent_of_calls_fail(server, bot_connector, delays):
    await setup_working_group(server, bot_connector, actions=8)
    bot_connector.retry_after = "4"
    bot_connector.fail_randomly(0.3, ("429", "502"), seed=11)
    outcomes = await run_scheduler(server)
    assert len(outcomes) == 9 and all(o.status == "sent" for o in outcomes), outcomes
    assert bot_connector.failures >= 3  # the run did meet throttling and errors
    nudges = proactive(bot_connector, ANNA_CHAT)
    titles = sorted(t for n in nudges for t in [f"Leverancier {i} bellen" for i in range(1, 9)] if t in n.shown)
    assert titles == sorted(f"Leverancier {i} bellen" for i in range(1, 9))
    assert len(nudges) == 8
    assert len(proactive(bot_connector, ta.CHANNEL_ID)) == 1
    assert "429" in bot_connector.failed and "502" in bot_connector.failed
    assert max(delays) >= 4  # Retry-After is a floor for the wait


async def test_a_removed_bot_marks_the_conversation_inactive_and_stops_trying(server, bot_connector):
    await setup_working_group(server, bot_connector)
    notifier = notifier_of(server.services)
    target = Target(org_id=ta.TENANT, channel="teams", to="user", user_id="29:anna")
    bot_connector.fail_next("403")
    with pytest.raises(DeliveryError) as failed:
        await notifier.deliver(target, [Reply(text="Herinnering")], "test:1")
    assert failed.value.transient is False
    ref = await server.services.repo(ta.TENANT).find(ConversationRef, kind="user", user_id="29:anna")
    assert ref is not None and not ref.active and "403" in ref.inactive_reason
    calls = bot_connector.calls
    with pytest.raises(DeliveryError) as again:
        await notifier.deliver(target, [Reply(text="Herinnering")], "test:2")
    assert again.value.transient is False and bot_connector.calls == calls


async def test_a_gone_channel_is_marked_inactive_and_not_tried_again(server, bot_connector):
    await setup_working_group(server, bot_connector)
    bot_connector.gone[ta.CHANNEL_ID] = "404"
    outcomes = await run_scheduler(server)
    assert {o.kind: o.status for o in outcomes} == {"digest": "failed", "nudge": "sent"}
    ref = await server.services.repo(ta.TENANT).find(ConversationRef, kind="group")
    assert not ref.active and "404" in ref.inactive_reason
    calls = len([s for s in bot_connector.failed if s == "404"])
    assert calls == 1  # a permanent failure is not retried
    server.services.clock.set(datetime(2026, 12, 14, 8, 0, tzinfo=UTC))
    await Runner(server.services, sleep=server.sleep, pacer=Pacer(0, sleep=server.sleep)).run(
        datetime(2026, 12, 14, 8, 0, tzinfo=UTC))
    assert len(bot_connector.failed) == calls  # next week's digest does not go to the gone channel


async def test_throttling_is_retried_honouring_retry_after(server, bot_connector, delays):
    await setup_working_group(server, bot_connector)
    bot_connector.retry_after = "7"
    bot_connector.fail_next("429", "429")
    await notifier_of(server.services).deliver(Target(org_id=ta.TENANT, channel="teams", to="group",
                                                      conversation_id=ta.CHANNEL_ID), [Reply(text="Weekoverzicht")],
                                               "test:3")
    (sent,) = proactive(bot_connector, ta.CHANNEL_ID)
    assert sent.text == "Weekoverzicht"
    assert sum(1 for d in delays if d >= 7) == 2


async def test_a_timeout_is_retried_and_delivers_once(server, bot_connector):
    await setup_working_group(server, bot_connector)
    bot_connector.fail_next("timeout")
    await notifier_of(server.services).deliver(Target(org_id=ta.TENANT, channel="teams", to="user",
                                                      user_id="29:anna"), [Reply(text="Na een time-out")], "test:4")
    assert [s.text for s in proactive(bot_connector, ANNA_CHAT)] == ["Na een time-out"]


async def test_a_half_delivered_notification_sends_only_the_rest_when_retried(server, bot_connector):
    await setup_working_group(server, bot_connector)
    notifier = notifier_of(server.services)
    target = Target(org_id=ta.TENANT, channel="teams", to="user", user_id="29:anna")
    replies = [Reply(text="Deel een"), Reply(text="Deel twee", choices=[Choice("Ok", "core:help")])]
    bot_connector.fail_next("ok", *["502"] * notifier.attempts)
    with pytest.raises(DeliveryError) as failed:
        await notifier.deliver(target, replies, "test:5")
    assert failed.value.transient is True
    await notifier.deliver(target, replies, "test:5")  # the scheduler's retry
    assert [s.text for s in proactive(bot_connector, ANNA_CHAT)] == ["Deel een", "Deel twee"]


async def test_without_a_known_conversation_the_failure_is_permanent(server, bot_connector):
    with pytest.raises(DeliveryError) as failed:
        await notifier_of(server.services).deliver(Target(org_id=ta.TENANT, channel="teams", to="user",
                                                          user_id="29:nobody"), [Reply(text="Hallo")], "test:6")
    assert failed.value.transient is False and bot_connector.calls == 0
