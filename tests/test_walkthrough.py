"""The guided walk-through end to end through POST /api/local/messages: records and section codes."""

from __future__ import annotations

from datetime import date

import pytest
from flow_walk import Walker, plain, values_of, walk_from_route_to_the_end, walk_step_1

from bot.records import Action, Contract, Evaluation, JourneyStep, Meeting, Member, MonitoringPlan, Tender
from bot.sections import STEP_ORDER
from dialogs.ranking import rank_contracts

NL = {"start": "start", "tips": "tips", "next": "volgende", "done": "klaar"}
EN = {"start": "walk me through", "tips": "tips", "next": "next", "done": "done"}


async def test_step_1_captures_the_working_group_and_the_action_plan(server):
    w = Walker(server)
    await walk_step_1(w, typed=NL)
    repo = server.services.repo("demo")
    members = {m.name: m for m in await repo.list(Member)}
    assert members["Anna de Vries"].roles == ["hr_expert"] and members["Anna de Vries"].position == "coordinator"
    assert members["Bram Jansen"].position == "backup"
    assert members["Carla Smit"].position is None
    actions = {a.title: a for a in await repo.list(Action)}
    assert actions["Contracten inventariseren"].owner_id == members["Bram Jansen"].id
    assert actions["Notitie voor de directie"].deadline == date(2026, 12, 4)
    assert all(a.section == "1d" for a in actions.values())
    meeting = (await repo.list(Meeting))[0]
    assert meeting.frequency == "monthly"
    assert meeting.next_date.isoformat().startswith("2026-12-07T09:30")
    assert meeting.series_start == meeting.next_date  # later dates are counted from the agreed first one
    assert set(meeting.participant_ids) == {m.id for m in members.values()}
    decision = await repo.find(JourneyStep, section="1a")
    assert decision.status == "done" and decision.answers["decision"]["status"] == "planned"
    # the route choice comes with the handbook's guidance and the three routes as buttons
    route = w.last[-1]
    assert {"flow:ans:route:choose:2A", "flow:ans:route:choose:2B", "flow:ans:route:choose:both"} <= set(
        values_of(route))
    assert "2B" in plain(route["text"]) and "2A" in plain(route["text"])


async def test_the_action_plan_is_a_markdown_attachment(server):
    w = Walker(server)
    await walk_step_1(w, typed=NL)
    plan = next(r for r in w.seen if r["attachments"])
    assert plan["section"] == "1d"
    assert plan["attachments"][0]["media_type"] == "text/markdown"
    document = await w.download("actieplan.md")
    assert document.startswith("# Actieplan")
    for expected in ("Anna de Vries", "Bram Jansen", "Contracten inventariseren", "18-12-2026", "UWV",
                     "Mensen naar betaald werk helpen", "Gepland op 14-12-2026", "Stages"):
        assert expected in document, expected


async def test_route_both_walks_2B_first_and_keeps_2A_open(server):
    w = Walker(server)
    await walk_step_1(w, typed=NL)
    await w.click("flow:ans:route:choose:both", "route", "2Ba")
    progress = await w.send("bijlage-1", text="voortgang")
    text = plain(progress[0]["text"])
    assert "route ✓" in text and "2Ba ▶" in text and "2Aa ○" in text
    assert "flow:start:2A" in values_of(progress[0])


async def test_the_same_walk_in_english_has_english_texts_and_the_same_codes(server):
    nl, en = Walker(server, user="u1"), Walker(server, lang="en", user="u2")
    await walk_step_1(nl, typed=NL)
    server.org = "other"
    await en.send(text="english please")
    await walk_step_1(en, typed=EN)
    codes_nl = [r["section"] for r in nl.seen]
    codes_en = [r["section"] for r in en.seen[1:]]
    assert codes_nl == codes_en
    assert all(r["text"].startswith(("**Step", "**Route")) for r in en.seen[1:])
    assert "How will you begin?" in plain(en.seen[-1]["text"])
    assert (await en.download("action-plan.md")).startswith("# Action plan")
    members = await server.services.repo("other").list(Member)
    assert len(members) == 3


