"""Delivery: exactly once through a channel that fails 30 % of sends, permanent failures, pacing."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from bot.messages import Reply
from bot.notify import DeliveryError, Target
from bot.records import Action, Member, Organisation
from bot.retry import Pacer
from scheduler.records import Notification
from scheduler.runner import Runner

NOW = datetime(2026, 12, 10, 8, 0, tzinfo=UTC)  # Thursday 09:00 in Amsterdam


class FlakyChannel:
    """A channel that refuses 30 % of sends with 429 (with Retry-After) or 503, and counts what got through."""

    channel = "teams"  # stands in for a real channel's notifier

    def __init__(self, seed: int = 7, rate: float = 0.3) -> None:
        self.rng = random.Random(seed)
        self.rate = rate
        self.received: list[tuple[str, str]] = []
        self.refused = 0

    async def deliver(self, target: Target, replies: list[Reply], key: str) -> None:
        if self.rng.random() < self.rate:
            self.refused += 1
            if self.rng.random() < 0.5:
                raise DeliveryError("429 Too Many Requests", transient=True, retry_after=2.0)
            raise DeliveryError("503 Service Unavailable", transient=True)
        self.received.append((key, target.user_id or target.conversation_id or ""))


class Removed:
    channel = "slack"

    def __init__(self) -> None:
        self.calls = 0

    async def deliver(self, target: Target, replies: list[Reply], key: str) -> None:
        self.calls += 1
        raise DeliveryError("403 the bot was removed from this conversation", transient=False)


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


async def org_with_actions(services, channel: str, count: int) -> None:
    repo = services.repo("demo")
    await repo.save_organisation(Organisation(name="Demo", group_conversation={"channel": channel,
                                                                               "conversation_id": "wg"}))
    members = [await repo.add(Member(name=f"Lid {i}", user_id=f"u{i}", channel=channel)) for i in range(10)]
    for i in range(count):
        await repo.add(Action(title=f"Actie {i}", owner_id=members[i % 10].id, deadline=date(2026, 12, 10)))


async def test_every_notification_arrives_exactly_once_through_a_flaky_channel(services):
    flaky = FlakyChannel()
    services.notifiers["teams"] = flaky
    await org_with_actions(services, "teams", 60)
    sleeps = Sleeps()
    runner = Runner(services, sleep=sleeps)
    for _ in range(4):  # the server looks again every minute; a few looks are enough
        await runner.run(NOW)
    assert flaky.refused > 10  # the channel really was unreliable
    keys = [k for k, _ in flaky.received]
    expected = {f"nudge:{i}:2026-12-10" for i in range(1, 61)}
    assert sorted(keys) == sorted(expected)  # each once, none lost
    notes = await services.repo("demo").list(Notification)
    assert {n.status for n in notes} == {"sent"}
    assert any(s >= 2.0 for s in sleeps.calls)  # Retry-After was honoured (without really waiting)


async def test_a_permanent_failure_is_recorded_not_retried_and_reported_in_the_next_digest(services):
    gone = Removed()
    services.notifiers["slack"] = gone
    repo = services.repo("demo")
    await repo.save_organisation(Organisation(name="Demo", group_conversation={"channel": "local",
                                                                               "conversation_id": "wg"}))
    bert = await repo.add(Member(name="Bert", user_id="u2", channel="slack"))
    await repo.add(Action(title="Offerte opvragen", owner_id=bert.id, deadline=date(2026, 12, 10)))
    runner = Runner(services, sleep=Sleeps())
    outcomes = await runner.run(NOW)
    assert [(o.key, o.status) for o in outcomes if o.kind == "nudge"] == [("nudge:1:2026-12-10", "failed")]
    await runner.run(NOW)
    assert gone.calls == 1
    monday = datetime(2026, 12, 14, 8, 0, tzinfo=UTC)
    await runner.run(monday)
    digest = next(n for n in await repo.list(Notification) if n.key == "digest:demo:2026-W51")
    assert digest.status == "sent"
    assert "Kon ik niet afleveren" in digest.replies[0]["text"] and "Offerte opvragen" in digest.replies[0]["text"]


async def test_a_channel_without_a_notifier_fails_instead_of_waiting_forever(services):
    services.notifiers.pop("teams", None)
    repo = services.repo("demo")
    bert = await repo.add(Member(name="Bert", user_id="u2", channel="teams"))
    await repo.add(Action(title="Offerte opvragen", owner_id=bert.id, deadline=date(2026, 12, 10)))
    outcomes = await Runner(services, sleep=Sleeps()).run(NOW)
    assert [o.status for o in outcomes] == ["failed"] and "teams" in (outcomes[0].error or "")


async def test_at_most_one_message_per_second_per_conversation(services):
    repo = services.repo("demo")
    bert = await repo.add(Member(name="Bert", user_id="u2", channel="local"))
    for i in range(3):
        await repo.add(Action(title=f"Actie {i}", owner_id=bert.id, deadline=date(2026, 12, 10)))
    sleeps = Sleeps()
    moments = iter([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    runner = Runner(services, sleep=sleeps, pacer=Pacer(1.0, clock=lambda: next(moments), sleep=sleeps))
    await runner.run(NOW)
    assert len(await services.repo("demo").list(Notification)) == 3
    assert len([s for s in sleeps.calls if s > 0.5]) == 2  # the 2nd and 3rd message to Bert waited


async def test_the_sent_log_forgets_finished_notifications_after_a_year_without_sending_them_again(services):
    channel = FlakyChannel(rate=0.0)
    services.notifiers["teams"] = channel
    await org_with_actions(services, "teams", 3)
    repo = services.repo("demo")
    runner = Runner(services, sleep=Sleeps())
    await runner.run(NOW)
    assert len(channel.received) == 3
    for action in await repo.list(Action):  # done: no more nudges for them
        action.status = "done"
        await repo.update(action)
    await runner.run(NOW + timedelta(days=300))
    assert {n.key for n in await repo.list(Notification)} >= {f"nudge:{i}:2026-12-10" for i in range(1, 4)}
    await runner.run(NOW + timedelta(days=401))
    keys = {n.key for n in await repo.list(Notification)}
    assert not any(k.startswith("nudge:") for k in keys)  # forgotten
    await runner.run(NOW + timedelta(days=402))
    assert len(channel.received) == 3  # and not sent again
