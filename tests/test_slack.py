"""The Slack channel end to end: signed requests into the running server, the fake Slack Web API records the answers."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import date
from pathlib import Path

import aiohttp
import pytest

from adapters.slack import listeners
from adapters.slack.records import SlackStash
from bot.config import Config
from bot.records import Action, ConversationRef, Member
from tests.conftest import ServerProcess
from tests.fakes.slack import BOT_ID, BOT_TOKEN, BOT_USER, SIGNING_SECRET, TEAM, FakeSlack, SlackEvents, slack_config


@pytest.fixture
def config(tmp_path: Path, slack_api: FakeSlack) -> Config:
    return slack_config(tmp_path / "data", slack_api)


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


async def test_mention_in_a_channel_is_answered_in_its_thread(server, slack: SlackEvents, slack_api: FakeSlack):
    status, _, ts = await slack.mention("help")
    assert status == 200
    [message] = await slack_api.wait_for(lambda: slack_api.messages("C0GROUP"))
    assert message["thread_ts"] == ts
    assert "Partnerbot" in section_text(message)
    # a mention inside a thread is answered in that same thread
    await slack.mention("help", thread_ts="1699999999.000001")
    messages = await slack_api.wait_for(lambda: len(slack_api.messages("C0GROUP")) == 2 and
                                        slack_api.messages("C0GROUP"))
    assert messages[1]["thread_ts"] == "1699999999.000001"
    ref = await server.services.repo(TEAM).find(ConversationRef, channel="slack", kind="group")
    assert ref is not None and ref.conversation_id == "C0GROUP" and ref.active


async def test_slash_command_answers_only_to_the_user_who_typed_it(server, slack: SlackEvents,
                                                                   slack_api: FakeSlack):
    status, body = await slack.command("help")
    assert status == 200 and body == ""  # acknowledged at once, the answer follows
    [answer] = await slack_api.wait_for(lambda: slack_api.responses)
    assert answer["response_type"] == "ephemeral"
    assert "Partnerbot" in section_text(answer)
    assert slack_api.messages() == []  # nothing posted for the whole channel to see
    await slack.command("", response="2")  # just "/sroi" shows the menu too
    answers = await slack_api.wait_for(lambda: len(slack_api.responses) == 2 and slack_api.responses)
    assert "Partnerbot" in section_text(answers[1])
    # a button in that private answer answers privately too
    [settings] = [b for b in buttons(answers[1]) if b["value"] == "core:settings"]
    await slack.click(settings, channel="C0GROUP", ephemeral=True)
    answers = await slack_api.wait_for(lambda: len(slack_api.responses) == 3 and slack_api.responses)
    assert answers[2]["response_type"] == "ephemeral" and "Instellingen" in json.dumps(answers[2])
    assert slack_api.messages() == []
    # the bot need not be in that channel (or it is a DM between two people): not kept for notifications
    await slack.command("help", channel="D0ANNABERT", response="3")
    await slack_api.wait_for(lambda: len(slack_api.responses) == 4)
    assert await server.services.repo(TEAM).list(ConversationRef) == []


async def test_clicking_a_choice_button_routes_its_value(slack: SlackEvents, slack_api: FakeSlack):
    await slack.dm("hoi")
    [menu] = await slack_api.wait_for(lambda: slack_api.messages("D0ANNA"))
    [english] = [b for b in buttons(menu) if b["value"] == "core:lang:en"]
    status, _ = await slack.click(english)
    assert status == 200
    answers = await slack_api.wait_for(lambda: len(slack_api.messages("D0ANNA")) == 2 and
                                       slack_api.messages("D0ANNA"))
    assert "English" in section_text(answers[1])
    # the choice stuck: the next message is answered in English
    await slack.dm("help")
    answers = await slack_api.wait_for(lambda: len(slack_api.messages("D0ANNA")) == 3 and
                                       slack_api.messages("D0ANNA"))
    assert "What would you like to do?" in section_text(answers[2])


async def open_settings(slack: SlackEvents, slack_api: FakeSlack) -> dict:
    """Ask for the settings in the DM and open the form's modal from its button; the modal as Slack got it."""
    await slack.dm("instellingen")
    [message] = await slack_api.wait_for(lambda: slack_api.messages("D0ANNA"))
    [open_form] = [b for b in buttons(message) if b["action_id"].startswith("form_open")]
    await slack.click(open_form)
    [opened] = await slack_api.wait_for(lambda: slack_api.sent("views.open"))
    assert opened["trigger_id"].startswith("trigger-")
    return opened["view"]


