"""The Teams channel end to end: real-shaped activities POSTed to /api/messages of the running server
(local anonymous mode), replies read back from a fake Bot Connector on 127.0.0.1.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import aiohttp
import pytest

from bot.feature import Turn
from bot.messages import Choice, Reply
from bot.records import Action, ConversationRef, Member, Organisation
from tests.fakes import teams_activities as ta
from tests.fakes.bot_connector import FakeConnector
from tests.helpers.adaptive_card import assert_valid_card, assert_valid_message


async def post(server: Any, activity: Any, **kwargs: Any) -> tuple[int, Any]:
    return await ta.post_activity(server.session, server.url, activity, **kwargs)


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in card["body"] if e["type"].startswith("Input.")}


def all_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The card's buttons, at the bottom or in rows in the body."""
    rows = [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]
    return card.get("actions", []) + rows


def submit_action(card: dict[str, Any]) -> dict[str, Any]:
    return next(a for a in all_actions(card) if a["type"] == "Action.Execute")


async def settings_card(server: Any, bot_connector: FakeConnector) -> tuple[dict[str, Any], str]:
    """Ask for the settings in personal chat; the form's card and the id the connector gave its message."""
    status, _ = await post(server, ta.personal_message(bot_connector.url, "instellingen"))
    assert status in (200, 202)
    sent = bot_connector.sent[-1]
    return assert_valid_card(sent.card), f"activity-{len(bot_connector.sent)}"


async def test_personal_message_is_answered_in_the_same_conversation(server, bot_connector):
    activity = ta.personal_message(bot_connector.url, "hallo")
    status, _ = await post(server, activity)
    assert status in (200, 202)
    (reply,) = bot_connector.sent
    assert reply.conversation_id == activity["conversation"]["id"]
    assert reply.reply_to == activity["id"]
    assert reply.authorization is None  # anonymous mode: no token on the way out either
    message = assert_valid_message(reply.activity)
    assert message["recipient"]["id"] == "29:anna"
    card = reply.card  # the help menu has more choices than fit as suggested actions: a card
    assert "**Partnerbot**" in card["body"][0]["text"] and "Anna" in card["body"][0]["text"]
    values = [a["data"]["partnerbot"]["value"] for a in all_actions(card)]
    assert "core:settings" in values and "core:lang:en" in values
    assert "suggestedActions" not in message


async def test_settings_form_is_an_adaptive_card_with_inputs(server, bot_connector):
    card, _ = await settings_card(server, bot_connector)
    fields = inputs(card)
    assert fields["name"]["type"] == "Input.Text" and fields["name"]["isRequired"] is True
    assert fields["language"]["type"] == "Input.ChoiceSet"
    assert {c["value"] for c in fields["language"]["choices"]} == {"nl", "en"}
    assert fields["language"]["value"] == "nl"
    assert fields["timezone"]["value"] == "Europe/Amsterdam"
    action = submit_action(card)
    assert action["data"]["partnerbot"]["form"] == "core:settings"
    assert action["fallback"]["type"] == "Action.Submit"


async def test_execute_invoke_saves_the_form_and_replaces_the_card(server, bot_connector):
    card, card_message = await settings_card(server, bot_connector)
    action = submit_action(card)
    invoke = ta.execute_invoke(bot_connector.url, action, {"name": "Gemeente Zaanstad", "language": "nl",
                                                       "timezone": "Europe/Amsterdam"}, card_message=card_message)
    status, body = await post(server, invoke)
    assert status == 200
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    replaced = assert_valid_card(body["value"])
    assert not inputs(replaced) and "actions" not in replaced  # nothing left to send twice
    saved = bot_connector.sent[-1]
    assert "Gemeente Zaanstad" in saved.text and saved.reply_to == card_message
    org = await server.services.repo(ta.TENANT).find(Organisation)
    assert org is not None and org.name == "Gemeente Zaanstad"

    # a second click on the same card changes nothing and sends nothing
    before = len(bot_connector.sent)
    again = ta.execute_invoke(bot_connector.url, action, {"name": "Iets anders", "language": "en",
                                                      "timezone": "UTC"}, card_message=card_message)
    status, body = await post(server, again)
    assert status == 200 and body["value"] == replaced
    assert len(bot_connector.sent) == before
    assert (await server.services.repo(ta.TENANT).find(Organisation)).name == "Gemeente Zaanstad"


