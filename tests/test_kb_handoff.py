"""Hand-off to people through the local API: a question the bot cannot answer goes to the working group,
a member answers it, the asker gets the answer, the coordinator adds it to the organisation's own
knowledge base, and the next asker in that organisation (only) gets it from the bot."""

from __future__ import annotations

import pytest

from bot.records import Member
from knowledge.records import HandoffQuestion, OrgEntry
from tests.helpers.kb_org import set_up, values

QUESTION = "Hoeveel parkeerplekken heeft ons kantoor voor leveranciers?"
ANSWER = "Er zijn vier plekken voor leveranciers achter het gebouw, te reserveren bij de receptie."


async def test_question_answer_and_own_knowledge_base_end_to_end(server):
    await set_up(server)
    await set_up(server, org="acme")
    # 1. the bot does not know and says so, offering the hand-off
    unknown = (await server.say(QUESTION))[0]
    assert unknown["section"] is None and values(unknown) == ["kb:handoff"]
    # 2. the asker accepts: the question goes to the working group's conversation
    sent = (await server.say(choice="kb:handoff"))[0]
    assert "werkgroep" in sent["text"]
    posted = [n for n in await server.notifications(user="mark") if n["to"] == "group"]
    assert len(posted) == 1
    assert "Anna de Vries" in posted[0]["text"] and "parkeerplekken" in posted[0]["text"]
    button = next(v for v in values(posted[0]) if v.startswith("kb:reply:"))
    # 3. a member answers with the button's form
    opened = (await server.say(choice=button, user="mark", name="Mark de Boer"))[0]
    form = opened["form"]
    assert form["id"] == button and form["fields"][0]["name"] == "answer"
    done = (await server.say(form={"id": form["id"], "values": {"answer": ANSWER}}, user="mark",
                             name="Mark de Boer"))[0]
    assert "Anna de Vries" in done["text"]
    add = next(v for v in values(done) if v.startswith("kb:add:"))
    # 4. the answer reaches the asker, with who answered
    mine = [n for n in await server.notifications(user="u1") if n["to"] == "user"]
    assert len(mine) == 1 and "Mark de Boer" in mine[0]["text"] and "vier plekken" in mine[0]["text"]
    # answering twice is refused
    again = (await server.say(choice=button, user="mark", name="Mark de Boer"))[0]
    assert "Mark de Boer" in again["text"] and again["form"] is None
    # 5. only the coordinator (or backup) may add it to the organisation's knowledge base
    refused = (await server.say(choice=add, user="mark", name="Mark de Boer"))[0]
    assert "Carla Smit" in refused["text"] and refused["form"] is None
    add_form = (await server.say(choice=add, user="carla", name="Carla Smit"))[0]["form"]
    prefilled = {f["name"]: f.get("value") for f in add_form["fields"]}
    assert prefilled["question"] == QUESTION and prefilled["answer"] == ANSWER
    filled = {**prefilled, "section": "2Ba", "variants": "parkeren leveranciers\n\nwaar parkeert de schoonmaker"}
    saved = (await server.say(form={"id": add_form["id"], "values": filled}, user="carla", name="Carla Smit"))[0]
    assert "kennisbank" in saved["text"]
    entries = await server.services.repo("demo").list(OrgEntry)
    assert [(e.question, e.section, e.variants) for e in entries] == [
        (QUESTION, "2Ba", ["parkeren leveranciers", "waar parkeert de schoonmaker"])]
    # 6. the next asker in this organisation gets the answer from the bot, in other words
    reply = (await server.say("hoeveel parkeerplaatsen zijn er voor leveranciers bij ons kantoor", user="piet",
                              name="Piet"))[0]
    assert "vier plekken" in reply["text"] and reply["section"] == "2Ba"
    assert "eigen kennisbank" in reply["text"]
    assert "vier plekken" in (await server.say("waar parkeert de schoonmaker?", user="piet", name="Piet"))[0]["text"]
    # 7. another organisation does not
    other = (await server.say(QUESTION, org="acme", user="zoe", name="Zoë"))[0]
    assert "vier plekken" not in other["text"] and values(other) == ["kb:handoff"]


