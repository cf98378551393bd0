"""Defects found by walking the bot as its users (QA pass of 2026-11-26), each checked the way a user meets it."""

from __future__ import annotations

from datetime import date

from flow_walk import Walker, plain, values_of
from test_walkthrough_validation import _at, _with_members

from bot.records import Action, Member, MonitoringPlan


async def test_the_role_division_without_members_says_why_instead_of_showing_an_empty_form(server):
    w = Walker(server)
    replies = await w.send("3c", choice="flow:start:3c")
    assert replies[0]["form"] is None
    assert "nog geen werkgroepleden" in plain(replies[0]["text"])
    assert "flow:start:1b" in values_of(replies[0])
    await _with_members(w)
    replies = await w.send("3c", choice="flow:start:3c")
    assert [f["name"] for f in replies[0]["form"]["fields"]] == ["role_procurement_expert", "role_internal_client"]


async def test_a_monitoring_plan_without_any_members_points_to_1b_not_to_a_field_that_is_not_there(server):
    w = Walker(server)
    await _at(w, "2Ba", "contracts")
    await w.fill({"supplier": "CleanCo"}, "2Ba")
    await _at(w, "4a", "plan")
    assert "reporter_id" not in [f["name"] for f in w.last[-1]["form"]["fields"]]
    replies = await w.fill({"contract_id": w.options("contract_id")["CleanCo"], "frequency": "quarter"}, "4a")
    text = plain(replies[0]["text"])
    assert "nog geen werkgroepleden" in text and "Kies wie" not in text
    assert "flow:start:1b" in values_of(replies[0])
    assert await server.services.repo("demo").list(MonitoringPlan) == []


async def _members(server) -> Member:
    repo = server.services.repo("demo")
    await repo.add(Member(name="Anna de Vries", user_id="u1", channel="local", position="coordinator"))
    return await repo.add(Member(name="Piet Bakker", user_id="u2", channel="local"))


async def test_a_labelled_line_starting_with_actie_colon_adds_an_action(server):
    piet = await _members(server)
    replies = await server.say("actie: memo voor het bestuur, voor Piet, vrijdag")
    assert "#1" in replies[0]["text"] and "Piet Bakker" in replies[0]["text"]
    action = await server.services.repo("demo").get(Action, 1)
    assert (action.title, action.owner_id, action.deadline) == ("memo voor het bestuur", piet.id, date(2026, 11, 27))
    english = await server.say("Action: call UWV for Piet tomorrow")
    assert "#2" in english[0]["text"] and "Piet Bakker" in english[0]["text"]
    # without the colon it stays a question for the knowledge base
    assert "#3" not in (await server.say("actie voor het bestuur"))[0]["text"]


async def test_snooze_and_deadline_can_be_typed_like_done(server):
    await _members(server)
    repo = server.services.repo("demo")
    await repo.add(Action(title="Bestuursnotitie", owner_id=1, deadline=date(2026, 12, 4)))
    snoozed = await server.say("uitstellen 1")
    assert "Bestuursnotitie" in snoozed[0]["text"] and "ma 30 nov" in snoozed[0]["text"]
    assert (await repo.get(Action, 1)).snoozed_until == date(2026, 11, 30)
    english = await server.say("snooze 1")
    assert "Bestuursnotitie" in english[0]["text"]
    moved = await server.say("deadline 1")
    assert moved[0]["form"]["id"] == "sched:deadline:1"


