"""The knowledge base in the chat, through POST /api/local/messages: answers, next moves, languages."""

from __future__ import annotations

import pytest

from bot.i18n import t
from bot.records import Member
from knowledge.base import default_base
from tests.helpers.kb_org import set_up


def values(reply: dict) -> list[str]:
    return [c["value"] for c in reply["choices"]]


async def test_an_answer_names_its_section_and_offers_at_most_three_next_moves(server):
    replies = await server.say("Wat is een voorbehouden opdracht?")
    assert len(replies) == 1
    reply = replies[0]
    assert reply["section"] == "2Ab"
    assert "2.82" in reply["text"] and "Bron: handreiking" in reply["text"]
    assert 1 <= len(reply["choices"]) <= 3
    assert all(v.startswith(("kb:answer:", "flow:start:")) for v in values(reply))


async def test_existing_contract_question_answers_from_2B_and_offers_the_walk_through_first(server):
    reply = (await server.say("hoe begin ik met een bestaand contract?"))[0]
    assert reply["section"] == "2B"
    assert reply["choices"][0] == {"label": "Zal ik je door stap 2B leiden?", "value": "flow:start:2B"}
    reply = (await server.say("how do I start with an existing contract?"))[0]
    assert reply["section"] == "2B"
    assert reply["choices"][0] == {"label": "Shall I walk you through step 2B?", "value": "flow:start:2B"}
    assert "Source: handbook" in reply["text"]


async def test_the_walk_through_button_starts_the_walk_at_that_section(server):
    reply = (await server.say("hoe begin ik met een bestaand contract?"))[0]
    started = await server.say(choice=reply["choices"][0]["value"])
    assert started[0]["section"] in ("2B", "2Ba")


async def test_a_related_question_button_shows_that_answer(server):
    reply = (await server.say("Wat is een voorbehouden opdracht?"))[0]
    related = next(c for c in reply["choices"] if c["value"].startswith("kb:answer:"))
    shown = (await server.say(choice=related["value"]))[0]
    assert shown["section"] is not None and related["label"] not in ("",)
    assert (await server.say(choice="kb:answer:no-such-entry"))[0]["section"] is None


async def test_an_english_question_gets_an_english_answer(server):
    reply = (await server.say("What is a reserved contract?"))[0]
    assert reply["section"] == "2Ab" and "at least 30 %" in reply["text"]


UNANSWERED = "Hoeveel parkeerplekken heeft ons kantoor voor leveranciers?"
"""About the work with suppliers, but not in the handbook: a question for the working group."""


async def test_unanswerable_question_is_honest_and_offers_the_hand_off(server):
    await set_up(server)
    reply = (await server.say(UNANSWERED))[0]
    assert reply["section"] is None
    assert "weet ik niet" in reply["text"]
    assert values(reply) == ["kb:handoff"]


@pytest.mark.parametrize(("question", "lang"), [
    ("Wat is de hoofdstad van Frankrijk?", "nl"), ("wat is het weer morgen?", "nl"), ("asdfgh qwerty", "nl"),
    ("Wie heeft het WK voetbal gewonnen?", "nl"), ("What will the weather be like tomorrow?", "en"),
    ("Who won the football world cup?", "en"),
])
async def test_a_question_outside_the_topic_is_told_so_without_the_hand_off(server, question, lang):
    reply = (await server.say(question))[0]
    assert reply["section"] is None
    assert "Partnerbot" in reply["text"] and t("kb.off_topic", lang) == reply["text"]
    assert values(reply) == ["core:help"]


async def test_a_vague_question_gets_did_you_mean_with_the_top_three(server):
    await set_up(server)
    kb = default_base()
    # one or two words that many entries use name no topic: the bot asks instead of guessing
    vague = next(q for q in ("contract", "leverancier banen", "inkoop", "social return en werk", "banen")
                 if kb.ask(q, "nl").suggests)
    reply = (await server.say(vague))[0]
    assert reply["text"].startswith("Ik weet niet zeker wat je bedoelt")
    picks = [v for v in values(reply) if v.startswith("kb:answer:")]
    assert 1 <= len(picks) <= 3 and values(reply)[-1] == "kb:handoff"
    assert (await server.say(choice=picks[0]))[0]["section"] is not None


async def test_with_nobody_to_reach_no_answer_offers_the_hand_off(server):
    # no group conversation, and the coordinator was typed in by name and never chatted: nobody can be asked
    await set_up(server, group=False, coordinator=False)
    await server.services.repo("demo").add(Member(name="Carla Smit", position="coordinator"))
    unknown = (await server.say(UNANSWERED))[0]
    assert "weet ik niet" in unknown["text"] and "geen werkgroepkanaal" in unknown["text"]
    assert "kb:handoff" not in values(unknown) and values(unknown) == ["core:help"]
    vague = (await server.say("contract"))[0]
    assert vague["text"].startswith("Ik weet niet zeker wat je bedoelt")
    assert values(vague) and "kb:handoff" not in values(vague)
    english = (await server.say("How many parking spaces does our office have for suppliers?"))[0]
    assert "no working-group channel" in english["text"] and "kb:handoff" not in values(english)
    # once the working group has a conversation, the offer is back
    await set_up(server, coordinator=False)
    assert "kb:handoff" in values((await server.say(UNANSWERED))[0])


async def test_mid_walk_through_answers_offer_the_way_back(server):
    await set_up(server)
    await server.say("start")
    reply = (await server.say("Wat is een voorbehouden opdracht?"))[0]
    assert reply["section"] == "2Ab"
    assert values(reply)[-1] == "flow:resume"
    assert not any(v.startswith("flow:start:") for v in values(reply))
    reply = (await server.say("wie doet wat in stap 3?"))[0]
    assert reply["section"] == "bijlage-2" and "flow:resume" in values(reply)
    unknown = (await server.say(UNANSWERED))[0]
    assert values(unknown) == ["kb:handoff", "flow:resume"]
    elsewhere = (await server.say("wat is het weer morgen?"))[0]
    assert values(elsewhere) == ["core:help", "flow:resume"]


async def test_help_offers_asking_a_question(server):
    reply = (await server.say("help"))[0]
    assert "kb:ask" in values(reply)
    prompt = (await server.say(choice="kb:ask"))[0]
    example = prompt["choices"][0]["value"]
    assert (await server.say(choice=example))[0]["section"] == "2Ab"


async def test_chit_chat_is_left_to_the_router(server):
    reply = (await server.say("ok bedankt"))[0]
    assert reply["section"] is None and "kb:handoff" not in values(reply)
