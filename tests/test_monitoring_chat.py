"""The monitoring feature through the local API: plan, figures, validation, "no change", results, evaluation."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

from PIL import Image

from bot.records import Contract, Evaluation, Member, MonitoringPlan
from monitoring.chart import HEIGHT, WIDTH
from monitoring.records import MonitoringReport, PromptState

FIGURES = {"period": "2026-07-01", "hours": "1340", "people": "5", "in_register": "3", "placements": "1",
           "training_places": "0", "evidence": "payroll", "costs": "", "remarks": "Loopt goed."}


async def add_contract(server, **fields) -> Contract:
    repo = server.services.repo(server.org)
    return await repo.add(Contract(**{"name": "Schoonmaak kantoren", "supplier": "Schoon BV", **fields}))


async def set_up(server, **values) -> tuple[Contract, int]:
    contract = await add_contract(server)
    [reply] = await server.say("monitoring instellen voor schoonmaak")
    form = reply["form"]
    assert form["id"] == f"mon:plan:{contract.id}"
    assert {f["name"] for f in form["fields"]} >= {"frequency", "reporter", "ambition_jobs", "start_period"}
    body = {"frequency": "quarter", "reporter": "me", "ambition_jobs": "5", "start_period": "2026-07-01",
            "figures": ["target_group", "evidence", "costs"], **values}
    [saved] = await server.say(form={"id": form["id"], "values": body})
    plan = await server.services.repo(server.org).find(MonitoringPlan, contract_id=contract.id)
    assert plan is not None, saved
    return contract, plan.id


async def reports(server) -> list[MonitoringReport]:
    return await server.services.repo(server.org).list(MonitoringReport)


async def test_set_up_monitoring_and_report_the_first_figures(server):
    contract, plan_id = await set_up(server)
    repo = server.services.repo(server.org)
    me = await repo.find(Member, user_id=server.user)
    assert me is not None and (await repo.get(MonitoringPlan, plan_id)).reporter_id == me.id
    # today is 23 November 2026: Q3 is over, Q4 is asked for on 1 January
    [reply] = await server.say(choice=f"mon:report:{plan_id}")
    assert reply["form"]["id"] == f"mon:report:{plan_id}"
    period = reply["form"]["fields"][0]
    assert period["value"] == "2026-07-01" and [o["label"] for o in period["options"]] == ["Q3 2026"]
    [saved] = await server.say(form={"id": f"mon:report:{plan_id}", "values": FIGURES})
    assert "opgeslagen" in saved["text"] and "1.340 uur" in saved["text"] and "4,0 banen" in saved["text"]
    [stored] = await reports(server)
    assert (stored.hours, stored.people, stored.in_register, stored.evidence) == (1340, 5, 3, "payroll")
    assert stored.submitted_by == server.user and stored.contract_id == contract.id


async def test_nothing_is_stored_until_the_figures_are_valid(server):
    _, plan_id = await set_up(server)
    form_id = f"mon:report:{plan_id}"
    [too_many] = await server.say(form={"id": form_id, "values": {**FIGURES, "hours": "20000"}})
    assert "hoogstens 11.040 uur" in too_many["text"] and too_many["form"]["id"] == form_id
    # what the user typed comes back in the form
    assert next(f for f in too_many["form"]["fields"] if f["name"] == "hours")["value"] == "20000"
    [avg] = await server.say(form={"id": form_id, "values": {**FIGURES, "remarks": "Nieuwe kracht, BSN 111222333"}})
    assert "burgerservicenummer" in avg["text"] and "AVG" in avg["text"]
    [other_number] = await server.say(form={"id": form_id, "values": {**FIGURES, "remarks": "PO 123456789"}})
    assert "opgeslagen" in other_number["text"]
    [stored] = await reports(server)
    assert stored.remarks == "PO 123456789"


def problem_lines(reply: dict) -> list[str]:
    """The listed problems of a refused form, one per line."""
    return [line for line in reply["text"].splitlines() if line.startswith("- ")]


async def test_every_problem_of_the_figures_comes_in_one_answer(server):
    _, plan_id = await set_up(server)
    wrong = {**FIGURES, "hours": "-1", "people": "2.5", "in_register": "abc", "placements": "",
             "remarks": "Nieuwe kracht, BSN 111222333"}
    [reply] = await server.say(form={"id": f"mon:report:{plan_id}", "values": wrong})
    lines = problem_lines(reply)
    assert len(lines) == 5, lines  # hours, people, in the register, placements (required), remarks
    assert "Verloonde uren" in lines[0] and "negatief" in lines[0]
    assert "Aantal mensen" in lines[1] and "heel getal" in lines[1]
    assert "doelgroepregister" in lines[2] and "getal" in lines[2]
    assert "Nieuwe plaatsingen" in lines[3] and "verplicht" in lines[3]
    assert "burgerservicenummer" in lines[4]
    assert await reports(server) == []


async def test_hours_are_whole_and_remarks_hold_no_names(server):
    _, plan_id = await set_up(server)
    form_id = f"mon:report:{plan_id}"
    [start] = await server.say(choice=form_id)
    hours = next(f for f in start["form"]["fields"] if f["name"] == "hours")
    assert "hele uren" in hours["hint"]
    [decimal] = await server.say(form={"id": form_id, "values": {**FIGURES, "hours": "100,5"}})
    [line] = problem_lines(decimal)
    assert "Verloonde uren" in line and "vul hele uren in" in line and "100 in plaats van 100,5" in line
    for remark in ("Jan de Vries (geb 1985) is gestart", "Jan de Vries (1985) is gestart",
                   "De heer Jansen werkt er nu", "Mw. Bakker begon in maart"):
        [named] = await server.say(form={"id": form_id, "values": {**FIGURES, "remarks": remark}})
        assert "AVG" in named["text"] and named["form"]["id"] == form_id, remark
    assert await reports(server) == []
    for remark in ("Twee plaatsingen via het WSP", "Start in januari bij Groen BV",
                   "Samenwerking met Werkbedrijf Utrecht sinds 2019 loopt goed"):
        [saved] = await server.say(form={"id": form_id, "values": {**FIGURES, "remarks": remark}})
        assert "opgeslagen" in saved["text"] or "Bijgewerkt" in saved["text"], (remark, saved["text"])
    [stored] = await reports(server)
    assert stored.hours == 1340 and stored.remarks == "Samenwerking met Werkbedrijf Utrecht sinds 2019 loopt goed"
    await server.say("english please")
    [english] = await server.say(form={"id": form_id, "values": {**FIGURES, "hours": "100.5",
                                                                 "remarks": "Mrs Smith started"}})
    assert "whole hours" in english["text"] and "a person's name" in english["text"]


async def test_a_remark_with_a_plainly_written_name_is_refused_and_nothing_is_stored(server):
    _, plan_id = await set_up(server)
    form_id = f"mon:report:{plan_id}"
    for remark, name in (("Jan de Vries is gestart", "Jan de Vries"), ("J. de Vries werkt nu 20 uur", "J. de Vries"),
                         ("Fatima El Amrani is in dienst", "Fatima El Amrani")):
        [named] = await server.say(form={"id": form_id, "values": {**FIGURES, "remarks": remark}})
        [line] = problem_lines(named)
        assert line.startswith(f'- Opmerkingen: "{name}" lijkt de naam van een persoon'), line
        assert "AVG" in line and named["form"]["id"] == form_id
        # what the user typed comes back, to take the name out
        assert next(f for f in named["form"]["fields"] if f["name"] == "remarks")["value"] == remark
    assert await reports(server) == []
    [saved] = await server.say(form={"id": form_id, "values": {
        **FIGURES, "remarks": "De Vries Schoonmaak B.V. zette twee mensen uit het WSP in; Mark van HR is tevreden"}})
    assert "opgeslagen" in saved["text"], saved["text"]
    [stored] = await reports(server)
    assert stored.remarks.startswith("De Vries Schoonmaak B.V.")


async def test_many_hours_per_person_need_a_confirmation(server):
    _, plan_id = await set_up(server)
    [warning] = await server.say(form={"id": f"mon:report:{plan_id}", "values": {**FIGURES, "hours": "3000"}})
    assert "45,7 uur per week" in warning["text"]
    assert [c["value"] for c in warning["choices"]] == ["mon:confirm", "mon:correct"]
    assert await reports(server) == []
    [again] = await server.say(choice="mon:correct")
    assert next(f for f in again["form"]["fields"] if f["name"] == "hours")["value"] == "3000"
    await server.say(form={"id": f"mon:report:{plan_id}", "values": {**FIGURES, "hours": "3000"}})
    [saved] = await server.say(choice="mon:confirm")
    assert "opgeslagen" in saved["text"]
    assert [r.hours for r in await reports(server)] == [3000]
    [expired] = await server.say(choice="mon:confirm")
    assert "niet meer" in expired["text"]


async def test_results_with_chart_and_csv_that_add_up(server, clock):
    contract, plan_id = await set_up(server)
    await server.say(form={"id": f"mon:report:{plan_id}", "values": FIGURES})
    clock.set(datetime(2027, 1, 4, 9, 0, tzinfo=UTC))
    await server.say(form={"id": f"mon:report:{plan_id}",
                           "values": {**FIGURES, "period": "2026-10-01", "hours": "1.200", "placements": "2"}})
    [reply] = await server.say("resultaten schoonmaak")
    text = reply["text"]
    assert "Q3 2026" in text and "Q4 2026" in text and reply["section"] == "4a"
    total = re.search(r"Totaal\*\*: ([\d.,]+) uur", text)
    assert total is not None
    shown = float(total.group(1).replace(".", "").replace(",", "."))
    assert shown == 2540
    assert "nieuwe plaatsingen: 3" in text and "Ambitie: 5,0 banen" in text
    assert "betaalde uren ÷ 25,5 uur per week" in text and "doelgroepregister" in text  # what a 'baan' is
    png, table = reply["attachments"]
    assert png["media_type"] == "image/png" and table["media_type"] == "text/csv"
    async with server.session.get(server.url + png["url"]) as resp:
        assert resp.status == 200
        with Image.open(io.BytesIO(await resp.read())) as image:
            assert image.format == "PNG" and image.size == (WIDTH, HEIGHT)
    async with server.session.get(server.url + table["url"]) as resp:
        rows = list(csv.DictReader(io.StringIO((await resp.read()).decode("utf-8-sig")), delimiter=";"))
    assert sum(float(r["uren"].replace(",", ".")) for r in rows) == shown
    assert sum(int(r["nieuwe plaatsingen"]) for r in rows) == 3
    # the organisation's overview
    [overview] = await server.say("monitoring")
    assert "Schoonmaak kantoren" in overview["text"] and len(overview["attachments"]) == 2
    assert "Banen per kwartaal: Q3 2026: 4,0 · Q4 2026: 3,6" in overview["text"]
    assert "alleen de uren van mensen uit het doelgroepregister" in overview["text"]
    assert f"mon:results:{contract.id}" in [c["value"] for c in overview["choices"]]


async def test_no_change_copies_the_last_figures_after_confirmation(server, clock):
    _, plan_id = await set_up(server)
    await server.say(form={"id": f"mon:report:{plan_id}", "values": FIGURES})
    clock.set(datetime(2027, 1, 1, 12, 0, tzinfo=UTC))
    [prompt] = await server.say("cijfers schoonmaak")
    assert prompt["form"]["fields"][0]["value"] == "2026-10-01"
    same = f"mon:same:{plan_id}:2026-10-01"
    assert same in [c["value"] for c in prompt["choices"]]
    [confirm] = await server.say(choice=same)
    assert "Q3 2026" in confirm["text"] and "Q4 2026" in confirm["text"] and "1.340 uur" in confirm["text"]
    assert "Nieuwe plaatsingen worden 0" in confirm["text"]
    assert len(await reports(server)) == 1
    [saved] = await server.say(choice=confirm["choices"][0]["value"])
    assert "opgeslagen" in saved["text"]
    copy = next(r for r in await reports(server) if r.period_start == date(2026, 10, 1))
    assert (copy.hours, copy.people, copy.copied_from, copy.remarks) == (1340, 5, date(2026, 7, 1), "")
    # what carries over (the standing situation) is copied; the period's flows are not
    assert (copy.in_register, copy.training_places) == (3, 0)
    assert (copy.placements, copy.costs, copy.evidence) == (0, None, None)
    [results] = await server.say("resultaten schoonmaak")
    assert "nieuwe plaatsingen: 1" in results["text"]


async def test_remind_me_later(server):
    _, plan_id = await set_up(server)
    [reply] = await server.say(choice=f"mon:later:{plan_id}:2026-07-01")
    assert "26 november 2026" in reply["text"]
    [state] = await server.services.repo(server.org).list(PromptState)
    assert state.snoozed_until == datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    # a period that has not ended cannot be snoozed or copied
    [refused] = await server.say(choice=f"mon:later:{plan_id}:2026-10-01")
    assert "bestaat niet" in refused["text"]


async def test_only_the_one_asked_or_the_coordinator_puts_the_request_off(server):
    _, plan_id = await set_up(server)
    repo = server.services.repo(server.org)
    await repo.add(Member(name="Cor Coördinator", user_id="boss", channel="local", position="coordinator"))
    await repo.add(Member(name="Bert Jansen", user_id="u2", channel="local"))
    for user, name in (("u2", "Bert Jansen"), ("olaf", "Olaf")):
        [refused] = await server.say(choice=f"mon:later:{plan_id}:2026-07-01", user=user, name=name)
        assert "is voor Anna de Vries" in refused["text"] and "opnieuw" not in refused["text"]
    assert await repo.list(PromptState) == []
    [boss] = await server.say(choice=f"mon:later:{plan_id}:2026-07-01", user="boss", name="Cor")
    assert "ik vraag het Anna de Vries opnieuw op 26 november 2026" in boss["text"]
    [state] = await repo.list(PromptState)
    assert state.snoozed_until == datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


async def test_only_the_reporter_or_the_coordinator_submits(server):
    _, plan_id = await set_up(server)
    repo = server.services.repo(server.org)
    await repo.add(Member(name="Cor Coördinator", user_id="boss", channel="local", position="coordinator"))
    [refused] = await server.say(form={"id": f"mon:report:{plan_id}", "values": FIGURES}, user="someone",
                                 name="Iemand Anders")
    assert "Anna de Vries" in refused["text"]
    [ok] = await server.say(form={"id": f"mon:report:{plan_id}", "values": FIGURES}, user="boss", name="Cor")
    assert "opgeslagen" in ok["text"]


async def test_english(server):
    await add_contract(server)
    await server.say("english please")
    [reply] = await server.say("set up monitoring for schoonmaak")
    assert reply["form"]["title"] == "Set up monitoring"
    [saved] = await server.say(form={"id": reply["form"]["id"], "values": {
        "frequency": "month", "reporter": "me", "start_period": "2026-10-01"}})
    assert "every month" in saved["text"] and "1 December 2026" in saved["text"]


async def test_unknown_contracts_and_questions_that_are_not_commands(server):
    [none] = await server.say("monitoring instellen voor groenonderhoud")
    assert "nog geen contracten" in none["text"]
    [empty] = await server.say("monitoring")
    assert [c["value"] for c in empty["choices"]] == ["flow:start:2B", "flow:start:4a"]
    [step] = await server.say(choice="flow:start:4a")
    assert step["section"] == "4a"  # the walk-through takes the button
    await add_contract(server)
    [unknown] = await server.say("monitoring instellen voor groenonderhoud")
    assert "groenonderhoud" in unknown["text"] and unknown["choices"][0]["value"].startswith("mon:setup:")
    [no_plan] = await server.say("resultaten schoonmaak")
    assert "nog geen monitoring" in no_plan["text"]
    # "resultaten delen" names no contract: the monitoring feature leaves it to others
    replies = await server.say("resultaten delen")
    assert all(not r["choices"] or not r["choices"][0]["value"].startswith("mon:") for r in replies)


async def test_evaluation_is_saved_without_personal_data_and_shown_with_the_results(server):
    contract, _ = await set_up(server)
    [form] = await server.say(choice=f"mon:eval:{contract.id}")
    assert form["section"] == "4b" and form["form"]["id"] == f"mon:eval:{contract.id}"
    [refused] = await server.say(form={"id": form["form"]["id"], "values": {"impact": "Bel Piet: 06-12345678"}})
    assert "telefoonnummer" in refused["text"]
    # the refusal names the question by its short name, not the whole question
    assert "- Impact: daar staat een telefoonnummer in" in refused["text"] and "Denk aan banen" not in refused["text"]
    [empty] = await server.say(form={"id": form["form"]["id"], "values": {}})
    assert "ten minste één" in empty["text"]
    [saved] = await server.say(form={"id": form["form"]["id"], "values": {
        "impact": "Vijf mensen aan het werk, twee met een vast contract.", "next_tender": "Eerder beginnen."}})
    assert saved["section"] == "4b"
    [evaluation] = await server.services.repo(server.org).list(Evaluation)
    assert evaluation.contract_id == contract.id and evaluation.date == date(2026, 11, 23)
    [results] = await server.say(choice=f"mon:results:{contract.id}")
    assert "Vijf mensen aan het werk" in results["text"]


async def test_an_evaluation_answer_that_names_a_person_is_refused(server):
    contract, _ = await set_up(server)
    form_id = f"mon:eval:{contract.id}"
    await server.say(choice=form_id)
    [refused] = await server.say(form={"id": form_id, "values": {
        "impact": "Mohammed Yilmaz heeft nu een vast contract", "share": "Op de nieuwjaarsborrel"}})
    [line] = problem_lines(refused)
    assert line.startswith('- Impact: "Mohammed Yilmaz" lijkt de naam van een persoon'), line
    assert refused["form"]["id"] == form_id
    assert await server.services.repo(server.org).list(Evaluation) == []
    await server.say("english please")
    [english] = await server.say(form={"id": form_id, "values": {"share": "A cake for A.B. Jansen"}})
    assert '- Sharing: "A.B. Jansen" looks like a person\'s name' in english["text"]
    [saved] = await server.say(form={"id": form_id, "values": {
        "impact": "Een deelnemer heeft nu een vast contract", "share": "Op de nieuwjaarsborrel"}})
    assert saved["section"] == "4b"
    [evaluation] = await server.services.repo(server.org).list(Evaluation)
    assert evaluation.answers["impact"] == "Een deelnemer heeft nu een vast contract"


async def test_stop_monitoring(server):
    _, plan_id = await set_up(server)
    [stopped] = await server.say("monitoring stoppen voor schoonmaak")
    assert "gestopt" in stopped["text"]
    assert (await server.services.repo(server.org).get(MonitoringPlan, plan_id)).active is False


async def test_overview_shows_my_contracts_and_the_next_prompt(server):
    _, plan_id = await set_up(server)
    replies = await server.say("overzicht")
    mine = next(r for r in replies if "Jouw monitoring" in r["text"])
    assert "Schoonmaak kantoren" in mine["text"] and "1 januari 2027" in mine["text"]
    assert "Q3 2026" in mine["text"]  # still to report
    assert f"mon:report:{plan_id}" in [c["value"] for c in mine["choices"]]
    # someone who reports nothing sees no monitoring block
    others = await server.say("overzicht", user="u2", name="Bob")
    assert not any("Jouw monitoring" in r["text"] for r in others)


async def test_stale_or_forged_buttons_get_a_clear_answer(server):
    _, plan_id = await set_up(server)
    for value in ("mon:report:999", "mon:results:999", f"mon:same:{plan_id}:2026-07-02", "mon:nonsense",
                  f"mon:same-ok:{plan_id}:not-a-date", "mon:eval:999"):
        [reply] = await server.say(choice=value)
        assert "bestaat niet" in reply["text"], value
    [reply] = await server.say(form={"id": "mon:report:abc", "values": {"hours": 1}})
    assert "bestaat niet" in reply["text"]
    assert await reports(server) == []


async def test_only_the_coordinator_or_the_contract_manager_changes_a_plan_and_a_change_is_confirmed(server):
    contract, plan_id = await set_up(server)  # by u1, before anyone coordinates
    repo = server.services.repo(server.org)
    await repo.add(Member(name="Cor Coördinator", user_id="boss", channel="local", position="coordinator"))
    carla = await repo.add(Member(name="Carla Manager", user_id="carla", channel="local", roles=["contract_manager"]))
    contract.contract_manager_id = carla.id
    await repo.update(contract)
    change = {"frequency": "month", "reporter": str(carla.id), "ambition_jobs": "10",
              "start_period": "2026-07-01", "figures": ["target_group"]}
    form = {"id": f"mon:plan:{contract.id}", "values": change}
    # an outsider neither opens nor sends the plan form
    [shown] = await server.say("monitoring instellen voor schoonmaak", user="olaf", name="Olaf")
    assert shown["form"] is None and "Cor Coördinator" in shown["text"] and "Carla Manager" in shown["text"]
    [refused] = await server.say(form=form, user="olaf", name="Olaf")
    assert "Alleen de coördinator" in refused["text"]
    plan = await repo.get(MonitoringPlan, plan_id)
    assert (plan.frequency, plan.ambition_jobs) == ("quarter", 5)
    # the contract manager may, but first sees the old plan and confirms by sending again
    [ask] = await server.say(form=form, user="carla", name="Carla Manager")
    assert "elk kwartaal" in ask["text"] and "ambitie 5 banen" in ask["text"]
    assert "elke maand" in ask["text"] and "ambitie 10 banen" in ask["text"]
    assert ask["form"]["id"] == f"mon:plan:{contract.id}"
    assert (await repo.get(MonitoringPlan, plan_id)).frequency == "quarter"
    [saved] = await server.say(form=form, user="carla", name="Carla Manager")
    assert "elke maand" in saved["text"]
    plan = await repo.get(MonitoringPlan, plan_id)
    assert (plan.frequency, plan.ambition_jobs, plan.reporter_id) == ("month", 10, carla.id)
    # sending the plan unchanged needs no confirmation
    [again] = await server.say(form=form, user="boss", name="Cor")
    assert "Monitoring van" in again["text"] and "elke maand" in again["text"]


async def test_one_person_is_singular_and_no_first_request_after_one_was_sent(server):
    _, plan_id = await set_up(server)
    # Q3 2026 has ended (today is 23 November): its request went out, so it is not "the first request" to come
    [results] = await server.say("resultaten schoonmaak")
    assert "De eerste vraag" not in results["text"] and "Q3 2026" in results["text"]
    assert "1 januari 2027" in results["text"]
    one = {**FIGURES, "hours": "100", "people": "1", "in_register": "1", "placements": "0"}
    [saved] = await server.say(form={"id": f"mon:report:{plan_id}", "values": one})
    assert "1 mens" in saved["text"] and "1 mensen" not in saved["text"]
    await server.say("english please")
    [english] = await server.say("results schoonmaak")
    assert "1 person" in english["text"] and "1 people" not in english["text"]
