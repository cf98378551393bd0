"""Wrong input in a walk-through form: a clear message, the same form again, and nothing stored wrongly."""

from __future__ import annotations

from flow_walk import Walker, plain, values_of

from bot.records import Action, Contract, Evaluation, Member, MonitoringPlan

MEMBER = {"name": "Anna de Vries", "roles": ["hr_expert"], "position": "coordinator"}


async def _at(w: Walker, section: str, node: str) -> None:
    """Open a sub-step and press 'next' until the form of `node` is on screen."""
    await w.send(choice=f"flow:start:{section}")
    while not (w.last[-1]["form"] and w.last[-1]["form"]["id"] == f"flow:{section}:{node}"):
        await w.nav("next")


async def _with_members(w: Walker) -> None:
    await _at(w, "1b", "members")
    await w.fill(MEMBER, "1b")
    await w.fill({"name": "Bram Jansen", "roles": ["procurement_expert"], "position": "backup"}, "1b")


async def _at_plan(server) -> Walker:
    """Members and the CleanCo contract entered, and the 4a plan form on screen."""
    w = Walker(server)
    await _with_members(w)
    await _at(w, "2Ba", "contracts")
    await w.fill({"supplier": "CleanCo"}, "2Ba")
    await _at(w, "4a", "plan")
    return w


async def test_an_unknown_role_is_refused_and_the_form_comes_back(server):
    w = Walker(server)
    await _at(w, "1b", "members")
    replies = await w.fill({"name": "Piet", "roles": ["hr_expert", "chef_koffie"]}, "1b")
    assert "chef_koffie" in plain(replies[0]["text"]) and "niet tussen de keuzes" in plain(replies[0]["text"])
    assert replies[0]["form"]["id"] == "flow:1b:members"
    field = next(f for f in replies[0]["form"]["fields"] if f["name"] == "name")
    assert field["value"] == "Piet"  # what was typed is kept for the second chance
    assert await server.services.repo("demo").list(Member) == []
    await w.fill({"name": "Piet", "roles": ["hr_expert"]}, "1b")
    assert [m.name for m in await server.services.repo("demo").list(Member)] == ["Piet"]


async def test_the_working_group_needs_a_coordinator_but_skip_is_possible(server):
    w = Walker(server)
    await _at(w, "1b", "members")
    await w.fill({"name": "Piet", "roles": ["hr_expert"], "position": "none"}, "1b")
    assert "geen coördinator" in w.text() and "back-up" in w.text()
    insisted = await w.send("1b", text="klaar")
    assert "geen coördinator" in plain(insisted[0]["text"])
    assert insisted[0]["form"]["id"] == "flow:1b:members"
    await w.send("1c", text="overslaan")
    progress = await w.send("bijlage-1", text="voortgang")
    assert "1b –" in plain(progress[0]["text"])


async def test_a_missing_backup_is_a_warning_not_a_wall(server):
    w = Walker(server)
    await _at(w, "1b", "members")
    await w.fill(MEMBER, "1b")
    moved = await w.nav("next", "1c")
    assert "nog geen back-up" in plain(moved[0]["text"])


async def test_a_deadline_in_the_past_and_an_owner_outside_the_group_are_refused(server):
    w = Walker(server)
    await _with_members(w)
    await _at(w, "1d", "actions")
    owner = w.member_value("Anna")
    past = await w.fill({"title": "Notitie", "owner": owner, "deadline": "2026-11-20"}, "1d")
    assert "verleden" in plain(past[0]["text"]) and past[0]["form"]["id"] == "flow:1d:actions"
    stranger = await w.fill({"title": "Notitie", "owner": "999", "deadline": "2026-12-20"}, "1d")
    assert "staat niet in de werkgroep" in plain(stranger[0]["text"])
    missing = await w.fill({"title": "Notitie", "deadline": "2026-12-20"}, "1d")
    assert "verplicht" in plain(missing[0]["text"])  # SMART: no owner → asked again
    assert await server.services.repo("demo").list(Action) == []
    await w.fill({"title": "Notitie", "owner": owner, "deadline": "23-11-2026"}, "1d")  # today is fine
    [action] = await server.services.repo("demo").list(Action)
    assert action.deadline.isoformat() == "2026-11-23"


async def test_actions_wait_for_members(server):
    w = Walker(server)
    replies = await w.send("1d", choice="flow:start:1d")
    assert replies[0]["form"] is None
    assert "flow:start:1b" in values_of(replies[0])


async def test_a_negative_contract_value_is_refused(server):
    w = Walker(server)
    await _at(w, "2Ba", "contracts")
    replies = await w.fill({"supplier": "CleanCo", "yearly_value": "-5000"}, "2Ba")
    assert "negatief" in plain(replies[0]["text"]) and "Waarde per jaar" in plain(replies[0]["text"])
    ended = await w.fill({"supplier": "CleanCo", "start": "2027-01-01", "end": "2026-01-01"}, "2Ba")
    assert "einddatum" in plain(ended[0]["text"])
    late = await w.fill({"supplier": "CleanCo", "end": "2027-06-01", "extension_decision": "2028-01-01"}, "2Ba")
    assert "vóór de einddatum" in plain(late[0]["text"]) and late[0]["form"]["id"] == "flow:2Ba:contracts"
    assert await server.services.repo("demo").list(Contract) == []
    await w.fill({"supplier": "CleanCo", "yearly_value": "5000"}, "2Ba")
    assert len(await server.services.repo("demo").list(Contract)) == 1


