"""The Slack channel end to end: signed requests into the running server, the fake Slack Web API records the answers."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Config
from tests.fakes.slack import BOT_ID, BOT_TOKEN, BOT_USER, SIGNING_SECRET, FakeSlack, SlackEvents


@pytest.fixture
async def slack_api() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
def config(tmp_path: Path, slack_api: FakeSlack) -> Config:
    return Config(host="127.0.0.1", port=0, data_dir=tmp_path / "data", slack_bot_token=BOT_TOKEN,
                  slack_signing_secret=SIGNING_SECRET, slack_api_base_url=slack_api.api_url)


@pytest.fixture
def slack(server, slack_api: FakeSlack) -> SlackEvents:
    return SlackEvents(server.session, server.url, slack_api)


def buttons(message: dict) -> list[dict]:
    return [e for b in message.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


def section_text(message: dict) -> str:
    return "\n".join(b["text"]["text"] for b in message.get("blocks", []) if b["type"] == "section")


async def test_direct_message_is_answered_in_the_dm(slack: SlackEvents, slack_api: FakeSlack):
    status, _ = await slack.dm("hoi")
    assert status == 200
    [message] = await slack_api.wait_for(lambda: slack_api.messages("D0ANNA"))
    assert "Hoi Anna!" in section_text(message)
    assert "*Partnerbot*" in section_text(message)  # **bold** became Slack's *bold*
    assert "Partnerbot" in message["text"]
    values = [b["value"] for b in buttons(message)]
    assert "core:settings" in values and "core:lang:en" in values
    assert message.get("thread_ts") is None


async def test_wrong_signature_and_stale_timestamp_are_refused_and_nothing_happens(slack: SlackEvents,
                                                                                   slack_api: FakeSlack):
    assert (await slack.dm("hoi", secret="not-the-signing-secret"))[0] == 401
    assert (await slack.dm("hoi", timestamp=int(time.time()) - 6 * 60))[0] == 401
    assert (await slack.dm("hoi", signature="v0=" + "0" * 64))[0] == 401
    body = json.dumps(slack.envelope({"type": "message", "channel": "D0ANNA", "user": "U0ANNA", "text": "hoi",
                                      "ts": "1.2", "channel_type": "im"})).encode()
    status, _ = await slack.post(body, "application/json", signature="", timestamp=0)
    assert status == 401
    assert slack_api.calls == []  # not even a name was looked up
    # the server still answers a correctly signed message, only that one
    assert (await slack.dm("hoi", user="U0BERT"))[0] == 200
    await slack_api.wait_for(lambda: slack_api.messages("D0BERT"))
    assert slack_api.messages("D0ANNA") == []


async def test_url_verification_answers_the_challenge(slack: SlackEvents):
    body = json.dumps({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"}).encode()
    status, text = await slack.post(body, "application/json")
    assert status == 200
    assert json.loads(text)["challenge"] == "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"


async def test_a_retried_delivery_of_the_same_event_is_answered_once(slack: SlackEvents, slack_api: FakeSlack):
    event = {"type": "message", "channel": "D0ANNA", "user": "U0ANNA", "text": "hoi", "ts": "1700000001.000200",
             "channel_type": "im", "team": "T0PARTNER"}
    body = json.dumps(slack.envelope(event, event_id="Ev0RETRY")).encode()
    assert (await slack.post(body, "application/json"))[0] == 200
    await slack_api.wait_for(lambda: slack_api.messages("D0ANNA"))
    assert (await slack.post(body, "application/json", retry=1))[0] == 200
    assert (await slack.post(body, "application/json", retry=2))[0] == 200
    await slack.dm("hoi", user="U0BERT")
    await slack_api.wait_for(lambda: slack_api.messages("D0BERT"))
    assert len(slack_api.messages("D0ANNA")) == 1


@pytest.mark.parametrize("event", [
    {"subtype": "bot_message", "bot_id": "B0OTHER", "text": "I am another bot"},
    {"user": BOT_USER, "bot_id": BOT_ID, "text": "my own answer"},
    {"subtype": "message_changed", "message": {"user": "U0ANNA", "text": "hoi (edited)"}, "hidden": True},
    {"subtype": "message_deleted", "previous_message": {"user": "U0ANNA", "text": "hoi"}, "hidden": True},
    {"subtype": "channel_join", "text": "<@U0ANNA> joined"},
])
async def test_bots_edits_and_deletes_get_no_answer(slack: SlackEvents, slack_api: FakeSlack, event: dict):
    full = {"type": "message", "channel": "D0ANNA", "user": "U0ANNA", "ts": "1700000001.000300",
            "channel_type": "im"}
    full.update(event)
    if "bot_id" in event and "user" not in event:
        full.pop("user")
    assert (await slack.event(full))[0] == 200
    await slack.dm("hoi", user="U0BERT")
    await slack_api.wait_for(lambda: slack_api.messages("D0BERT"))
    assert slack_api.messages("D0ANNA") == []