def inputs_of(view: dict) -> list[dict]:
    return [b for b in view["blocks"] if b["type"] == "input"]


def settings_values(view: dict, name: str, language: str = "Engels") -> dict:
    """view.state.values for the settings modal: `name` typed, `language` picked, the time zone as it was."""
    name_input, language_input, timezone_input = inputs_of(view)
    picked = next(o for o in language_input["element"]["options"] if o["text"]["text"] == language)
    return {
        name_input["block_id"]: {"value": {"type": "plain_text_input", "value": name}},
        language_input["block_id"]: {"value": {"type": "static_select", "selected_option": picked}},
        timezone_input["block_id"]: {"value": {"type": "static_select",
                                               "selected_option": timezone_input["element"]["initial_option"]}},
    }


async def settle(slack: SlackEvents, slack_api: FakeSlack) -> None:
    """Let everything the bot still had to send arrive: Bert's answer comes after all of it."""
    before = len(slack_api.messages("D0BERT"))
    await slack.dm("hoi", user="U0BERT")
    await slack_api.wait_for(lambda: len(slack_api.messages("D0BERT")) > before)


async def test_a_form_opens_as_a_modal_and_its_answers_come_back_escaped(slack: SlackEvents, slack_api: FakeSlack):
    view = await open_settings(slack, slack_api)
    assert view["type"] == "modal" and len(view["title"]["text"]) <= 24
    assert json.loads(view["private_metadata"])["form"] == "core:settings"
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["element"]["type"] for b in inputs] == ["plain_text_input", "static_select", "static_select"]
    assert [b["label"]["text"] for b in inputs] == ["Naam van de organisatie", "Taal van de bot", "Tijdzone"]
    assert inputs[1]["element"]["initial_option"]["text"]["text"] == "Nederlands"
    english = next(o for o in inputs[1]["element"]["options"] if o["text"]["text"] == "Engels")
    amsterdam = inputs[2]["element"]["initial_option"]
    values = {
        inputs[0]["block_id"]: {"value": {"type": "plain_text_input", "value": "<!channel> & Gemeente <Utrecht>"}},
        inputs[1]["block_id"]: {"value": {"type": "static_select", "selected_option": english}},
        inputs[2]["block_id"]: {"value": {"type": "static_select", "selected_option": amsterdam}},
    }
    status, body = await slack.submit({**view, "id": "V000001"}, values)
    assert status == 200 and body == ""  # the modal closes
    answers = await slack_api.wait_for(lambda: len(slack_api.messages("D0ANNA")) == 2 and
                                       slack_api.messages("D0ANNA"))
    saved = section_text(answers[1])
    assert "&lt;!channel&gt; &amp; Gemeente &lt;Utrecht&gt;" in saved
    assert "<!channel>" not in saved and "<!channel>" not in answers[1]["text"]
    assert "Europe/Amsterdam" in saved and "Engels" in saved