def problem_lines(reply: dict) -> list[str]:
    return [plain(line)[2:] for line in reply["text"].splitlines() if line.startswith("- ")]


async def test_every_problem_of_a_contract_comes_in_one_answer(server):
    w = Walker(server)
    await _at(w, "2Ba", "contracts")
    [reply, *_] = await w.fill({"supplier": "", "yearly_value": "-5000", "start": "2027-01-01", "end": "2026-01-01",
                                "extension_decision": "31-2-2026"}, "2Ba")
    lines = problem_lines(reply)
    assert len(lines) == 4, lines  # one line per field: supplier, value, end, decision
    assert "Leverancier" in lines[0] and "verplicht" in lines[0]
    assert "Waarde per jaar" in lines[1] and "negatief" in lines[1]
    assert "Einddatum" in lines[2] and "vóór de startdatum" in lines[2]
    assert "Besluit over verlenging" in lines[3] and "31-2-2026 bestaat niet" in lines[3]
    late = await w.fill({"supplier": "CleanCo", "yearly_value": "-1", "end": "2027-06-01",
                         "extension_decision": "2028-01-01"}, "2Ba")
    assert [line.split(":")[0] for line in problem_lines(late[0])] == ["Waarde per jaar (€)",
                                                                      "Besluit over verlenging uiterlijk"]
    assert await server.services.repo("demo").list(Contract) == []


async def test_an_owner_outside_the_group_is_one_line_and_comes_with_the_other_problems(server):
    w = Walker(server)
    await _with_members(w)
    await _at(w, "1d", "actions")
    [reply, *_] = await w.fill({"title": "", "owner": "999", "deadline": "2026-12-20"}, "1d")
    lines = problem_lines(reply)
    assert len(lines) == 2, lines
    assert "verplicht" in lines[0] and "staat niet in de werkgroep" in lines[1]
    owner = next(f for f in reply["form"]["fields"] if f["name"] == "owner")
    assert "value" not in owner  # the unknown pick is not offered again; the deadline typed is kept
    assert next(f for f in reply["form"]["fields"] if f["name"] == "deadline")["value"] == "2026-12-20"
    [typed] = await server.say(form={"id": "sched:new", "values": {"title": "Bellen", "owner": "999",
                                                                    "deadline": "1-1-2020"}})
    assert "staat niet in de werkgroep" in typed["text"] and "verleden" in typed["text"]
    assert "verplicht" not in typed["text"]
    assert await server.services.repo("demo").list(Action) == []


async def test_top_three_means_three_at_most(server):
    w = Walker(server)
    await _at(w, "2Ba", "contracts")
    for name in ("A", "B", "C", "D"):
        await w.fill({"supplier": name, "yearly_value": "300000", "category": "cleaning"}, "2Ba")
    await _at(w, "2Ba", "top3")
    all_four = list(w.options("contracts").values())
    assert sorted(w.last[-1]["form"]["fields"][0]["value"]) == sorted(all_four[:3])  # the proposal
    replies = await w.fill({"contracts": all_four}, "2Ba")
    assert "hoogstens 3" in plain(replies[0]["text"])


async def test_a_monitoring_plan_needs_someone_to_report(server):
    w = await _at_plan(server)
    contract = w.options("contract_id")["CleanCo"]
    replies = await w.fill({"contract_id": contract, "frequency": "quarter"}, "4a")
    assert "geen contractmanager" in plain(replies[0]["text"])
    negative = await w.fill({"contract_id": contract, "frequency": "quarter",
                             "reporter_id": w.member_value("Bram", "reporter_id"), "ambition_jobs": "-2"}, "4a")
    assert "negatief" in plain(negative[0]["text"])
    assert await server.services.repo("demo").list(MonitoringPlan) == []
    await w.fill({"contract_id": contract, "frequency": "year", "figures": ["paid_hours"]}, "4a")
    assert await server.services.repo("demo").list(MonitoringPlan) == []


async def test_a_saved_monitoring_plan_counts_the_figures_that_were_picked(server):
    w = await _at_plan(server)
    plan = {"contract_id": w.options("contract_id")["CleanCo"], "frequency": "month",
            "reporter_id": w.member_value("Bram", "reporter_id")}
    three = plain((await w.fill({**plan, "figures": ["target_group", "costs", "evidence"]}, "4a"))[0]["text"])
    assert "verloonde uren en het aantal mensen, plus de 3 soorten cijfers" in three and "5 soort" not in three
    await _at(w, "4a", "plan")
    await w.fill({**plan, "figures": ["costs"]}, "4a")  # a changed plan is confirmed by sending it again
    one = plain((await w.fill({**plan, "figures": ["costs"]}, "4a"))[0]["text"])
    assert "plus de 1 soort cijfers" in one
    await _at(w, "4a", "plan")
    await w.fill({**plan, "figures": []}, "4a")
    none = plain((await w.fill({**plan, "figures": []}, "4a"))[0]["text"])
    assert "het aantal mensen. Eerste periode" in none and "soort" not in none