async def test_typed_step_and_choice_start_at_the_section(server):
    w = Walker(server)
    await w.send("2Ba", text="stap 2B")
    await w.send("4a", text="ga naar stap 4a")
    await w.send("2Ba", choice="flow:start:2B")
    await w.send("route", text="step route")


async def test_a_question_during_the_walk_is_left_to_other_features_and_the_walk_continues(server):
    w = Walker(server)
    await w.send("1a", text="start")
    replies = await server.say("wie doet wat in stap 3?")
    assert not any(v.startswith("flow:") for r in replies for v in values_of(r) if v != "flow:resume")
    assert all(r["section"] not in STEP_ORDER for r in replies)
    await w.send("1a", text="volgende")
    assert w.form_id() == "flow:1a:decision"


async def test_stop_and_where_was_i(server):
    w = Walker(server)
    await w.send("1a", text="start")
    await w.send("1a", text="volgende")
    stopped = await w.send("1a", text="stop")
    assert "flow:resume" in values_of(stopped[0])
    # after a stop, navigation words are no longer taken by the walk-through
    later = await server.say("volgende")
    assert all(r["section"] not in STEP_ORDER for r in later)
    assert not any(v.startswith("flow:next") for r in later for v in values_of(r))
    resumed = await w.send("1a", text="waar was ik?")
    assert resumed[0]["form"]["id"] == "flow:1a:decision"


async def test_another_user_of_the_same_organisation_resumes_the_groups_position(server):
    w = Walker(server)
    await walk_step_1(w, typed=NL)
    other = Walker(server, lang="en", user="u9")
    replies = await other.send("route", text="where was I?")
    assert "left off" in plain(replies[0]["text"])