async def test_a_refused_submission_keeps_the_modal_open_with_the_problems_and_what_was_typed(
        server, slack: SlackEvents, slack_api: FakeSlack):
    view = await open_settings(slack, slack_api)
    too_long = "<!channel> Gemeente & " + "Utrechtse Heuvelrug " * 9  # the form takes it, the organisation not
    status, body = await slack.submit({**view, "id": "V000001", "hash": "h1"}, settings_values(view, too_long))
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "update"
    modal = answer["view"]
    assert modal["type"] == "modal" and modal["callback_id"] == view["callback_id"]
    problems = section_text(modal)
    assert problems.startswith("Dat kon ik nog niet opslaan:") and "120" in problems
    # still the same form, with what Anna typed and picked filled back in
    name_input, language_input, _ = inputs_of(modal)
    assert [b["label"]["text"] for b in inputs_of(modal)] == [b["label"]["text"] for b in inputs_of(view)]
    assert name_input["element"]["initial_value"] == too_long
    assert language_input["element"]["initial_option"]["text"]["text"] == "Engels"
    assert len(modal["title"]["text"]) <= 24 and len(modal["submit"]["text"]) <= 24
    await settle(slack, slack_api)
    assert len(slack_api.messages("D0ANNA")) == 1  # only the settings message from before: nothing posted
    assert (await server.services.repo(TEAM).organisation()).language == "nl"  # nothing saved
    # corrected in the modal that stayed open: accepted, the modal closes and the confirmation is posted
    status, body = await slack.submit({**modal, "id": "V000001", "hash": "h2"},
                                      settings_values(modal, "Gemeente <Utrecht>"))
    assert status == 200 and body == ""
    answers = await slack_api.wait_for(lambda: len(slack_api.messages("D0ANNA")) == 2 and
                                       slack_api.messages("D0ANNA"))
    assert "Gemeente &lt;Utrecht&gt;" in section_text(answers[1]) and "Engels" in section_text(answers[1])
    assert (await server.services.repo(TEAM).organisation()).name == "Gemeente <Utrecht>"


async def test_the_same_submission_delivered_twice_runs_its_turn_once(server, slack: SlackEvents,
                                                                        slack_api: FakeSlack):
    view = await open_settings(slack, slack_api)
    submitted = {**view, "id": "V000001", "hash": "h1"}
    refused = settings_values(view, "Gemeente " * 20)
    first = await slack.submit(submitted, refused)
    again = await slack.submit(submitted, refused)
    assert json.loads(first[1])["response_action"] == "update"
    assert json.loads(again[1]) == json.loads(first[1])  # the same answer, the same stashed form
    assert len(await server.services.repo(TEAM).list(SlackStash)) == 2  # the settings message's form + this one
    values = settings_values(view, "Gemeente Utrecht")
    assert await slack.submit(submitted, values) == (200, "")
    assert await slack.submit(submitted, values) == (200, "")
    await slack_api.wait_for(lambda: len(slack_api.messages("D0ANNA")) == 2)
    await settle(slack, slack_api)
    [_, saved] = slack_api.messages("D0ANNA")
    assert "Opgeslagen" in section_text(saved)


async def test_a_slow_submission_closes_the_modal_and_answers_in_the_conversation(
        monkeypatch: pytest.MonkeyPatch, slack: SlackEvents, slack_api: FakeSlack):
    monkeypatch.setattr(listeners, "SUBMIT_BUDGET", 0)  # the turn never finishes before the acknowledgement
    view = await open_settings(slack, slack_api)
    status, body = await slack.submit({**view, "id": "V000001"}, settings_values(view, "Gemeente " * 20))
    assert status == 200 and body == ""  # acknowledged plainly, the modal closes
    answers = await slack_api.wait_for(lambda: len(slack_api.messages("D0ANNA")) == 2 and
                                       slack_api.messages("D0ANNA"))
    assert "Dat kon ik nog niet opslaan" in section_text(answers[1])  # the problems, as a message
    assert any(b["action_id"].startswith("form_open") for b in buttons(answers[1]))  # with the form to try again
    await settle(slack, slack_api)
    assert len(slack_api.messages("D0ANNA")) == 2


async def test_an_unknown_form_token_gets_a_friendly_message(slack: SlackEvents, slack_api: FakeSlack):
    await slack.click({"action_id": "form_open:0", "text": {"type": "plain_text", "text": "Invullen"},
                       "value": "no-such-token"})
    [message] = await slack_api.wait_for(lambda: slack_api.messages("D0ANNA"))
    assert "formulier" in message["text"]
    assert slack_api.sent("views.open") == []


async def test_home_tab_shows_the_overview_and_its_buttons_work(slack: SlackEvents, slack_api: FakeSlack):
    assert (await slack.home_opened())[0] == 200
    [published] = await slack_api.wait_for(lambda: slack_api.sent("views.publish"))
    assert published["user_id"] == "U0ANNA"
    view = published["view"]
    assert view["type"] == "home" and view["blocks"][0]["type"] == "header"
    home_buttons = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    # the features' own home content first, the quick buttons last
    assert [b["value"] for b in home_buttons][-3:] == ["core:ask", "flow:resume", "voortgang"]
    assert len({b["action_id"] for b in home_buttons}) == len(home_buttons)
    [ask] = [b for b in home_buttons if b["value"] == "core:ask"]
    await slack.click(ask, view={**view, "id": "V0HOME"})
    [answer] = await slack_api.wait_for(lambda: slack_api.messages("D0ANNA"))
    assert "vraag" in answer["text"]
    await slack_api.wait_for(lambda: len(slack_api.sent("views.publish")) == 2)  # the Home tab is refreshed


