"""What the monitoring cycle has due: a pure function of (now, records, sent log), each key once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.records import Contract, Member, MonitoringPlan, Organisation
from monitoring.due import Snapshot, due
from monitoring.records import MonitoringReport, PromptState

ORG = "demo"


def snapshot(**changes) -> Snapshot:
    org = Organisation(org_id=ORG, language="nl", timezone="Europe/Amsterdam",
                       group_conversation={"channel": "local", "conversation_id": "werkgroep"})
    reporter = Member(id=1, name="Anna de Vries", user_id="u1", channel="local", roles=["contract_manager"])
    boss = Member(id=2, name="Bram Coördinator", user_id="u9", channel="local", position="coordinator")
    contract = Contract(id=4, name="Schoonmaak", supplier="Schoon BV", contract_manager_id=1,
                        end=changes.pop("end", date(2029, 12, 31)))
    plan = MonitoringPlan(id=3, contract_id=4, frequency=changes.pop("frequency", "quarter"), reporter_id=1,
                          start_period=changes.pop("start", date(2026, 7, 1)), active=changes.pop("active", True))
    snap = Snapshot(org=org, plans=[plan], contracts={4: contract}, members={1: reporter, 2: boss})
    for name, value in changes.items():
        setattr(snap, name, value)
    return snap


def keys(now: datetime, snap: Snapshot | None = None, sent: dict[str, datetime] | None = None) -> list[str]:
    return [n.key for n in due(now, snap or snapshot(), sent or {})]


# Q4 2026 ends on Thursday 31 December; 09:00 in Amsterdam on 1 January is 08:00 UTC (winter time).
PROMPT = datetime(2027, 1, 1, 8, 0, tzinfo=UTC)


def test_the_prompt_comes_at_nine_local_time_the_day_after_the_period():
    assert keys(PROMPT - timedelta(minutes=1)) == ["monitor:3:2026-07-01"]  # Q3 is the latest ended period
    assert keys(PROMPT) == ["monitor:3:2026-10-01"]
    [notice] = due(PROMPT, snapshot(), {})
    assert notice.target.user_id == "u1" and notice.target.to == "user" and notice.target.channel == "local"
    reply = notice.replies[0]
    assert "Q4 2026" in reply.text and reply.section == "4a"
    assert reply.form is not None and reply.form.id == "mon:report:3"
    assert reply.form.fields[0].value == "2026-10-01"
    assert [c.value for c in reply.choices] == ["mon:later:3:2026-10-01"]  # nothing to copy yet


def test_summer_time_prompt_is_still_at_nine_local():
    # Q2 2027 ends 30 June; 09:00 CEST on 1 July is 07:00 UTC
    snap = snapshot(start=date(2027, 4, 1))
    assert keys(datetime(2027, 7, 1, 6, 59, tzinfo=UTC), snap) == []
    assert keys(datetime(2027, 7, 1, 7, 0, tzinfo=UTC), snap) == ["monitor:3:2027-04-01"]


def test_reminder_after_seven_days_and_the_coordinator_after_fourteen_each_once():
    sent = {"monitor:3:2026-10-01": PROMPT}
    assert keys(PROMPT + timedelta(days=7) - timedelta(minutes=1), sent=sent) == []
    assert keys(PROMPT + timedelta(days=7), sent=sent) == ["monitor-remind:3:2026-10-01"]
    sent["monitor-remind:3:2026-10-01"] = PROMPT + timedelta(days=7)
    assert keys(PROMPT + timedelta(days=10), sent=sent) == []
    at14 = PROMPT + timedelta(days=14)
    [escalation] = due(at14, snapshot(), sent)
    assert escalation.key == "monitor-escalate:3:2026-10-01"
    assert escalation.target.user_id == "u9"
    assert "Anna de Vries" in escalation.replies[0].text and "Q4 2026" in escalation.replies[0].text
    sent[escalation.key] = at14
    assert keys(at14 + timedelta(days=30), sent=sent) == []


def test_reminders_count_from_when_the_prompt_was_really_sent():
    late = PROMPT + timedelta(days=3, hours=2)  # the server was down; the prompt went out on 4 January
    sent = {"monitor:3:2026-10-01": late}
    assert keys(PROMPT + timedelta(days=7), sent=sent) == []
    assert keys(PROMPT + timedelta(days=10), sent=sent) == ["monitor-remind:3:2026-10-01"]


def test_a_report_for_the_period_stops_everything():
    report = MonitoringReport(plan_id=3, contract_id=4, period_start=date(2026, 10, 1), period_end=date(2026, 12, 31),
                              hours=100, people=1, submitted_by="u1", submitted_at=PROMPT)
    sent = {"monitor:3:2026-10-01": PROMPT}
    assert keys(PROMPT + timedelta(days=20), snapshot(reports=[report]), sent) == []


def test_remind_me_later_sends_the_form_again_when_the_snooze_ends():
    sent = {"monitor:3:2026-10-01": PROMPT}
    until = PROMPT + timedelta(days=3)
    snap = snapshot(prompts=[PromptState(plan_id=3, period_start=date(2026, 10, 1), snoozed_until=until)])
    assert keys(until - timedelta(minutes=1), snap, sent) == []
    [again] = due(until, snap, sent)
    assert again.key == "monitor-later:3:2026-10-01:2027-01-04T09:00"
    assert again.replies[0].form is not None
    sent[again.key] = until
    assert keys(until + timedelta(hours=1), snap, sent) == []


def test_no_change_button_once_there_are_earlier_figures():
    earlier = MonitoringReport(plan_id=3, contract_id=4, period_start=date(2026, 7, 1), period_end=date(2026, 9, 30),
                               hours=100, people=1, submitted_by="u1", submitted_at=PROMPT)
    [notice] = due(PROMPT, snapshot(reports=[earlier]), {})
    assert [c.value for c in notice.replies[0].choices] == ["mon:same:3:2026-10-01", "mon:later:3:2026-10-01"]


@pytest.mark.parametrize(("frequency", "now", "key"), [
    ("month", datetime(2026, 12, 1, 8, 0, tzinfo=UTC), "monitor:3:2026-11-01"),
    ("quarter", datetime(2026, 12, 1, 8, 0, tzinfo=UTC), "monitor:3:2026-07-01"),
    ("halfyear", datetime(2027, 1, 1, 8, 0, tzinfo=UTC), "monitor:3:2026-07-01"),
    ("halfyear", datetime(2026, 12, 31, 8, 0, tzinfo=UTC), None),
])
def test_frequencies(frequency, now, key):
    assert keys(now, snapshot(frequency=frequency)) == ([key] if key else [])


def test_no_prompts_for_inactive_plans_unreachable_reporters_or_after_the_contract():
    assert keys(PROMPT, snapshot(active=False)) == []
    snap = snapshot()
    snap.members[1].user_id = None  # never talked to the bot: nowhere to send it
    assert keys(PROMPT, snap) == []
    assert keys(PROMPT, snapshot(end=date(2026, 9, 30))) == []


def test_yearly_evaluation_to_the_working_group_within_a_month():
    anniversary = datetime(2027, 7, 1, 7, 0, tzinfo=UTC)
    sent = {"monitor:3:2027-04-01": anniversary}  # the period prompt of that day is out of the way
    [evaluation] = due(anniversary, snapshot(), sent)
    assert evaluation.key == "monitor-eval:3:2027-07-01"
    assert evaluation.target.to == "group" and evaluation.target.conversation_id == "werkgroep"
    reply = evaluation.replies[0]
    assert reply.section == "4b" and [c.value for c in reply.choices] == ["mon:eval:4"]
    assert "volgende aanbesteding" in reply.text
    later = due(anniversary + timedelta(days=31), snapshot(), sent)
    assert [n.key for n in later if n.kind == "monitor-eval"] == []


def test_evaluation_when_a_monitored_contract_nears_its_end():
    snap = snapshot(end=date(2027, 6, 30))
    at = datetime(2026, 12, 30, 8, 0, tzinfo=UTC)  # six months before the end, 09:00 local
    assert "monitor-eval-expiry:4:2027-06-30" not in keys(at - timedelta(minutes=1), snap)
    assert "monitor-eval-expiry:4:2027-06-30" in keys(at, snap)
    assert "monitor-eval-expiry:4:2027-06-30" not in keys(at, snap, {"monitor-eval-expiry:4:2027-06-30": at})


def test_the_coordinator_gets_the_evaluation_when_there_is_no_group_conversation():
    snap = snapshot(end=date(2027, 6, 30))
    snap.org.group_conversation = None
    [evaluation] = [n for n in due(datetime(2027, 1, 2, 8, 0, tzinfo=UTC), snap, {"monitor:3:2026-10-01": PROMPT})
                    if n.kind == "monitor-eval"]
    assert evaluation.target.user_id == "u9"


def test_prompt_in_the_reporters_language():
    [notice] = due(PROMPT, snapshot(languages={"u1": "en"}), {})
    assert "has ended" in notice.replies[0].text


def test_the_function_is_pure():
    snap = snapshot()
    first = [(n.key, n.at, n.target) for n in due(PROMPT, snap, {})]
    assert first == [(n.key, n.at, n.target) for n in due(PROMPT, snap, {})]
