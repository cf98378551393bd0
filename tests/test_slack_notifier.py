"""The Slack notifier: DMs and channel posts through the fake Slack API, rate limits, gone channels, files."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from adapters.slack.notifier import SlackNotifier
from bot.config import Config
from bot.messages import Attachment, Choice, Reply
from bot.notify import DeliveryError, Target
from bot.records import Action, ConversationRef, Member
from bot.retry import Pacer, with_retries
from tests.fakes.slack import TEAM, FakeSlack, slack_config


@pytest.fixture
def config(tmp_path: Path, slack_api: FakeSlack) -> Config:
    return slack_config(tmp_path / "data", slack_api)


class FakeTime:
    """A monotonic clock and a sleep that only moves it: pacing is checked without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def paced(services, time: FakeTime) -> SlackNotifier:
    registered = services.notifiers["slack"]
    return SlackNotifier(registered.sender, Pacer(1.0, clock=time.clock, sleep=time.sleep))


def user(user_id: str) -> Target:
    return Target(org_id=TEAM, channel="slack", to="user", user_id=user_id)


def group(channel: str) -> Target:
    return Target(org_id=TEAM, channel="slack", to="group", conversation_id=channel)


async def no_wait(_: float) -> None:
    return None


def texts(slack_api: FakeSlack, channel: str) -> list[str]:
    return [m["text"] for m in slack_api.messages(channel)]


async def test_the_slack_notifier_is_registered(services):
    assert services.notifiers["slack"].channel == "slack"


async def test_messages_reach_users_by_dm_and_the_group_channel_despite_rate_limits(services,
                                                                                    slack_api: FakeSlack):
    notifier = services.notifiers["slack"]
    slack_api.rate_limit("conversations.open", times=1, retry_after=0)
    slack_api.rate_limit("chat.postMessage", times=2, retry_after=0)
    deliveries = [(user("U0ANNA"), "Je actie *Plan maken* is over twee dagen af."),
                  (user("U0BERT"), "Herinnering: overleg morgen"),
                  (group("C0GROUP"), "Weekoverzicht van de werkgroep")]
    for index, (target, text) in enumerate(deliveries):
        await with_retries(lambda t=target, x=text, i=index: notifier.deliver(t, [Reply(text=x)], f"n{i}"),
                           sleep=no_wait)
    assert texts(slack_api, "D0ANNA") == ["Je actie Plan maken is over twee dagen af."]
    assert texts(slack_api, "D0BERT") == ["Herinnering: overleg morgen"]
    assert texts(slack_api, "C0GROUP") == ["Weekoverzicht van de werkgroep"]
    refs = await services.repo(TEAM).list(ConversationRef, channel="slack", kind="user")
    assert {(r.user_id, r.conversation_id) for r in refs} == {("U0ANNA", "D0ANNA"), ("U0BERT", "D0BERT")}


async def test_a_rate_limit_that_outlasts_slack_sdk_retries_is_transient_and_arrives_once_later(
        services, slack_api: FakeSlack):
    notifier = services.notifiers["slack"]
    slack_api.rate_limit("chat.postMessage", times=4, retry_after=0)
    with pytest.raises(DeliveryError) as caught:
        await notifier.deliver(group("C0GROUP"), [Reply(text="Actie verlopen")], "late-1")
    assert caught.value.transient and caught.value.retry_after == 0
    assert slack_api.messages() == []
    await notifier.deliver(group("C0GROUP"), [Reply(text="Actie verlopen")], "late-1")
    assert texts(slack_api, "C0GROUP") == ["Actie verlopen"]


async def test_a_retried_notification_does_not_repeat_the_replies_already_sent(services, slack_api: FakeSlack):
    time = FakeTime()
    notifier = paced(services, time)
    replies = [Reply(text="Eerste deel"), Reply(text="Tweede deel"), Reply(text="Derde deel")]
    slack_api.fail("chat.postMessage", "internal_error", after=1)  # the second one fails once
    with pytest.raises(DeliveryError) as caught:
        await notifier.deliver(user("U0ANNA"), replies, "digest-2026-47")
    assert caught.value.transient
    assert texts(slack_api, "D0ANNA") == ["Eerste deel"]
    await notifier.deliver(user("U0ANNA"), replies, "digest-2026-47")  # the scheduler retries
    assert texts(slack_api, "D0ANNA") == ["Eerste deel", "Tweede deel", "Derde deel"]
    # three messages to one conversation: at least a second apart
    assert time.slept and all(gap >= 1.0 - 1e-9 for gap in time.slept)
    assert sum(time.slept) >= 2.0 - 1e-9


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived", "account_inactive"])
async def test_a_channel_the_bot_cannot_post_to_is_marked_inactive(services, slack_api: FakeSlack, error: str):
    notifier = services.notifiers["slack"]
    slack_api.fail("chat.postMessage", error)
    with pytest.raises(DeliveryError) as caught:
        await notifier.deliver(group("C0GONE"), [Reply(text="Hallo werkgroep")], "g1")
    assert not caught.value.transient
    ref = await services.repo(TEAM).find(ConversationRef, channel="slack", kind="group", conversation_id="C0GONE")
    assert ref is not None and not ref.active and ref.inactive_reason == error
    # later notifications are refused at once, without bothering Slack
    calls = len(slack_api.calls)
    with pytest.raises(DeliveryError) as again:
        await notifier.deliver(group("C0GONE"), [Reply(text="Hallo werkgroep")], "g2")
    assert not again.value.transient and len(slack_api.calls) == calls