async def test_a_word_in_a_whole_number_field_gets_a_whole_number_example(server):
    repo = server.services.repo("demo")
    await repo.add(Member(name="Anna de Vries", user_id="u1", channel="local", position="coordinator"))
    w = Walker(server)
    await _at(w, "2Ba", "contracts")
    await w.fill({"supplier": "CleanCo", "contract_manager_id": "1"}, "2Ba")
    setup = await server.say("monitoring instellen voor CleanCo")
    form_id = setup[0]["form"]["id"]
    await server.say(form={"id": form_id, "values": {"frequency": "month", "reporter": "1",
                                                      "start_period": "2026-10-01", "figures": ["costs"]}})
    prompt = await server.say("cijfers CleanCo")
    report = prompt[0]["form"]
    values = {"period": report["fields"][0]["value"], "hours": "veel", "people": "twee", "in_register": "0",
              "placements": "0", "training_places": "0", "evidence": "none", "costs": "duur"}
    refused = plain((await server.say(form={"id": report["id"], "values": values}))[0]["text"])
    lines = {line.split(":")[0]: line for line in refused.splitlines() if line.startswith("- ")}
    hours = next(line for label, line in lines.items() if "uren" in label.lower())
    people = next(line for label, line in lines.items() if "Aantal mensen" in label)
    costs = next(line for label, line in lines.items() if "Kosten" in label)
    assert "heel getal" in hours and "12,5" not in hours
    assert "heel getal" in people
    assert "12,5" in costs  # costs may have cents: the general example stays


async def test_documents_say_the_board_decision_and_the_contract_category_in_words(server):
    w = Walker(server)
    await _at(w, "1a", "decision")
    await w.fill({"status": "planned", "date": "2027-01-15", "body": "de directie"}, "1a", "1b")
    await _with_members(w)
    await _at(w, "1d", "actions")
    await w.nav("next", "1d")
    await w.nav("next", "1d")
    plan = await w.download("actieplan.md")
    assert "Gepland op 15-01-2027 — de directie" in plan and "(met datum)" not in plan
    await _at(w, "2Ba", "contracts")
    await w.fill({"name": "Schoonmaak stadhuis", "supplier": "CleanCo", "category": "window_cleaning"}, "2Ba")
    await _at(w, "2Ba", "top3")
    await w.fill({"contracts": ["1"]}, "2Ba", "2Ba")
    await w.fill({"contract": "1", "who": "Facilitair manager"}, "2Ba")
    brainstorm = await w.download("brainstorm-schoonmaak-stadhuis.md")
    assert "Schoonmaak stadhuis (CleanCo), glasbewassing" in brainstorm and "window_cleaning" not in brainstorm


async def test_switching_language_mid_walk_through_offers_the_way_back(server):
    w = Walker(server)
    await w.send("1a", choice="flow:start:1a")
    switched = await server.say("english")
    assert "English" in switched[0]["text"] and "flow:resume" in values_of(switched[0])
    back = await server.say(choice="flow:resume")
    assert back[0]["section"] == "1a" and back[0]["text"].startswith("**Step 1")
    outside = await server.say("nederlands", user="u9")  # not in a walk-through: no such button
    assert "flow:resume" not in values_of(outside[0])


async def test_the_overview_calls_every_dated_meeting_a_meeting_and_counts_in_words(server):
    w = Walker(server)
    await _with_members(w)
    await _at(w, "3b", "decide")
    saved = await w.fill({"date": "2027-01-15", "agenda": "budget"}, "3b", "3b")
    assert "met 0 deelnemers uit de werkgroep" in plain(saved[0]["text"])
    overview = "\n".join(plain(r["text"]) for r in await server.say("overzicht"))
    assert "Komende overleggen:" in overview and "voortgangsoverleg" not in overview
    assert "Overleg met beslissers" in overview


async def test_opening_the_figures_again_picks_the_open_period_and_shows_what_was_reported(server):
    from test_monitoring_chat import FIGURES, set_up

    _, plan_id = await set_up(server, frequency="month", start_period="2026-09-01")
    [first] = await server.say("cijfers schoonmaak")
    assert first["form"]["fields"][0]["value"] == "2026-10-01"  # the latest ended month
    await server.say(form={"id": f"mon:report:{plan_id}", "values": {**FIGURES, "period": "2026-10-01",
                                                                      "hours": "400"}})
    [second] = await server.say("cijfers schoonmaak")
    assert second["form"]["fields"][0]["value"] == "2026-09-01"  # the month still open, not October again
    await server.say(form={"id": f"mon:report:{plan_id}", "values": {**FIGURES, "period": "2026-09-01",
                                                                      "hours": "300"}})
    [again] = await server.say(choice=f"mon:report:{plan_id}")  # both reported: October, filled in as reported
    shown = {f["name"]: f.get("value") for f in again["form"]["fields"]}
    assert shown["period"] == "2026-10-01" and str(shown["hours"]) == "400" and str(shown["people"]) == "5"
    assert "heb ik al" in plain(again["text"]) and again["choices"] == []


