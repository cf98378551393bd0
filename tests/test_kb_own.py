"""The organisation's own answers through the local API: anyone in the organisation can list and read them,
the coordinator corrects or removes one and the very next question gets the new content, nobody else may,
and another organisation cannot reach them even with forged button values."""

from __future__ import annotations

from datetime import UTC, datetime

from knowledge.records import OrgEntry
from tests.helpers.kb_org import add_own_answer, set_up, values

QUESTION = "Hoeveel parkeerplekken heeft ons kantoor voor leveranciers?"
ANSWER = "Er zijn vier plekken voor leveranciers achter het gebouw, te reserveren bij de receptie."
NEW_ANSWER = "Sinds de verbouwing zijn er zes plekken voor leveranciers, aan de zijkant bij de fietsenstalling."
ASKED = "hoeveel parkeerplaatsen zijn er voor leveranciers bij ons kantoor"


async def own_entry(server, org: str = "demo") -> dict:
    """The first entry's detail reply as the coordinator sees it."""
    listed = (await server.say("onze antwoorden", org=org, user="carla", name="Carla Smit"))[0]
    show = next(v for v in values(listed) if v.startswith("kb:show:"))
    return (await server.say(choice=show, org=org, user="carla", name="Carla Smit"))[0]


async def edit_form(server, org: str = "demo") -> dict:
    edit = next(v for v in values(await own_entry(server, org)) if v.startswith("kb:edit:"))
    return (await server.say(choice=edit, org=org, user="carla", name="Carla Smit"))[0]["form"]


async def stored(server, org: str = "demo") -> list[tuple]:
    return [(e.question, e.answer, e.section, e.variants) for e in await server.services.repo(org).list(OrgEntry)]


async def test_every_member_sees_the_list_with_who_added_what_and_when(server, clock):
    clock.set(datetime(2026, 3, 14, 23, 30, tzinfo=UTC))  # already the 15th in Amsterdam
    await set_up(server)
    assert "nog geen eigen antwoorden" in (await server.say("onze antwoorden", user="mark"))[0]["text"]
    await add_own_answer(server, QUESTION, ANSWER)
    listed = (await server.say("Onze antwoorden!", user="mark", name="Mark de Boer"))[0]
    assert "parkeerplekken" in listed["text"] and "2Ba" in listed["text"] and "Carla Smit" in listed["text"]
    assert "15-03-2026" in listed["text"]
    assert [v for v in values(listed) if v.startswith("kb:show:")] == ["kb:show:1"]
    detail = (await server.say(choice="kb:show:1", user="mark", name="Mark de Boer"))[0]
    assert "vier plekken" in detail["text"] and detail["section"] == "2Ba"
    assert not any(v.startswith(("kb:edit:", "kb:remove:")) for v in values(detail))  # read only for members
    english = (await server.say("manage knowledge base", user="mark", name="Mark de Boer"))[0]
    assert "own answers" in english["text"] and "added by Carla Smit on 2026-03-15" in english["text"]
    # an answer from the own knowledge base offers the list
    answered = (await server.say(ASKED, user="piet", name="Piet"))[0]
    assert "vier plekken" in answered["text"] and "kb:own" in values(answered)


async def test_a_long_list_comes_in_pages(server):
    await set_up(server)
    repo = server.services.repo("demo")
    for n in range(9):
        await repo.add(OrgEntry(question=f"Waar staat printer nummer {n}?", answer=f"Op verdieping {n}."))
    first = (await server.say("eigen antwoorden"))[0]
    assert "(9)" in first["text"] and "nog 3 meer" in first["text"] and "kb:own:2" in values(first)
    assert "printer nummer 8" in first["text"] and "printer nummer 2" not in first["text"]  # newest first
    second = (await server.say(choice="kb:own:2"))[0]
    assert "printer nummer 2" in second["text"] and "printer nummer 0" in second["text"]
    assert "meer" not in second["text"] and not any(v.startswith("kb:own:") for v in values(second))