async def test_done_button_on_the_home_tab_closes_the_action_and_refreshes_the_tab(server, slack: SlackEvents,
                                                                                    slack_api: FakeSlack):
    repo = server.services.repo(TEAM)
    anna = await repo.add(Member(name="Anna de Vries", user_id="U0ANNA", channel="slack"))
    action = await repo.add(Action(title="Offerte <opvragen> & bellen", owner_id=anna.id,
                                   deadline=date(2026, 12, 1)))
    await slack.home_opened()
    [published] = await slack_api.wait_for(lambda: slack_api.sent("views.publish"))
    home = published["view"]
    assert "Offerte &lt;opvragen&gt; &amp; bellen" in json.dumps(home)
    [done] = [e for b in home["blocks"] if b["type"] == "actions" for e in b["elements"]
              if e["value"] == f"sched:done:{action.id}"]
    await slack.click(done, view={**home, "id": "V0HOME"})
    [answer] = await slack_api.wait_for(lambda: slack_api.messages("D0ANNA"))
    assert "Offerte" in answer["text"]
    republished = await slack_api.wait_for(lambda: len(slack_api.sent("views.publish")) == 2 and
                                           slack_api.sent("views.publish")[1])
    assert f"sched:done:{action.id}" not in json.dumps(republished["view"])
    assert (await repo.get(Action, action.id)).status == "done"


async def test_a_channel_becomes_the_working_group_channel_by_mention(server, slack: SlackEvents,
                                                                      slack_api: FakeSlack):
    await slack.mention("werkgroepkanaal", channel="C0WERKGROEP")
    await slack_api.wait_for(lambda: slack_api.messages("C0WERKGROEP"))
    org = await server.services.repo(TEAM).organisation()
    assert org.group_conversation is not None
    assert (org.group_conversation["channel"], org.group_conversation["conversation_id"]) == ("slack", "C0WERKGROEP")


async def test_a_form_asked_for_with_the_slash_command_opens_at_once(slack: SlackEvents, slack_api: FakeSlack):
    await slack.command("instellingen")
    [opened] = await slack_api.wait_for(lambda: slack_api.sent("views.open"))
    assert opened["trigger_id"] == "13345224609.738474920.8088930838d"  # the command's own trigger
    assert opened["view"]["type"] == "modal"
    [answer] = await slack_api.wait_for(lambda: slack_api.responses)
    assert any(b["action_id"].startswith("form_open") for b in buttons(answer))  # to open it again later


async def test_slack_failing_on_one_answer_does_not_stop_the_next(slack: SlackEvents, slack_api: FakeSlack):
    slack_api.fail("chat.postMessage", "internal_error")
    slack_api.fail("users.info", "missing_scope")
    await slack.dm("hoi")
    await slack_api.wait_for(lambda: "chat.postMessage" in slack_api.attempts)  # Anna's answer was lost
    await slack.dm("hoi", user="U0BERT")
    [answer] = await slack_api.wait_for(lambda: slack_api.messages("D0BERT"))
    assert "Partnerbot" in answer["text"]


async def test_the_served_app_reads_the_slack_settings_from_the_environment(tmp_path: Path, slack_api: FakeSlack):
    proc = ServerProcess(tmp_path / "data", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                         SLACK_API_BASE_URL=slack_api.api_url.rstrip("/"))
    await asyncio.to_thread(proc.start)
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(proc.url + "/healthz") as resp:
                assert (await resp.json())["channels"]["slack"] is True
            assert (await SlackEvents(session, proc.url, slack_api).dm("hoi"))[0] == 200
            [message] = await slack_api.wait_for(lambda: slack_api.messages("D0ANNA"))
            assert "Hoi Anna!" in section_text(message)
    finally:
        await asyncio.to_thread(proc.stop)