async def test_without_a_group_conversation_the_coordinator_gets_a_direct_message(server):
    await set_up(server, group=False)
    await server.say(QUESTION)
    sent = (await server.say(choice="kb:handoff"))[0]
    assert "Carla Smit" in sent["text"]
    direct = await server.notifications(user="carla")
    assert [n["to"] for n in direct] == ["user"] and "parkeerplekken" in direct[0]["text"]
    assert await server.notifications(user="mark") == []
    question = (await server.services.repo("demo").list(HandoffQuestion))[0]
    assert question.sent_to == "coordinator" and question.asker_name == "Anna de Vries"


async def test_with_nobody_to_ask_the_bot_says_so_and_suggests_setting_it_up(server):
    await set_up(server, group=False, coordinator=False)
    await server.say(QUESTION)
    reply = (await server.say(choice="kb:handoff"))[0]
    assert "niemand" in reply["text"] and "coördinator" in reply["text"]
    assert await server.services.repo("demo").list(HandoffQuestion) == []


@pytest.mark.parametrize(("text", "command", "step"), [
    ("ik wil een mens spreken", "**werkgroepkanaal**", "*stap 1b*"),
    ("I'd like to talk to a person please", "**working group channel**", "*step 1b*"),
])
async def test_asking_for_a_person_with_nobody_to_ask_says_so_at_once_and_how_to_set_it_up(server, text, command,
                                                                                           step):
    await set_up(server, group=False, coordinator=False)
    # a coordinator typed in by name who never chatted with the bot cannot be reached either
    await server.services.repo("demo").add(Member(name="Carla Smit", position="coordinator", roles=["hr_expert"]))
    reply = (await server.say(text))[0]
    assert reply.get("form") is None
    assert command in reply["text"] and step in reply["text"]
    button = (await server.say(choice="kb:handoff"))[0]
    assert button.get("form") is None and command in button["text"]
    assert await server.services.repo("demo").list(HandoffQuestion) == []


async def test_asking_for_a_person_opens_the_question_form_prefilled(server):
    await set_up(server)
    await server.say(QUESTION)
    reply = (await server.say("ik wil een mens spreken"))[0]
    field = reply["form"]["fields"][0]
    assert reply["form"]["id"] == "kb:handoff" and field["value"] == QUESTION
    sent = (await server.say(form={"id": "kb:handoff", "values": {"question": "Mag ik een vraag stellen?"}}))[0]
    assert "werkgroep" in sent["text"]
    posted = await server.notifications(user="mark")
    assert "Mag ik een vraag stellen?" in posted[-1]["text"]
    reply = (await server.say("I'd like to talk to a person please"))[0]
    assert reply["form"]["id"] == "kb:handoff" and reply["form"]["fields"][0].get("value") is None


async def test_the_hand_off_button_without_a_pending_question_asks_for_it(server):
    await set_up(server)
    reply = (await server.say(choice="kb:handoff"))[0]
    assert reply["form"]["id"] == "kb:handoff"
    empty = (await server.say(form={"id": "kb:handoff", "values": {"question": "  "}}))[0]
    assert empty["form"]["id"] == "kb:handoff"


async def test_bad_buttons_and_forms_get_a_clear_message(server):
    await set_up(server)
    for value in ("kb:reply:999", "kb:reply:abc", "kb:add:999"):
        reply = (await server.say(choice=value, user="carla", name="Carla Smit"))[0]
        assert reply["text"] and reply["form"] is None
    reply = (await server.say(form={"id": "kb:reply:1", "values": {"answer": "x"}}))[0]
    assert "niet" in reply["text"]
    await server.say(QUESTION)
    await server.say(choice="kb:handoff")
    button = next(v for v in values((await server.notifications(user="mark"))[0]) if v.startswith("kb:reply:"))
    missing = (await server.say(form={"id": button, "values": {}}, user="mark"))[0]
    assert missing["form"]["id"] == button  # the answer is required: the form comes back
    not_yet = (await server.say(choice=button.replace("reply", "add"), user="carla"))[0]
    assert not_yet["form"] is None and "antwoord" in not_yet["text"]