async def test_the_coordinator_edits_an_answer_and_the_next_question_gets_it(server):
    await set_up(server)
    await add_own_answer(server, QUESTION, ANSWER)
    assert "vier plekken" in (await server.say(ASKED, user="piet"))[0]["text"]
    form = await edit_form(server)
    prefilled = {f["name"]: f.get("value") for f in form["fields"]}
    assert prefilled == {"question": QUESTION, "answer": ANSWER, "variants": None, "section": "2Ba"}
    # the section list names each section once: its code, then its title without the code again
    labels = {o["value"]: o["label"] for o in next(f for f in form["fields"] if f["name"] == "section")["options"]}
    assert labels["1a"] == "1a Het bestuur betrekken" and labels["3"] == "Stap 3: De banen realiseren"
    assert labels["intro"].startswith("intro – ") and all(not lab.startswith(f"{c} – {c}") for c, lab in labels.items())
    changed = {**prefilled, "answer": NEW_ANSWER, "section": "4a", "variants": "waar parkeert de leverancier"}
    saved = (await server.say(form={"id": form["id"], "values": changed}, user="carla", name="Carla Smit"))[0]
    assert "nieuwe antwoord" in saved["text"]
    reply = (await server.say(ASKED, user="piet"))[0]
    assert "zes plekken" in reply["text"] and "vier plekken" not in reply["text"] and reply["section"] == "4a"
    assert "zes plekken" in (await server.say("waar parkeert de leverancier?", user="piet"))[0]["text"]
    # a second edit at the same moment is picked up as well
    form = await edit_form(server)
    again = {f["name"]: f.get("value") for f in form["fields"]} | {"answer": "Er zijn geen plekken meer."}
    await server.say(form={"id": form["id"], "values": again}, user="carla", name="Carla Smit")
    assert "geen plekken meer" in (await server.say(ASKED, user="piet"))[0]["text"]
    assert "Laatst gewijzigd door Carla Smit" in (await own_entry(server))["text"]


async def test_an_edit_form_opened_before_someone_else_saved_changes_nothing(server):
    await set_up(server)
    await add_own_answer(server, QUESTION, ANSWER)
    old_form = await edit_form(server)
    newer = await edit_form(server)
    filled = {f["name"]: f.get("value") for f in newer["fields"]} | {"answer": NEW_ANSWER}
    await server.say(form={"id": newer["id"], "values": filled}, user="carla")
    late = (await server.say(form={"id": old_form["id"], "values": filled | {"answer": "Oud."}}, user="carla"))[0]
    assert "net gewijzigd" in late["text"]
    assert (await stored(server))[0][1] == NEW_ANSWER


async def test_removal_asks_first_and_then_the_question_is_no_longer_answered_from_it(server):
    await set_up(server)
    await add_own_answer(server, QUESTION, ANSWER)
    remove = next(v for v in values(await own_entry(server)) if v.startswith("kb:remove:"))
    confirm = (await server.say(choice=remove, user="carla", name="Carla Smit"))[0]
    assert "zeker" in confirm["text"] and "parkeerplekken" in confirm["text"]
    assert len(await stored(server)) == 1 and "vier plekken" in (await server.say(ASKED, user="piet"))[0]["text"]
    keep, yes = values(confirm)[1], values(confirm)[0]
    assert keep == "kb:show:1" and yes.startswith("kb:remove:1:")
    done = (await server.say(choice=yes, user="carla", name="Carla Smit"))[0]
    assert "Verwijderd" in done["text"]
    assert await stored(server) == []
    reply = (await server.say(QUESTION, user="piet"))[0]
    assert "vier plekken" not in reply["text"] and values(reply) == ["kb:handoff"]
    assert "niet (meer)" in (await server.say(choice="kb:answer:org:1", user="piet"))[0]["text"]
    assert "nog geen eigen antwoorden" in (await server.say("onze antwoorden", user="carla"))[0]["text"]
    assert "niet (meer)" in (await server.say(choice=yes, user="carla"))[0]["text"]  # pressing it twice