async def test_execute_invoke_with_a_mistake_shows_the_form_again_in_place(server, bot_connector):
    card, card_message = await settings_card(server, bot_connector)
    invoke = ta.execute_invoke(bot_connector.url, submit_action(card), {"name": "", "language": "nl",
                                                                    "timezone": "Europe/Amsterdam"},
                               card_message=card_message)
    status, body = await post(server, invoke)
    assert status == 200
    again = assert_valid_card(body["value"])
    assert "verplicht" in again["body"][0]["text"] or "verplicht" in str(again["body"])
    assert "name" in inputs(again)
    # and it can still be sent once it is right
    fixed = ta.execute_invoke(bot_connector.url, submit_action(again), {"name": "Gemeente Delft", "language": "en",
                                                                    "timezone": "Europe/Amsterdam"},
                              card_message=card_message)
    status, body = await post(server, fixed)
    assert status == 200 and not inputs(body["value"])
    assert (await server.services.repo(ta.TENANT).find(Organisation)).language == "en"


async def test_action_submit_form_saves_once_and_updates_the_card(server, bot_connector):
    card, card_message = await settings_card(server, bot_connector)
    data = {**submit_action(card)["data"], "name": "Provincie Utrecht", "language": "nl",
            "timezone": "Europe/Amsterdam"}
    status, _ = await post(server, ta.submit_message(bot_connector.url, data, card_message=card_message))
    assert status in (200, 202)
    assert "Provincie Utrecht" in bot_connector.sent[-1].text
    (update,) = bot_connector.updates
    assert update.reply_to == card_message
    assert not inputs(assert_valid_card(update.card))
    before = len(bot_connector.sent)
    await post(server, ta.submit_message(bot_connector.url, data, card_message=card_message))
    assert len(bot_connector.sent) == before


async def test_action_submit_choice_is_routed_as_a_choice(server, bot_connector):
    value = {"partnerbot": {"kind": "choice", "value": "core:lang:en"}}
    status, _ = await post(server, ta.submit_message(bot_connector.url, value, card_message="activity-1"))
    assert status in (200, 202)
    assert "English" in bot_connector.sent[-1].text


async def test_channel_mention_is_stripped_and_answered_in_the_thread(server, bot_connector):
    activity = ta.channel_message(bot_connector.url, "help")
    status, _ = await post(server, activity)
    assert status in (200, 202)
    (reply,) = bot_connector.sent
    assert reply.conversation_id == activity["conversation"]["id"]  # "19:…@thread.tacv2;messageid=…"
    assert reply.reply_to == activity["id"]
    card = assert_valid_card(reply.card)
    assert "<at>" not in str(card) and "Bram" in card["body"][0]["text"]
    values = [a["data"]["partnerbot"]["value"] for a in all_actions(card)]
    assert "core:settings" in values and "core:lang:en" in values
    assert "suggestedActions" not in reply.activity  # only in personal chats


async def test_channel_talk_without_a_mention_is_left_alone(server, bot_connector):
    status, _ = await post(server, ta.channel_message(bot_connector.url, "lunch om 12 uur?", mention=False))
    assert status in (200, 202) and bot_connector.sent == []


async def test_team_install_welcomes_once_and_offers_the_working_group_channel(server, bot_connector):
    status, _ = await post(server, ta.team_install(bot_connector.url))
    assert status in (200, 202)
    await post(server, ta.installation_update(bot_connector.url, "add"))
    (welcome,) = bot_connector.sent
    assert welcome.conversation_id == ta.TEAM_ID and welcome.reply_to is None
    card = assert_valid_card(welcome.card)
    (button,) = card["actions"]
    assert button["data"]["partnerbot"] == {"kind": "choice", "value": "gebruik dit kanaal voor de werkgroep"}
    ref = await server.services.repo(ta.TENANT).find(ConversationRef, kind="group")
    assert ref is not None and ref.conversation_id == ta.TEAM_ID and ref.active and ref.name == "Inkoop"


async def test_personal_install_welcomes_with_help_once(server, bot_connector):
    await post(server, ta.personal_install(bot_connector.url))
    await post(server, ta.installation_update(bot_connector.url, "add",
                                              conversation=ta.personal_conversation("29:anna"),
                                              user_id="29:anna", name="Anna de Vries"))
    (welcome,) = bot_connector.sent
    assert welcome.conversation_id == "a:1personal-29:anna" and welcome.reply_to is None
    assert "Partnerbot" in welcome.card["body"][0]["text"]
    ref = await server.services.repo(ta.TENANT).find(ConversationRef, kind="user", user_id="29:anna")
    assert ref is not None and ref.reference["conversation"]["id"] == "a:1personal-29:anna"
    assert ref.reference["serviceUrl"] == bot_connector.url


async def test_removal_marks_the_channel_reference_inactive(server, bot_connector):
    await post(server, ta.team_install(bot_connector.url))
    await post(server, ta.removed_from_team(bot_connector.url))
    ref = await server.services.repo(ta.TENANT).find(ConversationRef, kind="group")
    assert ref is not None and not ref.active and "removed" in ref.inactive_reason
    # added again: welcomed again
    await post(server, ta.team_install(bot_connector.url))
    assert len(bot_connector.sent) == 2


