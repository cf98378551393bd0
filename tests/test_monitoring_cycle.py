"""The whole monitoring cycle through the local API and `app.py tick`: prompt at the period end, answer from
the notification, reminders after 7 and 14 days sent once, "no change", the digest's monitoring lines."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.records import Contract, Member, MonitoringPlan
from monitoring.records import MonitoringReport
from tests.conftest import run_app


def tick(server, now: str):
    result = run_app("tick", "--now", now, "--json", data_dir=server.services.config.data_dir)
    assert result.returncode == 0, result.stderr
    return [(o["key"], o["status"]) for o in json.loads(result.stdout)["notifications"]]


async def set_up(server) -> int:
    """Anna (u1) manages the cleaning contract and reports quarterly from Q4 2026; Cor (u9) coordinates."""
    repo = server.services.repo(server.org)
    anna = await repo.add(Member(name="Anna de Vries", user_id="u1", channel="local", roles=["contract_manager"]))
    await repo.add(Member(name="Cor Visser", user_id="u9", channel="local", position="coordinator"))
    contract = await repo.add(Contract(name="Schoonmaak", supplier="Schoon BV", contract_manager_id=anna.id))
    [reply] = await server.say("monitoring instellen voor schoonmaak")
    reporter = next(f for f in reply["form"]["fields"] if f["name"] == "reporter")
    assert reporter["value"] == str(anna.id)  # the contract manager by default
    [saved] = await server.say(form={"id": reply["form"]["id"], "values": {
        "frequency": "quarter", "reporter": str(anna.id), "ambition_jobs": "4", "start_period": "2026-10-01",
        "figures": ["target_group", "evidence"]}})
    assert "1 januari 2027" in saved["text"]
    plan = await repo.find(MonitoringPlan, contract_id=contract.id)
    assert plan is not None
    return plan.id


async def use_group_channel(server) -> None:
    replies = await server.say("gebruik dit kanaal voor de werkgroep", conversation="wg", group=True, user="u9",
                               name="Cor Visser")
    assert "kanaal van de werkgroep" in replies[0]["text"]


def monitoring_keys(outcomes) -> list[tuple[str, str]]:
    return [o for o in outcomes if o[0].startswith("monitor")]


async def test_prompt_reminders_and_the_coordinator_each_once_then_the_answer_stops_them(server, clock):
    plan = await set_up(server)
    assert monitoring_keys(tick(server, "2027-01-01T08:59+01:00")) == []
    assert monitoring_keys(tick(server, "2027-01-01T09:00+01:00")) == [(f"monitor:{plan}:2026-10-01", "sent")]
    assert monitoring_keys(tick(server, "2027-01-01T09:05+01:00")) == []

    [prompt] = [n for n in await server.notifications(user="u1") if n["key"].startswith("monitor")]
    assert prompt["to"] == "user" and "Q4 2026" in prompt["text"] and prompt["section"] == "4a"
    form = prompt["form"]
    assert form["id"] == f"mon:report:{plan}" and form["fields"][0]["value"] == "2026-10-01"
    assert [f["name"] for f in form["fields"]] == ["period", "hours", "people", "in_register", "placements",
                                                   "training_places", "evidence", "remarks"]
    assert [c["value"] for c in prompt["choices"]] == [f"mon:later:{plan}:2026-10-01"]

    assert monitoring_keys(tick(server, "2027-01-08T08:59+01:00")) == []
    assert monitoring_keys(tick(server, "2027-01-08T09:00+01:00")) == [(f"monitor-remind:{plan}:2026-10-01", "sent")]
    assert monitoring_keys(tick(server, "2027-01-12T09:00+01:00")) == []
    assert monitoring_keys(tick(server, "2027-01-15T09:00+01:00")) == \
        [(f"monitor-escalate:{plan}:2026-10-01", "sent")]
    assert monitoring_keys(tick(server, "2027-01-16T09:00+01:00")) == []

    anna = [n["key"] for n in await server.notifications(user="u1") if n["key"].startswith("monitor")]
    assert anna == [f"monitor:{plan}:2026-10-01", f"monitor-remind:{plan}:2026-10-01"]
    [told] = [n for n in await server.notifications(user="u9") if n["key"].startswith("monitor")]
    assert "Anna de Vries" in told["text"] and "Q4 2026" in told["text"]
    assert told["choices"][0]["value"].startswith("mon:results:")

    # Anna answers the prompt's form; the results now show the figures and a chart
    clock.set(datetime(2027, 1, 17, 10, 0, tzinfo=UTC))
    values = {"period": "2026-10-01", "hours": "1300", "people": "4", "in_register": "4", "placements": "1",
              "training_places": "1", "evidence": "employment_contract", "remarks": ""}
    [saved] = await server.say(form={"id": form["id"], "values": values})
    assert "opgeslagen" in saved["text"] and "3,9 banen" in saved["text"]  # 1300 / (25.5 × 92/7)
    [results] = await server.say(choice=saved["choices"][0]["value"])
    assert "Q4 2026: 1.300 uur" in results["text"]
    assert [a["media_type"] for a in results["attachments"]] == ["image/png", "text/csv"]
    # the next quarter's prompt comes at its own end, not before
    assert monitoring_keys(tick(server, "2027-03-31T09:00+02:00")) == []
    assert monitoring_keys(tick(server, "2027-04-01T09:00+02:00")) == [(f"monitor:{plan}:2027-01-01", "sent")]


async def test_no_change_from_the_prompt_and_no_reminder_after_it(server, clock):
    plan = await set_up(server)
    repo = server.services.repo(server.org)
    clock.set(datetime(2027, 1, 2, 10, 0, tzinfo=UTC))
    figures = {"period": "2026-10-01", "hours": "1200", "people": "5", "in_register": "3", "placements": "2",
               "training_places": "0", "evidence": "payroll"}
    await server.say(form={"id": f"mon:report:{plan}", "values": figures})
    assert monitoring_keys(tick(server, "2027-04-01T09:00+02:00")) == [(f"monitor:{plan}:2027-01-01", "sent")]
    prompt = next(n for n in await server.notifications(user="u1") if n["key"] == f"monitor:{plan}:2027-01-01")
    assert prompt["choices"][0]["value"] == f"mon:same:{plan}:2027-01-01"

    clock.set(datetime(2027, 4, 2, 10, 0, tzinfo=UTC))
    [confirm] = await server.say(choice=prompt["choices"][0]["value"])
    assert "Q4 2026" in confirm["text"] and "1.200 uur" in confirm["text"]
    assert len(await repo.list(MonitoringReport)) == 1  # nothing copied before the confirmation
    [saved] = await server.say(choice=confirm["choices"][0]["value"])
    assert "Q1 2027" in saved["text"]
    copied = await repo.find(MonitoringReport, plan_id=plan, period_start="2027-01-01")
    assert copied is not None and (copied.hours, copied.people, copied.placements) == (1200, 5, 0)
    assert monitoring_keys(tick(server, "2027-04-08T09:00+02:00")) == []
    assert monitoring_keys(tick(server, "2027-04-15T09:00+02:00")) == []


async def test_remind_me_later_from_the_prompt(server, clock):
    plan = await set_up(server)
    tick(server, "2027-01-01T09:00+01:00")
    clock.set(datetime(2027, 1, 1, 9, 30, tzinfo=UTC))
    [ok] = await server.say(choice=f"mon:later:{plan}:2026-10-01")
    assert "4 januari 2027" in ok["text"]
    assert monitoring_keys(tick(server, "2027-01-04T08:59+01:00")) == []
    assert monitoring_keys(tick(server, "2027-01-04T09:00+01:00")) == \
        [(f"monitor-later:{plan}:2026-10-01:2027-01-04T09:00", "sent")]
    assert monitoring_keys(tick(server, "2027-01-05T09:00+01:00")) == []


async def test_the_weekly_digest_has_the_monitoring_lines(server, clock):
    plan = await set_up(server)
    await use_group_channel(server)
    clock.set(datetime(2027, 1, 2, 10, 0, tzinfo=UTC))
    await server.say(form={"id": f"mon:report:{plan}", "values": {
        "period": "2026-10-01", "hours": "1300", "people": "4", "in_register": "4", "placements": "1",
        "training_places": "0", "evidence": "payroll"}})
    outcomes = tick(server, "2027-01-04T09:00+01:00")  # Monday: the digest
    assert ("digest:demo:2027-W01", "sent") in outcomes
    digest = next(n for n in await server.notifications(user="u1") if n["key"] == "digest:demo:2027-W01")
    assert "**Monitoring**" in digest["text"]
    assert "Schoonmaak: 3,9 banen in Q4 2026 (ambitie 4,0)" in digest["text"]
    # "digest nu" shows the same lines, in English when asked in English
    await server.say("english please", user="u9", name="Cor Visser")
    [now] = await server.say("digest now", user="u9", name="Cor Visser")
    assert "Schoonmaak: 3.9 jobs in Q4 2026 (ambition 4.0)" in now["text"]


async def test_the_digest_says_when_the_reporter_cannot_be_reached(server, clock):
    """A reporter added by name only (never talked to the bot) gets no prompt; the working group hears why."""
    repo = server.services.repo(server.org)
    await repo.add(Member(name="Cor Visser", user_id="u9", channel="local", position="coordinator"))
    dirk = await repo.add(Member(name="Dirk Bos", roles=["contract_manager"]))
    contract = await repo.add(Contract(name="Catering", supplier="Eet BV", contract_manager_id=dirk.id))
    await repo.add(MonitoringPlan(contract_id=contract.id, frequency="quarter", reporter_id=dirk.id,
                                  start_period=datetime(2026, 10, 1).date()))
    await use_group_channel(server)
    outcomes = tick(server, "2027-01-04T09:00+01:00")
    assert monitoring_keys(outcomes) == []  # nobody to send the prompt to
    digest = next(n for n in await server.notifications(user="u9") if n["key"] == "digest:demo:2027-W01")
    assert "Voor Catering kan ik Dirk Bos niet om cijfers vragen" in digest["text"]


async def test_the_digest_and_the_results_name_the_same_missing_periods(server, clock):
    repo = server.services.repo(server.org)
    await repo.add(Member(name="Cor Visser", user_id="u9", channel="local", position="coordinator"))
    anna = await repo.add(Member(name="Anna de Vries", user_id="u1", channel="local", roles=["contract_manager"]))
    contract = await repo.add(Contract(name="Schoonmaak", supplier="Schoon BV", contract_manager_id=anna.id))
    await repo.add(MonitoringPlan(contract_id=contract.id, frequency="month", reporter_id=anna.id,
                                  start_period=datetime(2026, 8, 1).date()))
    await use_group_channel(server)
    clock.set(datetime(2027, 1, 4, 9, 0, tzinfo=UTC))  # August to December ended, none reported
    missing = "oktober 2026, november 2026, december 2026 (en nog 2 eerdere periodes)"
    [digest] = await server.say("digest nu", user="u9", name="Cor Visser")
    assert f"{missing} nog niet doorgegeven" in digest["text"]
    [results, *_] = await server.say("resultaten schoonmaak", user="u9", name="Cor Visser")
    assert f"Nog niet doorgegeven: {missing}." in results["text"]


async def test_yearly_evaluation_reaches_the_working_group(server, clock):
    await set_up(server)
    await use_group_channel(server)
    outcomes = tick(server, "2027-10-01T09:00+02:00")
    evaluation = [o for o in outcomes if o[0].startswith("monitor-eval")]
    assert len(evaluation) == 1 and evaluation[0][1] == "sent"
    group = next(n for n in await server.notifications(user="u2") if n["key"].startswith("monitor-eval"))
    assert group["to"] == "group" and group["section"] == "4b"
    [form] = await server.say(choice=group["choices"][0]["value"], user="u9", name="Cor Visser")
    assert form["form"]["id"].startswith("mon:eval:")