async def test_a_member_who_is_not_the_coordinator_is_refused(server):
    await set_up(server)
    await add_own_answer(server, QUESTION, ANSWER)
    form = await edit_form(server)
    revision = form["id"].rsplit(":", 1)[1]
    filled = {"question": QUESTION, "answer": "Fout antwoord.", "section": "2Ba"}
    for attempt in ({"choice": "kb:edit:1"}, {"form": {"id": form["id"], "values": filled}},
                    {"choice": "kb:remove:1"}, {"choice": f"kb:remove:1:{revision}"}):
        reply = (await server.say(**attempt, user="mark", name="Mark de Boer"))[0]
        assert "Alleen de coördinator" in reply["text"] and "Carla Smit" in reply["text"] and reply["form"] is None
    assert await stored(server) == [(QUESTION, ANSWER, "2Ba", [])]


async def test_another_organisation_cannot_see_or_change_the_answers_even_with_forged_values(server):
    await set_up(server)
    await set_up(server, org="acme")
    await add_own_answer(server, QUESTION, ANSWER)
    form = await edit_form(server)
    revision = form["id"].rsplit(":", 1)[1]
    filled = {"question": QUESTION, "answer": "Overgenomen door acme.", "section": "2Ba"}
    acme = {"org": "acme", "user": "carla", "name": "Carla Smit"}  # acme's own coordinator
    assert "nog geen eigen antwoorden" in (await server.say("onze antwoorden", **acme))[0]["text"]
    for attempt in ({"choice": "kb:show:1"}, {"choice": "kb:edit:1"}, {"form": {"id": form["id"], "values": filled}},
                    {"choice": "kb:remove:1"}, {"choice": f"kb:remove:1:{revision}"}):
        reply = (await server.say(**attempt, **acme))[0]
        assert "niet (meer)" in reply["text"] and "vier plekken" not in reply["text"] and reply["form"] is None
    assert await stored(server) == [(QUESTION, ANSWER, "2Ba", [])]
    # acme's own entry gets the same id 1, and managing it leaves demo's entry alone
    await add_own_answer(server, "Waar laden de busjes van leveranciers uit?", "Aan de achterkant.", org="acme")
    listed = (await server.say("onze antwoorden", **acme))[0]
    assert "busjes" in listed["text"] and "parkeerplekken" not in listed["text"]
    confirm = (await server.say(choice="kb:remove:1", **acme))[0]
    await server.say(choice=values(confirm)[0], **acme)
    assert await stored(server, "acme") == []
    assert await stored(server) == [(QUESTION, ANSWER, "2Ba", [])]
    assert "vier plekken" in (await server.say(ASKED, user="piet"))[0]["text"]


async def test_invalid_edits_get_a_clear_message_and_change_nothing(server):
    await set_up(server)
    await add_own_answer(server, QUESTION, ANSWER)
    form = await edit_form(server)
    good = {f["name"]: f.get("value") for f in form["fields"]}
    for bad, says in (({"question": "   "}, "Vraag"), ({"answer": "x" * 2001}, "2000"),
                      ({"section": "9Z"}, "9Z"), ({"question": "v" * 301}, "300")):
        reply = (await server.say(form={"id": form["id"], "values": good | bad}, user="carla"))[0]
        assert reply["form"]["id"] == form["id"] and says in reply["text"]
    for value in ("kb:edit:abc", "kb:edit:" + "9" * 900, "kb:show:²", "kb:remove:1:x", "kb:own:zz"):
        reply = (await server.say(choice=value, user="carla"))[0]
        assert reply["text"] and reply["form"] is None
    assert await stored(server) == [(QUESTION, ANSWER, "2Ba", [])]
    assert "vier plekken" in (await server.say(ASKED, user="piet"))[0]["text"]