async def test_a_user_who_left_is_marked_inactive(services, slack_api: FakeSlack):
    notifier = services.notifiers["slack"]
    slack_api.fail("conversations.open", "user_not_found")
    with pytest.raises(DeliveryError) as caught:
        await notifier.deliver(user("U0GONE"), [Reply(text="Hoi")], "u1")
    assert not caught.value.transient
    ref = await services.repo(TEAM).find(ConversationRef, channel="slack", kind="user", user_id="U0GONE")
    assert ref is not None and not ref.active


async def test_charts_and_documents_are_uploaded_with_the_files_api(services, slack_api: FakeSlack):
    notifier = services.notifiers["slack"]
    png = b"\x89PNG\r\n\x1a\n" + b"chart" * 20
    reply = Reply(text="De cijfers van dit kwartaal", choices=[Choice("Gezien", "sched:seen:7")],
                  attachments=[Attachment(name="banen-q3.png", media_type="image/png", data=png),
                               Attachment(name="plan.md", media_type="text/markdown", data=b"# Plan\n")])
    await notifier.deliver(group("C0GROUP"), [reply], "report-q3")
    [message] = slack_api.messages("C0GROUP")
    assert [e["value"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]] == \
        ["sched:seen:7"]
    asked = slack_api.sent("files.getUploadURLExternal")
    assert [a["filename"] for a in asked] == ["banen-q3.png", "plan.md"]
    assert [u.data for u in slack_api.uploads] == [png, b"# Plan\n"]
    completed = slack_api.sent("files.completeUploadExternal")
    assert [c["channel_id"] for c in completed] == ["C0GROUP", "C0GROUP"]


async def test_scheduler_messages_arrive_once_on_slack_while_the_api_rate_limits(services, slack_api: FakeSlack):
    """The scheduler's run (nudges to two people, the digest to the group) through 429s with Retry-After."""
    from scheduler.runner import Runner

    repo = services.repo(TEAM)
    org = await repo.organisation()
    org.group_conversation = {"channel": "slack", "conversation_id": "C0GROUP", "name": "#werkgroep"}
    await repo.save_organisation(org)
    anna = await repo.add(Member(name="Anna de Vries", user_id="U0ANNA", channel="slack"))
    bert = await repo.add(Member(name="Bert Jansen", user_id="U0BERT", channel="slack"))
    today = date(2026, 11, 23)  # the Monday of the fixed clock: digest day
    await repo.add(Action(title="Marktverkenning afronden", owner_id=anna.id, deadline=today))
    await repo.add(Action(title="Leveranciers uitnodigen", owner_id=bert.id, deadline=today + timedelta(days=3)))
    slack_api.rate_limit("conversations.open", times=1, retry_after=0)
    slack_api.rate_limit("chat.postMessage", times=2, retry_after=0)
    now = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    outcomes = await Runner(services, sleep=no_wait, pacer=Pacer(0.0)).run(now, orgs=[TEAM])
    sent = [o for o in outcomes if o.status == "sent"]
    assert {o.kind for o in sent} >= {"nudge", "digest"}
    assert all(o.status in ("sent", "folded") for o in outcomes)
    messages = slack_api.messages()
    assert len(messages) == len(sent)  # each exactly once
    assert any("Marktverkenning afronden" in m["text"] for m in slack_api.messages("D0ANNA"))
    assert any("Leveranciers uitnodigen" in m["text"] for m in slack_api.messages("D0BERT"))
    assert len(slack_api.messages("C0GROUP")) == 1
    # a second run at the same instant sends nothing again
    assert await Runner(services, sleep=no_wait, pacer=Pacer(0.0)).run(now, orgs=[TEAM]) == []
    assert len(slack_api.messages()) == len(sent)
