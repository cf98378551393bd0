"""A delivery repeated after the server restarted is not answered or processed twice (bot.seen).

Slack repeats an event it saw no acknowledgement for, and a user may send a modal again; in Teams a
form's card can be clicked again at any time. The restart tests run `app.py serve` as a process (same
DATA_DIR twice) against the fake Slack Web API or the fake Bot Connector; the pruning tests run the
server in this process with the fixed clock.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from test_slack import buttons, section_text, settings_values
from test_teams_channel import inputs, settings_card, submit_action

from bot.clock import FixedClock
from bot.config import Config
from bot.records import Organisation
from bot.repository import StoreRegistry
from bot.seen import SeenKey
from tests.conftest import ServerProcess
from tests.fakes import teams_activities as ta
from tests.fakes.bot_connector import FakeConnector
from tests.fakes.slack import BOT_TOKEN, SIGNING_SECRET, TEAM, FakeSlack, SlackEvents, slack_config


@pytest.fixture
def config(tmp_path: Path, slack_api: FakeSlack) -> Config:
    return slack_config(tmp_path / "data", slack_api)


@asynccontextmanager
async def running(proc: ServerProcess) -> AsyncIterator[aiohttp.ClientSession]:
    """The server process started (again) on its data directory, and a session to talk to it."""
    await asyncio.to_thread(proc.start)
    try:
        async with aiohttp.ClientSession() as session:
            yield session
    finally:
        await asyncio.to_thread(proc.stop)


def slack_process(data: Path, slack_api: FakeSlack) -> ServerProcess:
    return ServerProcess(data, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                         SLACK_API_BASE_URL=slack_api.api_url.rstrip("/"))


def dm_event(text: str, ts: str, user: str = "U0ANNA") -> dict[str, Any]:
    return {"type": "message", "channel": "D" + user.lstrip("U"), "user": user, "text": text, "ts": ts,
            "event_ts": ts, "channel_type": "im", "team": TEAM}


async def test_a_slack_event_retried_after_a_restart_is_answered_once_and_a_new_one_still_is(
        tmp_path: Path, slack_api: FakeSlack):
    proc = slack_process(tmp_path / "data", slack_api)
    async with running(proc) as session:
        slack = SlackEvents(session, proc.url, slack_api)
        body = json.dumps(slack.envelope(dm_event("hoi", "1700000001.000100"), event_id="Ev0RESTART")).encode()
        assert (await slack.post(body, "application/json"))[0] == 200
        [hello] = await slack_api.wait_for(lambda: slack_api.messages("D0ANNA"))
        assert "Hoi Anna!" in section_text(hello)

    async with running(proc) as session:
        slack = SlackEvents(session, proc.url, slack_api)
        assert (await slack.post(body, "application/json", retry=1))[0] == 200
        assert (await slack.post(body, "application/json", retry=2))[0] == 200
        # Anna's next message (another event id) is answered; her turns run in order, so a reply to the
        # repeats would have come before this one
        status, _ = await slack.event(dm_event("instellingen", "1700000002.000100"), event_id="Ev0NEXT")
        assert status == 200
        await slack_api.wait_for(lambda: len(slack_api.messages("D0ANNA")) >= 2)
        [first, second] = slack_api.messages("D0ANNA")
        assert "Hoi Anna!" in section_text(first)
        assert any(b["action_id"].startswith("form_open") for b in buttons(second))  # the settings form


async def test_a_slack_modal_sent_again_after_a_restart_changes_nothing(tmp_path: Path, slack_api: FakeSlack):
    proc = slack_process(tmp_path / "data", slack_api)
    async with running(proc) as session:
        slack = SlackEvents(session, proc.url, slack_api)
        await slack.dm("instellingen")
        [message] = await slack_api.wait_for(lambda: slack_api.messages("D0ANNA"))
        [open_form] = [b for b in buttons(message) if b["action_id"].startswith("form_open")]
        await slack.click(open_form)
        [opened] = await slack_api.wait_for(lambda: slack_api.sent("views.open"))
        view = {**opened["view"], "id": "V0SETTINGS", "hash": "h1"}
        values = settings_values(view, "Gemeente Utrecht")
        assert await slack.submit(view, values) == (200, "")
        [_, saved] = await slack_api.wait_for(lambda: len(slack_api.messages("D0ANNA")) == 2
                                              and slack_api.messages("D0ANNA"))
        assert "Opgeslagen" in section_text(saved)

    async with running(proc) as session:
        slack = SlackEvents(session, proc.url, slack_api)
        assert await slack.submit(view, values) == (200, "")  # the modal closes, as the first time
        await slack.dm("hoi")  # Anna's turns run in order: a second "saved" would come before this answer
        await slack_api.wait_for(lambda: len(slack_api.messages("D0ANNA")) >= 3)
        [_, saved, hello] = slack_api.messages("D0ANNA")
        assert "Opgeslagen" in section_text(saved) and "Hoi Anna!" in section_text(hello)
    assert len(slack_api.sent("views.open")) == 1


async def test_a_teams_form_sent_again_after_a_restart_is_processed_once(tmp_path: Path,
                                                                         bot_connector: FakeConnector):
    proc = ServerProcess(tmp_path / "data")
    async with running(proc) as session:
        card, card_message = await settings_card(SimpleNamespace(session=session, url=proc.url), bot_connector)
        action = submit_action(card)
        invoke = ta.execute_invoke(bot_connector.url, action, {"name": "Gemeente Zaanstad", "language": "nl",
                                                           "timezone": "Europe/Amsterdam"}, card_message=card_message)
        status, body = await ta.post_activity(session, proc.url, invoke)
        assert status == 200
        sent_card = body["value"]
        assert not inputs(sent_card)  # the "sent" card
        assert "Gemeente Zaanstad" in bot_connector.sent[-1].text

    before = len(bot_connector.sent)
    async with running(proc) as session:
        again = ta.execute_invoke(bot_connector.url, action, {"name": "Iets anders", "language": "en",
                                                          "timezone": "UTC"}, card_message=card_message)
        status, body = await ta.post_activity(session, proc.url, again)
        assert status == 200 and body["value"] == sent_card  # the card says it was sent, as before the restart
        # the same card's Action.Submit fallback (older clients) does nothing either
        data = {**action["data"], "name": "Nog iets anders", "language": "en", "timezone": "UTC"}
        assert (await ta.post_activity(session, proc.url, ta.submit_message(
            bot_connector.url, data, card_message=card_message)))[0] in (200, 202)
        assert len(bot_connector.sent) == before and bot_connector.updates == []
    org = await StoreRegistry(tmp_path / "data").repo(ta.TENANT).find(Organisation)
    assert org is not None and (org.name, org.language) == ("Gemeente Zaanstad", "nl")


async def seen_keys(server: Any, org: str, kind: str) -> list[str]:
    return sorted(r.key for r in await server.services.seen.repo(org).list(SeenKey, kind=kind))


async def test_slack_event_ids_are_forgotten_after_two_hours(server, slack_api: FakeSlack, clock: FixedClock):
    slack = SlackEvents(server.session, server.url, slack_api)
    body = json.dumps(slack.envelope(dm_event("hoi", "1700000001.000100"), event_id="Ev0OLD")).encode()
    assert (await slack.post(body, "application/json"))[0] == 200
    await slack_api.wait_for(lambda: slack_api.messages("D0ANNA"))
    assert await seen_keys(server, TEAM, "slack_event") == ["Ev0OLD"]
    assert await server.services.repo(TEAM).list(SeenKey) == []  # not in the file with the organisation's data

    clock.set(clock.now() + timedelta(hours=1))  # Slack still repeats it now: dropped
    assert (await slack.post(body, "application/json", retry=3))[0] == 200
    clock.set(clock.now() + timedelta(hours=2))
    await slack.dm("instellingen", event_id="Ev0NEW")  # Anna's turns run in order: a second "hoi" comes first
    await slack_api.wait_for(lambda: len(slack_api.messages("D0ANNA")) >= 2)
    [_, answer] = slack_api.messages("D0ANNA")
    assert any(b["action_id"].startswith("form_open") for b in buttons(answer))
    assert await seen_keys(server, TEAM, "slack_event") == ["Ev0NEW"]  # the old one is gone from the store


async def test_teams_form_cards_are_forgotten_after_400_days(server, bot_connector: FakeConnector,
                                                             clock: FixedClock):
    async def send_settings(name: str) -> dict[str, Any]:
        card, card_message = await settings_card(server, bot_connector)
        invoke = ta.execute_invoke(bot_connector.url, submit_action(card), {
            "name": name, "language": "nl", "timezone": "Europe/Amsterdam"}, card_message=card_message)
        status, _ = await ta.post_activity(server.session, server.url, invoke)
        assert status == 200
        return submit_action(card)["data"]["partnerbot"]

    first = await send_settings("Gemeente Zaanstad")
    assert await seen_keys(server, ta.TENANT, "teams_form") == [first["card"]]
    clock.set(clock.now() + timedelta(days=399))
    second = await send_settings("Gemeente Zaandam")
    assert await seen_keys(server, ta.TENANT, "teams_form") == sorted([first["card"], second["card"]])
    clock.set(clock.now() + timedelta(days=2))  # the first card is now 401 days old
    third = await send_settings("Gemeente Haarlem")
    assert await seen_keys(server, ta.TENANT, "teams_form") == sorted([second["card"], third["card"]])
    assert (await server.services.repo(ta.TENANT).find(Organisation)).name == "Gemeente Haarlem"