async def test_other_activities_are_acknowledged_and_ignored(server, bot_connector):
    typing = ta.personal_message(bot_connector.url, "")
    typing["type"] = "typing"
    reaction = ta.personal_message(bot_connector.url, "")
    reaction.update(type="messageReaction", reactionsAdded=[{"type": "like"}])
    for activity in (typing, reaction):
        status, _ = await post(server, activity)
        assert status in (200, 202)
    other_invoke = ta.personal_message(bot_connector.url, "")
    other_invoke.update(type="invoke", name="task/fetch", value={})
    status, _ = await post(server, other_invoke)
    assert status == 200
    assert bot_connector.sent == []


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b'{"type": "message"}', b'{"type": 5, "conversation": 3}'])
async def test_malformed_bodies_are_a_400(server, bot_connector, raw):
    status, body = await post(server, None, raw=raw, headers={"Content-Type": "application/json"})
    assert status == 400 and "error" in body


async def test_an_activity_without_a_tenant_is_ignored(server, bot_connector):
    status, _ = await post(server, ta.personal_message(bot_connector.url, "hallo", tenant=None))
    assert status in (200, 202) and bot_connector.sent == []


async def test_user_text_cannot_inject_formatting_or_mentions(server, bot_connector):
    await post(server, ta.personal_message(bot_connector.url, "instellingen"))
    card, card_message = assert_valid_card(bot_connector.sent[-1].card), f"activity-{len(bot_connector.sent)}"
    nasty = "**Vet** [klik](https://evil.example) <at>Iedereen</at>"
    invoke = ta.execute_invoke(bot_connector.url, submit_action(card), {"name": nasty, "language": "nl",
                                                                    "timezone": "Europe/Amsterdam"},
                               card_message=card_message)
    await post(server, invoke)
    text = bot_connector.sent[-1].text
    assert "\\*\\*Vet\\*\\*" in text and "\\[klik\\]" in text and "\\<at\\>" in text
    assert "[klik](https://evil.example)" not in text


class _Offer:
    """A feature offering two buttons whose labels, typed, would mean nothing to the bot."""

    name = "offer"
    prefixes = ("offer:",)

    def help_choices(self, lang: str) -> list[Choice]:
        return []

    async def handle(self, turn: Turn) -> list[Reply] | None:
        if turn.incoming.choice == "offer:yes":
            return [Reply(text="Genoteerd: ja.")]
        if turn.text == "biedt iets aan":
            return [Reply(text="Doen we dat?", choices=[Choice("Ja graag", "offer:yes"), Choice("Nee", "offer:no")])]
        return None


async def test_a_tapped_suggested_action_arrives_as_the_choice(server, bot_connector):
    server.services.router.features.insert(0, _Offer())  # before the catch-all knowledge base
    await post(server, ta.personal_message(bot_connector.url, "biedt iets aan"))
    offer = bot_connector.sent[-1].activity
    assert [a["value"] for a in offer["suggestedActions"]["actions"]] == ["Ja graag", "Nee"]
    await post(server, ta.personal_message(bot_connector.url, "Ja graag"))  # imBack sends the label as text
    assert bot_connector.sent[-1].text == "Genoteerd: ja."
    # once answered, the same words typed again are just text
    await post(server, ta.personal_message(bot_connector.url, "Ja graag"))
    assert bot_connector.sent[-1].text != "Genoteerd: ja."


class _Broken:
    async def handle(self, incoming: Any) -> list[Reply]:
        raise RuntimeError("secret internals: db password=hunter2")


async def test_an_error_in_the_channel_layer_gives_the_apology_not_the_exception(server, bot_connector):
    server.services.router = _Broken()
    status, _ = await post(server, ta.personal_message(bot_connector.url, "hallo"))
    assert status in (200, 202)
    (reply,) = bot_connector.sent
    assert "Sorry" in reply.text and "hunter2" not in str(reply.activity)
    assert [s.activity.get("type") for s in bot_connector.sent] == ["message"]  # no trace activity either


async def test_exported_files_are_links_the_bot_serves(server, bot_connector):
    repo = server.services.repo(ta.TENANT)
    anna = await repo.add(Member(name="Anna de Vries", user_id="29:anna", channel="teams"))
    await repo.add(Action(title="Offerte opvragen", owner_id=anna.id, deadline=date(2026, 12, 10)))
    await post(server, ta.personal_message(bot_connector.url, "exporteer acties"))
    card = assert_valid_card(bot_connector.sent[-1].card)
    links = [a for a in all_actions(card) if a["type"] == "Action.OpenUrl"]
    assert links
    for link in links:
        assert link["url"].startswith(server.url + "/files/")
        async with server.session.get(link["url"]) as resp:
            assert resp.status == 200 and "Offerte opvragen" in await resp.text()


