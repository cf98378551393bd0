"""Socket Mode: with SLACK_APP_TOKEN the bot connects to (a fake) Slack over a websocket, no public URL needed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.config import Config
from tests.fakes.slack import APP_TOKEN, FakeSlack, SlackEvents, slack_config


@pytest.fixture
def config(tmp_path: Path, slack_api: FakeSlack) -> Config:
    return slack_config(tmp_path / "data", slack_api, socket_mode=True)


async def test_events_arrive_over_the_socket_and_are_acknowledged(server, slack_api: FakeSlack):
    events = SlackEvents(server.session, server.url, slack_api)
    dm = events.envelope({"type": "message", "channel": "D0ANNA", "user": "U0ANNA", "text": "hoi",
                          "ts": "1700000000.000500", "channel_type": "im"})
    await slack_api.push(dm, envelope_id="env-dm")
    [message] = await slack_api.wait_for(lambda: slack_api.messages("D0ANNA"))
    assert "Hoi Anna!" in message["blocks"][0]["text"]["text"]
    await slack_api.wait_for(lambda: any(a.get("envelope_id") == "env-dm" for a in slack_api.socket_acks))
    [connect] = [c for c in slack_api.calls if c.method == "apps.connections.open"]
    assert connect.headers["Authorization"] == f"Bearer {APP_TOKEN}"  # the app-level token, not the bot's


async def test_slash_command_over_the_socket(server, slack_api: FakeSlack):
    command = {"team_id": "T0PARTNER", "channel_id": "C0GROUP", "user_id": "U0ANNA", "command": "/sroi",
               "text": "help", "response_url": slack_api.response_url("sock"), "trigger_id": "t-1"}
    await slack_api.push(command, kind="slash_commands", envelope_id="env-cmd")
    [answer] = await slack_api.wait_for(lambda: slack_api.responses)
    assert answer["response_type"] == "ephemeral" and "Partnerbot" in json.dumps(answer["blocks"])
    await slack_api.wait_for(lambda: any(a.get("envelope_id") == "env-cmd" for a in slack_api.socket_acks))


async def test_a_refused_form_stays_open_over_the_socket(server, slack_api: FakeSlack):
    command = {"team_id": "T0PARTNER", "channel_id": "D0ANNA", "user_id": "U0ANNA", "command": "/sroi",
               "text": "instellingen", "response_url": slack_api.response_url("sock"), "trigger_id": "t-2"}
    await slack_api.push(command, kind="slash_commands", envelope_id="env-settings")
    [opened] = await slack_api.wait_for(lambda: slack_api.sent("views.open"))
    view = opened["view"]
    name = next(b for b in view["blocks"] if b["type"] == "input")
    submission = {"type": "view_submission", "team": {"id": "T0PARTNER"}, "user": {"id": "U0ANNA"},
                  "api_app_id": "A0PARTNER", "trigger_id": "t-3",
                  "view": {**view, "id": "V000001", "hash": "h1", "state": {"values": {
                      name["block_id"]: {"value": {"type": "plain_text_input", "value": "Gemeente " * 20}}}}}}
    await slack_api.push(submission, kind="interactive", envelope_id="env-submit")
    [ack] = await slack_api.wait_for(lambda: [a for a in slack_api.socket_acks if a.get("envelope_id") == "env-submit"])
    assert ack["payload"]["response_action"] == "update"
    assert "Dat kon ik nog niet opslaan" in json.dumps(ack["payload"]["view"])


async def test_no_http_endpoint_in_socket_mode(server):
    async with server.session.post(server.url + "/slack/events", data=b"{}") as resp:
        assert resp.status in (404, 405)
