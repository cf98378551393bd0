"""Monitoring results (pure): per contract per period and cumulative, and for the organisation per quarter.

Jobs follow the banenafspraak unit: hours ÷ (25.5 × weeks). A contract's cumulative jobs are its
total hours over all reported weeks (the average number of jobs while it reported). The
organisation's quarters spread each report's hours over the calendar quarters it touches, in
proportion to the days, so contracts reporting monthly, quarterly or half-yearly add up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from bot.records import Contract, MonitoringPlan
from monitoring.periods import JOB_HOURS_PER_WEEK, Period, calendar_quarters, ended_periods, jobs
from monitoring.records import MonitoringReport


def ambition_jobs(plan: MonitoringPlan) -> float | None:
    """The plan's ambition in jobs (an ambition in hours per week is converted with the job unit)."""
    if plan.ambition_jobs is not None:
        return float(plan.ambition_jobs)
    if plan.ambition_hours_per_week is not None:
        return plan.ambition_hours_per_week / JOB_HOURS_PER_WEEK
    return None


@dataclass(frozen=True, slots=True)
class PeriodResult:
    period: Period
    report: MonitoringReport

    @property
    def hours(self) -> float:
        return float(self.report.hours)

    @property
    def jobs(self) -> float:
        return jobs(self.hours, self.period.weeks)


@dataclass(slots=True)
class ContractResult:
    contract: Contract
    plan: MonitoringPlan
    periods: list[PeriodResult] = field(default_factory=list)
    """Reported periods, oldest first."""
    missing: list[Period] = field(default_factory=list)
    """Periods that ended without a report."""

    @property
    def total_hours(self) -> float:
        return sum(p.hours for p in self.periods)

    @property
    def total_weeks(self) -> float:
        return sum(p.period.weeks for p in self.periods)

    @property
    def jobs(self) -> float:
        """Cumulative: the average number of jobs over all reported periods."""
        return jobs(self.total_hours, self.total_weeks)

    @property
    def latest(self) -> PeriodResult | None:
        return self.periods[-1] if self.periods else None

    @property
    def placements(self) -> int:
        return sum(p.report.placements or 0 for p in self.periods)

    @property
    def training_places(self) -> int:
        return sum(p.report.training_places or 0 for p in self.periods)

    @property
    def costs(self) -> float:
        return sum(p.report.costs or 0 for p in self.periods)

    @property
    def ambition(self) -> float | None:
        return ambition_jobs(self.plan)


def contract_result(contract: Contract, plan: MonitoringPlan, reports: Iterable[MonitoringReport],
                    today: date) -> ContractResult:
    """The plan's reports matched to its periods; a report for a period that no longer fits is kept as is."""
    mine = sorted((r for r in reports if r.plan_id == plan.id), key=lambda r: r.period_start or date.min)
    result = ContractResult(contract, plan)
    for report in mine:
        assert report.period_start is not None and report.period_end is not None
        result.periods.append(PeriodResult(Period.between(report.period_start, report.period_end), report))
    reported = {r.period_start for r in mine}
    if plan.start_period is not None:
        result.missing = [p for p in ended_periods(plan.start_period, plan.frequency, today)
                          if p.start not in reported]
    return result


@dataclass(slots=True)
class QuarterResult:
    """One calendar quarter for the organisation: per contract the hours and the days its reports cover."""

    quarter: Period
    hours_by_contract: dict[int, float] = field(default_factory=dict)
    days_by_contract: dict[int, int] = field(default_factory=dict)

    @property
    def hours(self) -> float:
        return sum(self.hours_by_contract.values())

    def jobs_of(self, contract_id: int) -> float:
        """The contract's jobs over the part of the quarter it reported (a quarter still running counts so far)."""
        return jobs(self.hours_by_contract.get(contract_id, 0.0), self.days_by_contract.get(contract_id, 0) / 7)

    @property
    def jobs(self) -> float:
        return sum(self.jobs_of(cid) for cid in self.hours_by_contract)


@dataclass(slots=True)
class OrganisationResult:
    contracts: list[ContractResult]
    quarters: list[QuarterResult]

    @property
    def total_hours(self) -> float:
        return sum(c.total_hours for c in self.contracts)

    @property
    def placements(self) -> int:
        return sum(c.placements for c in self.contracts)

    @property
    def current_jobs(self) -> float:
        """The jobs of each contract's latest reported period, added up."""
        return sum(c.latest.jobs for c in self.contracts if c.latest)

    @property
    def current_people(self) -> int:
        return sum(c.latest.report.people for c in self.contracts if c.latest)

    @property
    def ambition(self) -> float | None:
        values = [c.ambition for c in self.contracts if c.ambition is not None]
        return sum(values) if values else None


def organisation_result(contracts: list[ContractResult]) -> OrganisationResult:
    spans = [p for c in contracts for p in c.periods]
    quarters: list[QuarterResult] = []
    if spans:
        first = min(p.period.start for p in spans)
        last = max(p.period.end for p in spans)
        for quarter in calendar_quarters(first, last):
            result = QuarterResult(quarter)
            for c in contracts:
                cid = c.contract.id or 0
                for p in c.periods:
                    share = quarter.overlap_days(p.period.start, p.period.end)
                    if share:
                        result.hours_by_contract[cid] = result.hours_by_contract.get(cid, 0.0) + \
                            p.hours * share / p.period.days
                        result.days_by_contract[cid] = result.days_by_contract.get(cid, 0) + share
            quarters.append(result)
    return OrganisationResult(contracts, quarters)
