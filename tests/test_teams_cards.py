"""Rendering neutral replies for Teams, and reading Teams activities: pure functions, no server."""

from __future__ import annotations

import re

import pytest

from adapters.teams.cards import Surface, render, render_all, submitted_card
from adapters.teams.inbound import base_conversation_id, clean_text, read_submission, tenant_id
from bot.markdown import escape
from bot.messages import Attachment, Choice, Form, FormField, Reply
from tests.fakes import teams_activities as ta
from tests.helpers.adaptive_card import assert_valid_card, assert_valid_message


def surface(personal: bool = True, lang: str = "nl") -> Surface:
    return Surface(lang=lang, personal=personal, file_url=lambda a: f"https://bot.example/files/tok/{a.name}",
                   card_id=lambda: "card-1")


def card_of(reply: Reply, personal: bool = True) -> dict:
    rendered = render(reply, surface(personal))
    assert rendered is not None
    message = assert_valid_message(rendered.activity)
    return message["attachments"][0]["content"]


def test_plain_text_stays_a_plain_markdown_message():
    rendered = render(Reply(text="**Let op**: _drie_ dingen\n- een\n- twee\n\nZie [de site](https://example.org)."),
                      surface())
    assert rendered is not None and "attachments" not in rendered.activity
    assert rendered.activity["textFormat"] == "markdown"
    assert rendered.activity["text"] == ("**Let op**: _drie_ dingen\n\n- een\n- twee\n\n"
                                         "Zie [de site](https://example.org).")


def test_what_a_user_typed_cannot_become_formatting():
    typed = "**vet** _schuin_ [link](https://evil.example) <at>Iedereen</at>\n- geen lijst\n1. ook niet\n# kop"
    rendered = render(Reply(text=f"Je schreef: {escape(typed)}"), surface())
    text = rendered.activity["text"]
    for literal in ("\\*\\*vet\\*\\*", "\\_schuin\\_", "\\[link\\](https://evil.example)", "\\<at\\>",
                    "\\- geen lijst", "1\\. ook niet", "\\# kop"):
        assert literal in text, literal
    assert not re.search(r"(?<!\\)\[[^\]]*(?<!\\)\]\(", text)  # no link anywhere


def test_section_code_is_a_subtle_footer():
    choices = [Choice(f"K{i}", f"x:{i}") for i in range(7)]
    card = card_of(Reply(text="Kies een route.", section="route", choices=choices))
    footer = card["body"][-1]  # below the rows of buttons too
    assert footer["isSubtle"] is True and footer["size"] == "Small"
    assert footer["text"] == "route · Aanbesteding of bestaand contract?"
    # a title that already names its code is shown as it is
    assert card_of(Reply(text="Actieplan", section="1d"))["body"][-1]["text"] == "1d Het actieplan maken"


def test_every_field_type_becomes_a_labelled_input_with_its_value():
    form = Form(id="flow:2Aa:tender", title="Aanbesteding", submit_label="Bewaar", fields=[
        FormField("title", "Titel", "text", required=True, value="Schoonmaak", hint="korte naam"),
        FormField("notes", "Toelichting", "textarea"),
        FormField("value", "Waarde (€)", "number", value="12,5"),
        FormField("publish", "Publicatie", "date", value="31-12-2026", hint="dd-mm-jjjj"),
        FormField("track", "Spoor", "choice", options=[Choice("Spoor 1", "1"), Choice("Spoor 2", "2")], value="2"),
        FormField("roles", "Rollen", "multichoice", required=True,
                  options=[Choice("HR", "hr_expert"), Choice("Inkoop", "procurement_expert")],
                  value=["hr_expert", "procurement_expert"]),
    ])
    card = card_of(Reply(text="Vul in:", form=form))
    inputs = {e["id"]: e for e in card["body"] if e["type"].startswith("Input.")}
    assert inputs["title"] == {"id": "title", "label": "Titel", "isRequired": True, "type": "Input.Text",
                               "maxLength": 300, "value": "Schoonmaak", "placeholder": "korte naam",
                               "errorMessage": "Titel: dit veld is verplicht."}
    assert inputs["notes"]["isMultiline"] is True and inputs["notes"]["maxLength"] == 2000
    assert inputs["value"]["type"] == "Input.Number" and inputs["value"]["value"] == 12.5
    assert inputs["publish"]["type"] == "Input.Date" and inputs["publish"]["value"] == "2026-12-31"
    assert inputs["track"]["type"] == "Input.ChoiceSet" and inputs["track"]["value"] == "2"
    assert "isMultiSelect" not in inputs["track"]
    assert inputs["roles"]["isMultiSelect"] is True and inputs["roles"]["value"] == "hr_expert,procurement_expert"
    hint = card["body"][[e.get("id") for e in card["body"]].index("publish") + 1]
    assert hint["type"] == "TextBlock" and hint["text"] == "dd-mm-jjjj"
    (submit,) = card["actions"]
    assert submit["title"] == "Bewaar" and submit["type"] == "Action.Execute"
    assert submit["data"] == {"partnerbot": {"kind": "form", "form": "flow:2Aa:tender", "card": "card-1",
                                             "title": "Aanbesteding"}}


def test_a_value_that_does_not_parse_is_left_out_rather_than_breaking_the_card():
    form = Form(id="x:1", title="T", fields=[FormField("n", "Aantal", "number", value="veel"),
                                            FormField("d", "Datum", "date", value="morgen")])
    inputs = {e["id"]: e for e in card_of(Reply(form=form))["body"] if e["type"].startswith("Input.")}
    assert "value" not in inputs["n"] and "value" not in inputs["d"]