async def test_the_whole_plan_with_route_both_fills_the_records(server):
    w = Walker(server)
    await walk_step_1(w, typed=NL)
    await walk_from_route_to_the_end(w, typed=NL)
    assert "flow:progress" in values_of(w.last[-1])
    repo = server.services.repo("demo")
    members = {m.name: m for m in await repo.list(Member)}
    assert members["Anna de Vries"].position == "coordinator" and members["Bram Jansen"].position == "backup"
    assert "sroi_coordinator" in members["Anna de Vries"].roles
    assert "internal_client" in members["Carla Smit"].roles
    actions = await repo.list(Action)
    assert {(a.title, a.owner_id, a.deadline.isoformat(), a.section) for a in actions} == {
        ("Contracten inventariseren", members["Bram Jansen"].id, "2026-12-18", "1d"),
        ("Notitie voor de directie", members["Anna de Vries"].id, "2026-12-04", "1d"),
        ("Jobcoach regelen", members["Carla Smit"].id, "2027-02-01", "3b")}
    contracts = {c.name: c for c in await repo.list(Contract)}
    assert contracts["Schoonmaak kantoren"].yearly_value == 450000
    assert contracts["Schoonmaak kantoren"].contract_manager_id == members["Carla Smit"].id
    assert contracts["Bedrijfsrestaurant"].has_sroi_clause is True
    ranked = [r.contract.name for r in rank_contracts(contracts.values(), date(2026, 11, 23))]
    assert ranked == ["Bedrijfsrestaurant", "Schoonmaak kantoren", "Beveiliging", "Kantoorartikelen"]
    ranking = plain(next(r["text"] for r in w.seen if "★" in r["text"]))
    assert ranking.index("Bedrijfsrestaurant") < ranking.index("Schoonmaak kantoren") < ranking.index("Beveiliging")
    top3 = (await repo.find(JourneyStep, section="2Ba")).answers["top3"]
    assert set(top3) == {contracts[n].id for n in ("Schoonmaak kantoren", "Bedrijfsrestaurant", "Beveiliging")}
    plans = {p.contract_id: p for p in await repo.list(MonitoringPlan)}
    cleaning = plans[contracts["Schoonmaak kantoren"].id]
    assert (cleaning.frequency, cleaning.reporter_id, cleaning.figures) == (
        "quarter", members["Carla Smit"].id, ["paid_hours", "people", "costs"])
    assert cleaning.ambition_hours_per_week == 51 and cleaning.start_period == date(2027, 1, 1)
    assert plans[contracts["Bedrijfsrestaurant"].id].reporter_id == members["Bram Jansen"].id
    restaurant = plans[contracts["Bedrijfsrestaurant"].id]
    assert restaurant.start_period == date(2026, 11, 1) and restaurant.figures == ["paid_hours", "people"]
    evaluation = (await repo.list(Evaluation))[0]
    assert evaluation.contract_id == contracts["Schoonmaak kantoren"].id
    assert evaluation.answers == {"impact": "Twee banen", "next_tender": "Stapelbanen vragen"}
    meetings = {m.title: m for m in await repo.list(Meeting)}
    talk = meetings["Verkennend gesprek met CleanCo"]
    assert talk.contract_id == contracts["Schoonmaak kantoren"].id
    # only a date was asked: no time is made up; the reminder goes to those listed as attending, not to Carla
    assert talk.time_set is False
    assert set(talk.participant_ids) == {members["Anna de Vries"].id, members["Bram Jansen"].id}
    assert meetings["Overleg met beslissers"].frequency == "once"
    tender = (await repo.list(Tender))[0]
    assert (tender.kind, tender.estimated_value, tender.duration_months) == ("services", 300000, 36)
    statuses = {s.section: s.status for s in await repo.list(JourneyStep)}
    assert all(statuses[code] == "done" for code in STEP_ORDER), statuses
    # every reply of the walk carried the section it belongs to (checked turn by turn), in plan order
    walked = [r["section"] for r in w.seen if r["section"] in STEP_ORDER]
    assert walked[0] == "1a" and walked[-1] == "2Ad"
    assert [s for s in dict.fromkeys(walked)] == [s for s in STEP_ORDER if not s.startswith("2A")] + [
        "2Aa", "2Ab", "2Ac", "2Ad"]
    # documents of the walk
    assert "Stapelbaan schoonmaak en groen" in await w.download("brainstorm-schoonmaak-kantoren.md")
    agenda = await w.download("agenda-gesprek-2-schoonmaak-kantoren.md")
    assert "Rondvraag" in agenda and "Relatiemanager" in agenda
    assert "Vijf banen in 2028" in await w.download("beleidskader-social-return.md")
    assert "Samen banen maken" in await w.download("leidraad-social-return.md")
    advice = plain(next(r["text"] for r in w.seen if r["section"] == "2Ac" and "Advies" in r["text"]))
    assert "social return toepassen" in advice and "5 %" in advice
    progress = await w.send("bijlage-1", text="voortgang")
    assert "○" not in plain(progress[0]["text"]).split("\n", 1)[1].rsplit("\n", 1)[0]


async def test_the_whole_plan_in_english_gives_the_same_section_codes(server):
    nl = Walker(server, user="u1")
    await walk_step_1(nl, typed=NL)
    await walk_from_route_to_the_end(nl, typed=NL)
    server.org = "english-org"
    en = Walker(server, lang="en", user="u2")
    await en.send(text="english please")
    await walk_step_1(en, typed=EN)
    await walk_from_route_to_the_end(en, typed=EN)
    assert [r["section"] for r in nl.seen] == [r["section"] for r in en.seen[1:]]
    english = [plain(r["text"]) for r in en.seen[1:]]
    assert any("Advice for Groenonderhoud 2027: apply social return" in t for t in english)
    assert not any(" de werkgroep " in t for t in english)
    assert (await en.download("social-return-policy-outline.md")).startswith("# Social return policy")