async def test_an_empty_evaluation_is_not_saved(server):
    w = Walker(server)
    await _at(w, "4b", "evaluate")
    replies = await w.fill({}, "4b")
    assert "minstens één vraag" in plain(replies[0]["text"])
    assert await server.services.repo("demo").list(Evaluation) == []


async def test_the_board_decision_dates(server):
    w = Walker(server)
    await _at(w, "1a", "decision")
    no_date = await w.fill({"status": "planned"}, "1a")
    assert "verplicht" in plain(no_date[0]["text"])
    future = await w.fill({"status": "taken", "date": "2027-01-01"}, "1a")
    assert "toekomst" in plain(future[0]["text"])
    not_yet = await w.fill({"status": "not_yet"}, "1a", "1b")
    assert "Sla het niet over" in plain(not_yet[0]["text"])


async def test_a_board_decision_taken_on_a_date_says_when(server):
    w = Walker(server)
    await _at(w, "1a", "decision")
    taken = await w.fill({"status": "taken", "date": "2026-10-01"}, "1a", "1b")
    assert "Het principebesluit is genomen op 01-10-2026." in plain(taken[0]["text"])
    await _at(w, "1a", "decision")
    taken = await w.fill({"status": "taken"}, "1a", "1b")
    assert "Het principebesluit is genomen. Goed begin!" in plain(taken[0]["text"])


async def test_a_form_of_another_walk_position_still_saves_where_it_belongs(server):
    """A form sent from an older message is handled by its own node, wherever the group is now."""
    w = Walker(server)
    await _at(w, "1b", "members")
    await w.send("2Ba", choice="flow:start:2B")
    replies = await w.send("1b", form={"id": "flow:1b:members", "values": MEMBER})
    assert "Anna de Vries" in plain(replies[0]["text"])


async def test_an_unknown_form_or_button_is_answered_politely(server):
    w = Walker(server)
    replies = await w.send(form={"id": "flow:9z:nothing", "values": {}})
    assert replies[0]["text"]
    replies = await w.send(choice="flow:next:9z:nothing")
    assert "flow:resume" in values_of(replies[0])


async def test_the_2ac_advice_needs_its_figures_and_a_labour_share_of_at_most_100_percent(server):
    w = Walker(server, lang="en")
    await server.say("language en")
    await _at(w, "2Ac", "advice")
    empty = plain((await w.fill({}, "2Ac"))[0]["text"])
    for label in ("Estimated value (€)", "Duration in months", "Share of labour costs (%)"):
        assert f"{label}: this field is required" in empty
    assert "Pick a tender from the calendar" in empty and "Advice for" not in empty
    assert w.form_id() == "flow:2Ac:advice"
    too_much = plain((await w.fill({"estimated_value": "300000", "duration_months": "24", "labour_share": "150"},
                                   "2Ac"))[0]["text"])
    assert "Share of labour costs (%): a percentage between 0 and 100" in too_much and "Advice for" not in too_much
    negative = plain((await w.fill({"estimated_value": "-5", "duration_months": "24", "labour_share": "60"},
                                   "2Ac"))[0]["text"])
    assert "Estimated value (€): a number of 0 or more" in negative
    advice = await w.fill({"estimated_value": "300000", "duration_months": "24", "labour_share": "60"}, "2Ac", "2Ad")
    assert "apply social return" in plain(advice[0]["text"]) and "60 %" in plain(advice[0]["text"])


async def test_a_monitoring_plan_is_changed_only_by_those_who_may_and_after_confirming(server):
    w = await _at_plan(server)
    contract = w.options("contract_id")["CleanCo"]
    bram = w.member_value("Bram", "reporter_id")
    first = {"contract_id": contract, "frequency": "month", "reporter_id": bram, "ambition_jobs": "2"}
    await w.fill(first, "4a")
    repo = server.services.repo("demo")
    [plan] = await repo.list(MonitoringPlan)
    # someone outside the working group is refused
    henk = Walker(server, user="henk")
    await _at(henk, "4a", "plan")
    replies = await henk.fill({**first, "frequency": "quarter", "ambition_jobs": "10"}, "4a")
    assert "Alleen de coördinator" in plain(replies[0]["text"])
    assert (await repo.get(MonitoringPlan, plan.id)).frequency == "month"
    # the coordinator sees the old plan before replacing it
    await _at(w, "4a", "plan")
    change = {**first, "frequency": "quarter", "ambition_jobs": "10"}
    replies = await w.fill(change, "4a")
    text = plain(replies[0]["text"])
    assert "al een monitoringplan" in text and "ambitie 2 banen" in text and "ambitie 10 banen" in text
    assert (await repo.get(MonitoringPlan, plan.id)).frequency == "month"
    await w.fill(change, "4a")
    assert ((p := await repo.get(MonitoringPlan, plan.id)).frequency, p.ambition_jobs) == ("quarter", 10)