def test_many_choices_become_rows_of_buttons():
    choices = [Choice(f"Keuze {i}", f"x:{i}") for i in range(8)]
    card = card_of(Reply(text="Kies", choices=choices))
    rows = [e for e in card["body"] if e["type"] == "ActionSet"]
    assert [len(r["actions"]) for r in rows] == [5, 3] and "actions" not in card
    assert card["body"][-1]["type"] == "ActionSet"
    assert [a["data"]["partnerbot"]["value"] for r in rows for a in r["actions"]] == [c.value for c in choices]


def test_few_choices_are_suggested_actions_in_personal_chat_and_buttons_elsewhere():
    reply = Reply(text="Klaar?", choices=[Choice("Ja, klaar", "sched:done:1"), Choice("Later", "sched:snooze:1")])
    personal = render(reply, surface(personal=True))
    assert personal is not None and "attachments" not in personal.activity
    assert [a["value"] for a in personal.activity["suggestedActions"]["actions"]] == ["Ja, klaar", "Later"]
    assert personal.suggested == {"Ja, klaar": "sched:done:1", "Later": "sched:snooze:1"}
    group = card_of(reply, personal=False)
    assert [a["data"]["partnerbot"]["value"] for a in group["actions"]] == ["sched:done:1", "sched:snooze:1"]
    assert "suggestedActions" not in render(reply, surface(personal=False)).activity


def test_images_are_inline_and_other_files_are_links():
    reply = Reply(text="Het overzicht", attachments=[
        Attachment("grafiek.png", "image/png", data=b"\x89PNG"),
        Attachment("acties.md", "text/markdown", data=b"# acties"),
    ])
    card = card_of(reply)
    (image,) = [e for e in card["body"] if e["type"] == "Image"]
    assert image["url"] == "https://bot.example/files/tok/grafiek.png"
    (link,) = card["actions"]
    assert link["type"] == "Action.OpenUrl" and link["url"].endswith("/acties.md") and "acties.md" in link["title"]


def test_an_empty_reply_sends_nothing():
    assert render(Reply(text="  "), surface()) is None


def test_the_sent_form_card_has_nothing_left_to_send():
    card = assert_valid_card(submitted_card("Instellingen *van* je organisatie", "en"))
    assert "actions" not in card and all(e["type"] == "TextBlock" for e in card["body"])
    assert "Sent" in card["body"][1]["text"] and "\\*van\\*" in card["body"][0]["text"]


# -- reading activities ----------------------------------------------------------------------------

def test_the_bots_mention_is_removed_and_other_mentions_keep_their_name():
    activity = ta.channel_message("https://smba.example/", "vraag het <at>Kees Smit</at> &amp; mij")
    assert clean_text(activity) == "vraag het Kees Smit & mij"


def test_tenant_comes_from_the_conversation_or_the_channel_data():
    activity = ta.personal_message("https://smba.example/", "hoi")
    assert tenant_id(activity) == ta.TENANT
    activity["conversation"].pop("tenantId")
    assert tenant_id(activity) == ta.TENANT
    activity["channelData"] = {}
    assert tenant_id(activity) == ""


def test_a_thread_belongs_to_its_channel():
    assert base_conversation_id("19:abc@thread.tacv2;messageid=1700000") == "19:abc@thread.tacv2"
    assert base_conversation_id("a:1personal") == "a:1personal"


def test_card_data_is_read_back_and_foreign_data_is_refused():
    form = read_submission({"partnerbot": {"kind": "form", "form": "core:settings", "card": "c1", "title": "T"},
                            "name": "Delft", "msteams": {"type": "messageBack"}})
    assert form is not None and form.kind == "form" and form.value == "core:settings"
    assert form.values == {"name": "Delft"} and form.card == "c1"
    choice = read_submission({"partnerbot": {"kind": "choice", "value": "core:help"}})
    assert choice is not None and choice.kind == "choice" and choice.value == "core:help"


@pytest.mark.parametrize("data", [None, "text", {}, {"action": "x"}, {"partnerbot": "form"},
                                  {"partnerbot": {"kind": "choice", "value": ""}},
                                  {"partnerbot": {"kind": "form", "form": 3}},
                                  {"partnerbot": {"kind": "choice", "value": "x" * 5000}}])
def test_data_that_is_not_ours_is_not_read(data):
    assert read_submission(data) is None


def test_only_the_last_message_of_a_turn_carries_suggested_actions():
    first = Reply(text="Geen open acties.", choices=[Choice("Nieuwe actie", "sched:new")])
    second = Reply(text="Snel verder:", choices=[Choice("Voortgang", "flow:progress")])
    rendered = render_all([first, second, Reply(text=" ")], surface())
    assert len(rendered) == 2
    card = rendered[0].activity["attachments"][0]["content"]
    assert [a["data"]["partnerbot"]["value"] for a in card["actions"]] == ["sched:new"]
    assert "suggestedActions" not in rendered[0].activity
    assert rendered[1].suggested == {"Voortgang": "flow:progress"}


def test_ordinary_punctuation_is_not_escaped():
    assert render(Reply(text="Dat is (nog) 10-12-2026 #1 - klaar!"), surface()).activity["text"] == \
        "Dat is (nog) 10-12-2026 #1 - klaar!"
