"""Reading the period-end report form: types, plausibility limits, the 40-hours warning and the AVG guard."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.records import MonitoringPlan
from monitoring.figures import asked, read_report, report_form
from monitoring.periods import period_at

PLAN = MonitoringPlan(id=7, contract_id=3, frequency="quarter", start_period=date(2026, 1, 1))
Q3 = period_at(date(2026, 1, 1), "quarter", 2)  # 1 July – 30 September 2026: 92 days
Q2 = period_at(date(2026, 1, 1), "quarter", 1)
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
GOOD = {"period": Q3.key, "hours": "1.340", "people": "5", "in_register": "3", "placements": "1",
        "training_places": "2", "evidence": "payroll", "costs": "€ 1.250,50", "remarks": "loopt goed"}


def read(lang: str = "nl", **changes):
    values = {**GOOD, **changes}
    form = report_form(PLAN, [Q3, Q2], Q3, lang)
    return read_report(form, values, lang, PLAN, [Q3, Q2], "u1", NOW, date(2026, 11, 25))


def test_valid_figures_become_a_report_with_only_aggregates():
    reading = read()
    assert reading.errors == [] and reading.warnings == []
    report = reading.report
    assert (report.period_start, report.period_end) == (Q3.start, Q3.end)
    assert (report.hours, report.people, report.in_register, report.placements, report.training_places) == \
        (1340, 5, 3, 1, 2)
    assert report.costs == 1250.5 and report.evidence == "payroll" and report.submitted_by == "u1"
    report.validate()


# (what changes, words the message must contain)
INVALID = [
    ({"hours": "-5"}, "negatief"),
    ({"people": "2,5"}, "heel getal"),
    ({"people": ""}, "verplicht"),
    ({"hours": "veel"}, "getal"),
    ({"period": "2025-01-01"}, "keuzes"),
    ({"evidence": "foto"}, "keuzes"),
    ({"hours": "11041"}, "hoogstens 11.040 uur"),           # 5 people × 92 days × 24 h = 11,040
    ({"people": "0", "in_register": "0", "placements": "0"}, "0 mensen"),
    ({"in_register": "6"}, "doelgroepregister"),
    ({"placements": "6"}, "plaatsingen"),
    ({"costs": "-1"}, "negatief"),
    ({"remarks": "BSN 111222333"}, "burgerservicenummer"),
    ({"remarks": "mail a.b@c.nl"}, "e-mailadres"),
    ({"remarks": "bel +31 6 12345678"}, "telefoonnummer"),
    ({"remarks": "geboren 1-2-1990"}, "geboortedatum"),
]


@pytest.mark.parametrize(("changes", "words"), INVALID)
def test_invalid_figures_are_refused_with_a_reason(changes, words):
    reading = read(**changes)
    assert reading.report is None
    assert any(words in e for e in reading.errors), reading.errors


def test_hours_exactly_at_the_limit_are_allowed_but_warned_about():
    reading = read(hours="11040")
    assert reading.report is not None
    assert reading.warnings and "per week" in reading.warnings[0]


@pytest.mark.parametrize(("hours", "warned"), [("2628", False), ("2629", True)])  # 40 h × 5 × 92/7 = 2628.6
def test_warning_above_forty_hours_a_week_per_person(hours, warned):
    reading = read(hours=hours)
    assert reading.report is not None
    assert bool(reading.warnings) == warned


def test_messages_in_english():
    assert any("at most 11,040 hours" in e for e in read("en", hours="11041").errors)
    assert any("citizen service number" in e for e in read("en", remarks="111222333").errors)


def test_the_plan_decides_which_optional_figures_are_asked():
    everything = asked(PLAN)
    assert everything == ["hours", "people", "in_register", "placements", "training_places", "evidence", "costs"]
    lean = MonitoringPlan(id=8, contract_id=3, start_period=date(2026, 1, 1), figures=["paid_hours", "people"])
    assert asked(lean) == ["hours", "people", "placements", "training_places"]
    form = report_form(lean, [Q3], Q3, "nl")
    assert [f.name for f in form.fields] == ["period", "hours", "people", "placements", "training_places", "remarks"]


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                    max_leaves=6)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([*GOOD, "other"]), JSON, max_size=10))
def test_any_submission_is_either_refused_with_reasons_or_a_valid_report(values):
    form = report_form(PLAN, [Q3, Q2], Q3, "nl")
    reading = read_report(form, values, "nl", PLAN, [Q3, Q2], "u1", NOW, date(2026, 11, 25))
    if reading.report is None:
        assert reading.errors
    else:
        assert reading.errors == []
        reading.report.validate()
        assert reading.report.hours <= reading.report.people * Q3.days * 24
