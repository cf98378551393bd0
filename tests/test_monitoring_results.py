"""Results per contract and for the organisation, the PNG chart and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from PIL import Image

from bot.records import Contract, MonitoringPlan
from monitoring.chart import HEIGHT, WIDTH, contract_chart, organisation_chart
from monitoring.export import results_csv
from monitoring.periods import JOB_HOURS_PER_WEEK, period_at
from monitoring.records import MonitoringReport
from monitoring.results import ambition_jobs, contract_result, organisation_result

NOW = datetime(2027, 1, 10, 10, 0, tzinfo=UTC)
TODAY = date(2027, 1, 10)
CLEANING = Contract(id=1, name="Schoonmaak $kantoren", supplier="=Schoon BV")  # odd characters on purpose
CATERING = Contract(id=2, name="Catering", supplier="Eet BV")
QUARTERLY = MonitoringPlan(id=1, contract_id=1, frequency="quarter", start_period=date(2026, 1, 1), ambition_jobs=5)
HALF = MonitoringPlan(id=2, contract_id=2, frequency="halfyear", start_period=date(2026, 1, 1),
                      ambition_hours_per_week=51)


def report(plan: MonitoringPlan, index: int, hours: float, people: int = 5, placements: int = 1,
           remarks: str = "") -> MonitoringReport:
    assert plan.start_period is not None
    p = period_at(plan.start_period, plan.frequency, index)
    return MonitoringReport(plan_id=plan.id, contract_id=plan.contract_id, period_start=p.start, period_end=p.end,
                            hours=hours, people=people, placements=placements, submitted_by="u1", submitted_at=NOW,
                            remarks=remarks)


REPORTS = [report(QUARTERLY, 0, 1200), report(QUARTERLY, 2, 1340.5, remarks="=SUM(A1)"),
           report(HALF, 0, 1300, people=2), report(HALF, 1, 1400, people=2, placements=0)]


def results():
    return [contract_result(CLEANING, QUARTERLY, REPORTS, TODAY), contract_result(CATERING, HALF, REPORTS, TODAY)]


def test_contract_result_per_period_and_cumulative():
    cleaning, catering = results()
    assert [p.period.start for p in cleaning.periods] == [date(2026, 1, 1), date(2026, 7, 1)]
    assert [p.start for p in cleaning.missing] == [date(2026, 4, 1), date(2026, 10, 1)]
    q1, q3 = cleaning.periods
    assert q1.jobs == pytest.approx(1200 / (JOB_HOURS_PER_WEEK * 90 / 7))
    assert q3.jobs == pytest.approx(1340.5 / (JOB_HOURS_PER_WEEK * 92 / 7))
    assert cleaning.total_hours == 2540.5 and cleaning.placements == 2
    # cumulative jobs: all hours over all reported weeks
    assert cleaning.jobs == pytest.approx(2540.5 / (JOB_HOURS_PER_WEEK * 182 / 7))
    assert catering.ambition == pytest.approx(2) and ambition_jobs(QUARTERLY) == 5


def test_organisation_quarters_split_half_years_by_days():
    org = organisation_result(results())
    assert [q.quarter.start for q in org.quarters] == [date(2026, m, 1) for m in (1, 4, 7, 10)]
    q1, q2 = org.quarters[:2]
    assert q1.hours_by_contract[1] == pytest.approx(1200)
    assert q1.hours_by_contract[2] == pytest.approx(1300 * 90 / 181)
    # catering's half year gives both its quarters its own job rate; cleaning did not report Q2
    catering_h1 = results()[1].periods[0].jobs
    assert q1.jobs_of(2) == pytest.approx(catering_h1) and q2.jobs_of(2) == pytest.approx(catering_h1)
    assert q2.jobs_of(1) == 0 and q2.jobs == pytest.approx(catering_h1)
    assert q1.jobs == pytest.approx(results()[0].periods[0].jobs + catering_h1)
    assert sum(q.hours for q in org.quarters) == pytest.approx(org.total_hours)
    assert org.total_hours == pytest.approx(2540.5 + 2700)
    # now: each contract's latest period, added up
    assert org.current_jobs == pytest.approx(results()[0].periods[-1].jobs + results()[1].periods[-1].jobs)
    assert org.ambition == pytest.approx(7)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_charts_are_png_files_of_the_fixed_size(lang):
    cleaning, catering = results()
    for data in (contract_chart(cleaning, lang), organisation_chart(organisation_result([cleaning, catering]), lang)):
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            assert image.size == (WIDTH, HEIGHT)


@pytest.mark.parametrize(("lang", "delimiter", "hours_column"), [("nl", ";", "uren"), ("en", ",", "hours")])
def test_csv_parses_and_adds_up(lang, delimiter, hours_column):
    data = results()
    text = results_csv(data, lang).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
    assert len(rows) == 4

    def num(value: str) -> float:
        return float(value.replace(",", ".")) if lang == "nl" else float(value)

    assert sum(num(r[hours_column]) for r in rows) == pytest.approx(sum(c.total_hours for c in data))
    # formulas are defused, the dollar sign is kept as text
    contract, supplier = list(rows[0])[:2]
    assert rows[0][contract] == "Schoonmaak $kantoren"
    assert all(r[supplier] == "'=Schoon BV" for r in rows[:2])
    assert "'=SUM(A1)" in text


def test_a_quarter_still_running_counts_the_months_reported_so_far():
    monthly = MonitoringPlan(id=3, contract_id=2, frequency="month", start_period=date(2026, 10, 1))
    october, november = report(monthly, 0, 1000), report(monthly, 1, 1000)
    result = contract_result(CATERING, monthly, [october, november], TODAY)
    [q4] = organisation_result([result]).quarters
    assert q4.days_by_contract[2] == 61
    assert q4.jobs == pytest.approx(2000 / (JOB_HOURS_PER_WEEK * 61 / 7))
