"""The router through the local API: help, language switch, English detection, fallback, errors."""

from __future__ import annotations

import logging

import pytest

import app as partnerbot
from bot.messages import Incoming, Reply


async def test_greeting_shows_help_with_choices(server):
    replies = await server.say("hoi")
    assert len(replies) == 1
    assert "Partnerbot" in replies[0]["text"]
    assert "Anna" in replies[0]["text"]
    values = [c["value"] for c in replies[0]["choices"]]
    assert "core:settings" in values
    assert "core:lang:en" in values


@pytest.mark.parametrize("text", ["help", "Hulp", "menu", "wat kun je?", "What can you do?"])
async def test_help_phrases(server, text):
    replies = await server.say(text)
    assert "Partnerbot" in replies[0]["text"]


@pytest.mark.parametrize(("text", "intro"), [
    ("hello, what can you do?", "What would you like to do?"), ("hoi, wat kun je allemaal?", "Wat wil je doen?"),
    ("Goedemorgen! Wat kun je?", "Wat wil je doen?"),
])
async def test_a_greeting_with_a_question_about_the_bot_shows_the_help_menu(server, text, intro):
    reply = (await server.say(text))[0]
    assert "Partnerbot" in reply["text"] and intro in reply["text"]
    assert "core:settings" in [c["value"] for c in reply["choices"]]


async def test_help_names_a_few_typed_commands(server):
    text = (await server.say("help"))[0]["text"]
    for command in ("voortgang", "acties", "waar was ik?", "taal en"):
        assert f"*{command}*" in text
    assert (await server.say("voortgang"))[0]["text"] != text  # each one is understood as typed
    assert (await server.say("waar was ik?"))[0]["text"] != text


@pytest.mark.parametrize(("text", "start"), [
    ("dank je", "Graag gedaan!"), ("bedankt", "Graag gedaan!"), ("thanks!", "You're welcome!"),
    ("ok thanks", "You're welcome!"), ("Super, bedankt!", "Graag gedaan!"), ("top", "Fijn!"),
])
async def test_thanks_gets_a_short_kind_answer_with_the_menu(server, text, start):
    reply = (await server.say(text))[0]
    assert reply["text"].startswith(start)
    assert [c["value"] for c in reply["choices"]] == ["core:help"]


async def test_a_question_with_a_thank_you_word_is_still_a_question(server):
    reply = (await server.say("is dat goed?"))[0]
    assert not reply["text"].startswith(("Fijn!", "Graag gedaan!"))


async def test_language_switch_is_remembered(server):
    replies = await server.say("taal en")
    assert "English" in replies[0]["text"]
    replies = await server.say("help")
    assert "What would you like to do?" in replies[0]["text"]
    replies = await server.say("language nl")
    assert "Nederlands" in replies[0]["text"]
    replies = await server.say("help")
    assert "Wat wil je doen?" in replies[0]["text"]


async def test_language_choice_button(server):
    replies = await server.say(choice="core:lang:en")
    assert "English" in replies[0]["text"]


async def test_clearly_english_message_gets_english_answer(server):
    replies = await server.say("can you tell me what this bot does for us?")
    assert replies[0]["text"].startswith(("Hi", "I didn't", "I "))
    replies = await server.say("help")  # short, no language signal: stays English
    assert "What would you like to do?" in replies[0]["text"]
    replies = await server.say("wat kan ik met deze bot doen voor onze werkgroep?")
    assert not replies[0]["text"].startswith(("Hi", "I "))  # answered in Dutch, whichever feature answers
    replies = await server.say("help")
    assert "Wat wil je doen?" in replies[0]["text"]


async def test_fallback_is_friendly_and_offers_help(services):
    # the knowledge base answers any text (tests/test_kb_feature.py); without it the router falls back
    services.router.features = [f for f in services.router.features if f.name != "knowledge"]
    incoming = Incoming(org_id="demo", user_id="u1", user_name="A", conversation_id="c", channel="local",
                        text="xyzzy plugh")
    replies = await services.router.handle(incoming)
    assert "begrijp" in replies[0].text
    assert [c.to_dict() for c in replies[0].choices] == [{"label": "Wat kan ik doen?", "value": "core:help"}]


async def test_too_long_message_is_refused_with_a_reason(server):
    replies = await server.say("a" * 3000)
    assert "3000" in replies[0]["text"]


async def test_exception_in_a_feature_becomes_an_apology(services, caplog):
    class Broken:
        name = "broken"
        prefixes = ("broken:",)

        def help_choices(self, lang):
            return []

        async def handle(self, turn) -> list[Reply] | None:
            raise RuntimeError("boom")

    services.router.features.insert(0, Broken())  # first, before the catch-all knowledge base
    incoming = Incoming(org_id="demo", user_id="u1", user_name="A", conversation_id="c", channel="local",
                        text="iets onbekends")
    with caplog.at_level(logging.INFO, logger="partnerbot.turn"):
        replies = await services.router.handle(incoming)
    assert "Sorry" in replies[0].text
    assert "boom" not in replies[0].text
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and errors[0].exc_info is not None
    turn_lines = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert any("outcome=error" in line and "ms=" in line for line in turn_lines)
    assert all("iets onbekends" not in line for line in turn_lines)


async def test_help_menu_keeps_settings_and_language_and_each_features_first_entry(services):
    from bot.messages import Choice

    class Offering:
        def __init__(self, n: int) -> None:
            self.name = f"f{n}"
            self.prefixes = (f"f{n}:",)
            self.n = n

        def help_choices(self, lang):
            return [Choice(f"F{self.n} main", f"f{self.n}:a"), Choice(f"F{self.n} extra", f"f{self.n}:b")]

        async def handle(self, turn):
            return None

    services.router.features[:] = [Offering(n) for n in range(5)]
    menu = services.router.core.menu("nl")
    values = [c.value for c in menu]
    assert len(values) == 8
    assert values[-2:] == ["core:settings", "core:lang:en"]
    assert [f"f{n}:a" for n in range(5)] == [v for v in values if v.endswith(":a")]
    assert values[:2] == ["f0:a", "f0:b"]  # room left for one feature's second entry, kept beside its first


async def test_language_of_a_message_is_kept_after_a_restart(config, clock):
    """A detected language is saved in the background: the next turn sees it and so does a new server."""
    first = partnerbot.build_services(config, clock)
    say = _sayer(first)
    await say("I would like to know what social return means for our contracts")
    assert "What would you like to do?" in (await say("help"))[0].text  # seen at once
    await first.router.flush()
    second = partnerbot.build_services(config, clock)
    assert "What would you like to do?" in (await _sayer(second)("help"))[0].text


async def test_language_chosen_with_a_command_is_on_disk_when_confirmed(config, clock):
    first = partnerbot.build_services(config, clock)
    await _sayer(first)("taal en")  # no flush: an explicit choice is written before the reply
    second = partnerbot.build_services(config, clock)
    assert "What would you like to do?" in (await _sayer(second)("help"))[0].text


def _sayer(services):
    async def say(text: str) -> list[Reply]:
        return await services.router.handle(Incoming(org_id="demo", user_id="u1", user_name="A",
                                                     conversation_id="c", channel="local", text=text))
    return say