async def test_a_working_group_of_one_reads_well_and_offers_no_removal_it_cannot_do(server):
    await server.services.repo("demo").add(Member(name="Anna de Vries", user_id="u1", channel="local",
                                                   position="coordinator"))
    [alone] = await server.say("werkgroep")
    assert "(1 lid)" in alone["text"] and "verwijderen kan hieronder" not in alone["text"]
    assert not [v for v in values_of(alone) if v.startswith("core:wg:remove:")]
    await server.services.repo("demo").add(Member(name="Bram Jansen"))
    [two] = await server.say("werkgroep")
    assert "(2 leden)" in two["text"] and "verwijderen kan hieronder" in two["text"]


async def test_asking_what_the_bot_can_do_without_a_greeting_shows_the_menu(server):
    for question in ("wat kun je allemaal?", "Wie ben jij?", "how can you help me?"):
        [reply] = await server.say(question)
        assert "Partnerbot" in reply["text"] and "flow:begin" in values_of(reply), question
    [fallback] = await server.say("<b>hallo</b> daar ginds", user="u7")
    assert [c["label"] for c in fallback["choices"]] == ["Wat kan ik doen?"]


async def test_the_english_action_plan_names_external_partners_and_has_no_dangling_space(server):
    w = Walker(server, lang="en")
    await server.say("english")
    await _with_members(w)
    await _at(w, "1d", "meetings")
    await w.fill({"frequency": "monthly", "first": "2026-12-07", "partners": ["uwv"]}, "1d", "1d")
    plan = await w.download("action-plan.md")
    assert "## External partners" in plan and "Every month; next on 2026-12-07\n" in plan


async def test_sending_the_talk_agendas_again_moves_the_first_talk_instead_of_planning_it_twice(server):
    from bot.records import Meeting

    w = Walker(server)
    await _at(w, "2Ba", "contracts")
    await w.fill({"name": "Schoonmaak", "supplier": "CleanCo"}, "2Ba")
    await _at(w, "2Ba", "top3")
    await w.fill({"contracts": ["1"]}, "2Ba", "2Ba")
    await _at(w, "2Bb", "agendas")
    for day in ("2026-12-10", "2026-12-10", "2026-12-17"):  # a double click, then a new date
        replies = await w.fill({"contract": "1", "theirs": "Accountmanager", "date": day}, "2Bb")
        assert len(replies[0]["attachments"]) == 2
    meetings = await server.services.repo("demo").list(Meeting)
    assert [(m.title, m.next_date.date().isoformat()) for m in meetings] == [("Verkennend gesprek met CleanCo",
                                                                              "2026-12-17")]
    overview = "\n".join(plain(r["text"]) for r in await server.say("overzicht"))
    assert overview.count("Verkennend gesprek met CleanCo") == 1


async def test_changing_the_date_of_the_meeting_with_decision_makers_keeps_one_meeting(server):
    from bot.records import Meeting

    w = Walker(server)
    await _at(w, "3b", "decide")
    await w.fill({"date": "2027-01-15"}, "3b", "3b")
    await _at(w, "3b", "decide")
    await w.fill({"date": "2027-01-20"}, "3b", "3b")
    meetings = await server.services.repo("demo").list(Meeting)
    assert [m.next_date.date().isoformat() for m in meetings] == ["2027-01-20"]


async def test_a_line_break_in_a_typed_action_stays_out_of_its_title(server):
    await _members(server)
    [saved] = await server.say("nieuwe actie Offerte\nopvragen  bij\tCleanCo voor Piet morgen")
    assert "Offerte opvragen bij CleanCo" in saved["text"]
    assert (await server.services.repo("demo").get(Action, 1)).title == "Offerte opvragen bij CleanCo"