async def test_a_message_delivered_twice_is_answered_once(server, bot_connector):
    activity = ta.personal_message(bot_connector.url, "instellingen")
    await post(server, activity)
    await post(server, activity)
    assert len(bot_connector.sent) == 1


async def test_group_chat_welcome_and_mention(server, bot_connector):
    group = {"isGroup": True, "conversationType": "groupChat", "tenantId": ta.TENANT, "id": "19:groupchat@thread.v2"}
    await post(server, ta.installation_update(bot_connector.url, "add", conversation=group))
    (welcome,) = bot_connector.sent
    assert welcome.conversation_id == "19:groupchat@thread.v2" and "Partnerbot" in welcome.text
    assert "suggestedActions" not in welcome.activity
    message = ta.channel_message(bot_connector.url, "help")
    message["conversation"] = dict(group)
    message["channelData"] = {"tenant": {"id": ta.TENANT}}
    await post(server, message)
    reply = bot_connector.sent[-1]
    assert reply.conversation_id == "19:groupchat@thread.v2" and reply.reply_to == message["id"]
    assert "Bram" in reply.shown
    ref = await server.services.repo(ta.TENANT).find(ConversationRef, kind="group",
                                                      conversation_id="19:groupchat@thread.v2")
    assert ref is not None and ref.active


async def test_a_throttled_reply_is_retried(server, bot_connector):
    bot_connector.fail_next("429", "502")
    await post(server, ta.personal_message(bot_connector.url, "instellingen"))
    assert len(bot_connector.sent) == 1 and bot_connector.failed == ["429", "502"]


async def test_a_reply_is_not_held_back_for_a_long_retry_after(server, bot_connector):
    bot_connector.retry_after = "120"
    bot_connector.fail_next("429")
    status, _ = await post(server, ta.personal_message(bot_connector.url, "instellingen"))
    assert status in (200, 202)  # answered at once; waiting 2 minutes would outlast Teams' own timeout
    assert bot_connector.sent == [] and bot_connector.calls == 1


async def test_walking_step_1_over_teams_stores_what_the_forms_collect(server, bot_connector):
    await post(server, ta.personal_message(bot_connector.url, "stappenplan"))

    async def click(value: str) -> None:
        card = bot_connector.sent[-1].card
        ours = [a["data"] for a in all_actions(card) if a["type"] == "Action.Submit"]
        (data,) = [d for d in ours if d["partnerbot"].get("value") == value]
        card_message = f"activity-{len(bot_connector.sent)}"
        await post(server, ta.submit_message(bot_connector.url, data, card_message=card_message))

    async def fill(values: dict[str, Any]) -> dict[str, Any]:
        card = assert_valid_card(bot_connector.sent[-1].card)
        status, body = await post(server, ta.execute_invoke(bot_connector.url, submit_action(card), values,
                                                            card_message=f"activity-{len(bot_connector.sent)}"))
        assert status == 200
        return assert_valid_card(body["value"])

    await click("flow:next:1a:why")
    assert "status" in inputs(bot_connector.sent[-1].card)
    sent = await fill({"status": "taken", "date": "2026-10-01", "body": "College van B&W"})
    assert not inputs(sent)  # the board decision card is closed
    await click("flow:next:1b:who")
    member_form = bot_connector.sent[-1].card
    assert inputs(member_form)["roles"]["isMultiSelect"] is True
    # Teams sends a multi-select as one comma-separated string
    again = await fill({"name": "Sanne Bakker", "roles": "sroi_coordinator,hr_expert", "position": "coordinator"})
    assert "Sanne Bakker" in str(again["body"]) and "name" in inputs(again)  # add another, in place
    (member,) = await server.services.repo(ta.TENANT).list(Member)
    assert member.name == "Sanne Bakker" and member.roles == ["sroi_coordinator", "hr_expert"]
    assert member.position == "coordinator"


async def test_the_served_app_answers_teams_in_local_anonymous_mode_and_says_so(server_process, bot_connector):
    server_process.start()
    async with aiohttp.ClientSession() as session:
        status, _ = await ta.post_activity(session, server_process.url, ta.personal_message(bot_connector.url, "hoi"))
    assert status in (200, 202)
    proc = server_process.proc
    proc.terminate()
    proc.wait(timeout=10)
    log = proc.stderr.read().decode()
    assert "local anonymous mode" in log
    (reply,) = bot_connector.sent
    assert "Partnerbot" in reply.shown