async def test_a_supplier_not_ready_yet_offers_step_2A(server):
    w = Walker(server)
    await w.send("2Bb", choice="flow:start:2Bb")
    await w.nav("next", "2Bb")
    await w.nav("next", "2Bb")
    replies = await w.click("flow:ans:2Bb:outcome:not_now", "2Bb")
    assert "volgende aanbesteding" in plain(replies[0]["text"])
    assert "flow:start:2A" in values_of(replies[0]) and "flow:next:2Bb:outcome" in values_of(replies[0])
    await w.click("flow:start:2A", "2Aa")
    answers = (await server.services.repo("demo").find(JourneyStep, section="2Bb")).answers
    assert answers["outcome"] == "not_now"


async def test_progress_shows_every_step_and_sub_step_with_its_status(server):
    w = Walker(server)
    empty = await w.send("bijlage-1", text="voortgang")
    assert "flow:start:1" in values_of(empty[0])
    await w.send("1a", text="start")
    await w.send("1b", text="overslaan")
    await w.nav("next", "1b")
    await w.fill({"name": "Anna", "roles": ["hr_expert"], "position": "coordinator"}, "1b")
    await w.nav("next", "1c")
    await w.send("2Ba", text="stap 2Ba")
    progress = await w.send("bijlage-1", text="progress")
    lines = plain(progress[0]["text"]).replace("**", "").split("\n")
    assert lines[0] == "Progress through the step plan"
    assert lines[1] == "- Step 1: 1a – · 1b ✓ · 1c … · 1d ○ · 1e ○"
    assert lines[2] == "- Route choice: route ○"
    assert lines[3] == "- Step 2A: 2Aa ○ · 2Ab ○ · 2Ac ○ · 2Ad ○"
    assert lines[4] == "- Step 2B: 2Ba ▶ · 2Bb ○"
    assert [line.split(":")[0] for line in lines[5:8]] == ["- Step 3", "- Step 4", "- Step 5"]
    assert "flow:resume" in values_of(progress[0])


async def test_start_again_offers_to_resume_or_start_over(server):
    w = Walker(server)
    await w.send("1a", text="start")
    await w.nav("next", "1a")
    await w.send("1a", text="stop")
    offer = await w.send("1a", text="stappenplan")
    assert {"flow:resume", "flow:start:1"} <= set(values_of(offer[0]))
    assert "1a" in plain(offer[0]["text"])
    resumed = await w.click("flow:resume", "1a")
    assert resumed[0]["form"]["id"] == "flow:1a:decision"


async def test_back_goes_to_the_previous_message_and_into_the_previous_sub_step(server):
    w = Walker(server)
    await w.send("1b", choice="flow:start:1b")
    back = await w.send("1a", text="terug")
    assert back[0]["form"]["id"] == "flow:1a:decision"
    await w.send("1a", text="back")
    first = await w.send("1a", text="vorige")
    assert "begin van het stappenplan" in plain(first[0]["text"])


async def test_the_menu_offers_the_walk_through(server):
    replies = await server.say("help")
    assert "flow:begin" in values_of(replies[0])
    started = await server.say(choice="flow:begin")
    assert started[0]["section"] == "1a"


@pytest.mark.parametrize(("question", "lang"), [("hoe begin ik met een bestaand contract?", "nl"),
                                                ("how do I start with an existing contract?", "en")])
async def test_the_existing_contract_question_leads_into_step_2B(server, question, lang):
    w = Walker(server, lang=lang)
    answer = await w.send(text=question)
    assert answer[0]["section"] == "2B"
    await w.click("flow:start:2B", "2Ba")
    assert "200" in plain(w.last[0]["text"])  # the 2Ba criteria, in the user's language
    assert plain(w.last[0]["text"]).startswith("**Step 2B" if lang == "en" else "**Stap 2B")


async def test_a_role_question_mid_walk_is_answered_and_the_walk_resumes(server):
    w = Walker(server)
    await w.send("3a", choice="flow:start:3")
    answer = await server.say("wie doet wat in stap 3?")
    assert answer[0]["section"] == "bijlage-2"
    assert "flow:resume" in values_of(answer[0])
    await w.send("3a", choice="flow:resume")
    await w.send("3a", text="volgende")
    assert w.form_id() == "flow:3a:ideas"
