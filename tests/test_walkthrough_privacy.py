"""The AVG guard in the walk-through: free text that holds personal data is refused, nothing is stored."""

from __future__ import annotations

from flow_walk import Walker, plain
from test_walkthrough_validation import _at, _with_members

from bot.records import Action, Evaluation


async def test_an_evaluation_with_a_bsn_and_a_phone_number_is_refused_until_it_is_clean(server):
    w = Walker(server)
    await _at(w, "4b", "evaluate")
    replies = await w.fill({"impact": "Jan (BSN 111222333, tel 0612345678) werkt nu"}, "4b")
    text = plain(replies[0]["text"])
    assert "burgerservicenummer" in text and "AVG" in text
    assert replies[0]["form"]["id"] == "flow:4b:evaluate"
    assert await server.services.repo("demo").list(Evaluation) == []
    await w.fill({"impact": "Twee mensen werken nu", "share": "Bel 06-12345678 voor het feest"}, "4b")
    assert "telefoonnummer" in w.text()
    assert await server.services.repo("demo").list(Evaluation) == []
    await w.fill({"impact": "Twee mensen werken nu"}, "4b", "5a")
    [saved] = await server.services.repo("demo").list(Evaluation)
    assert saved.answers == {"impact": "Twee mensen werken nu"}


async def test_other_free_text_in_the_walk_is_guarded_too(server):
    w = Walker(server, lang="en")
    await server.say("language en")
    await _with_members(w)
    await _at(w, "1d", "actions")
    owner = w.member_value("Anna")
    replies = await w.fill({"title": "Call jan@example.org about a job", "owner": owner, "deadline": "2027-01-15"},
                           "1d")
    assert "e-mail address" in plain(replies[0]["text"]) and "GDPR" in plain(replies[0]["text"])
    assert await server.services.repo("demo").list(Action) == []


async def test_an_evaluation_in_the_walk_refuses_a_name_and_an_action_keeps_a_colleagues_name(server):
    w = Walker(server)
    await _with_members(w)
    await _at(w, "4b", "evaluate")
    replies = await w.fill({"impact": "Fatima El Amrani werkt nu 24 uur", "next_tender": "Eerder beginnen"}, "4b")
    text = plain(replies[0]["text"])
    assert '"Fatima El Amrani" lijkt de naam van een persoon' in text and "AVG" in text
    assert "Hoe groot is de impact" in text  # the field is named
    assert replies[0]["form"]["id"] == "flow:4b:evaluate"
    assert await server.services.repo("demo").list(Evaluation) == []
    await w.fill({"impact": "Een deelnemer werkt nu 24 uur", "next_tender": "Eerder beginnen"}, "4b", "5a")
    [saved] = await server.services.repo("demo").list(Evaluation)
    assert saved.answers["impact"] == "Een deelnemer werkt nu 24 uur"
    # where a colleague's name is expected, a name is fine
    await _at(w, "1d", "actions")
    await w.fill({"title": "Bram Jansen belt de leverancier", "owner": w.member_value("Anna"),
                  "deadline": "2027-01-15"}, "1d")
    [action] = await server.services.repo("demo").list(Action)
    assert action.title == "Bram Jansen belt de leverancier"
