"""Monitoring results as replies: a short text, the chart (PNG) and the CSV export as attachments."""

from __future__ import annotations

import asyncio
from datetime import date

from bot.feature import normalise
from bot.i18n import t
from bot.markdown import Md
from bot.messages import Attachment, Choice, Reply
from bot.records import Evaluation
from monitoring.chart import contract_chart, organisation_chart
from monitoring.due import next_prompt, reportable
from monitoring.evaluation import label
from monitoring.export import results_csv
from monitoring.formatting import day, hours, missing_periods, number, period_label
from monitoring.periods import JOB_HOURS_PER_WEEK, Period, jobs
from monitoring.records import MonitoringReport
from monitoring.results import ContractResult, OrganisationResult

MAX_PERIOD_LINES = 4
MAX_ANSWER = 160


def summary(report: MonitoringReport, period: Period, lang: str) -> Md:
    return t("monitoring.summary", lang, hours=hours(report.hours, lang),
             jobs=number(jobs(report.hours, period.weeks), lang, 1), people=report.people)


def _slug(text: str) -> str:
    return normalise(text).replace(" ", "-")[:60] or "contract"


def attachments(stem: str, png: bytes, csv: bytes) -> list[Attachment]:
    return [Attachment(f"{stem}.png", "image/png", data=png), Attachment(f"{stem}.csv", "text/csv", data=csv)]


def _percent(value: float, ambition: float | None) -> str | None:
    if not ambition:
        return None
    return f"{round(100 * value / ambition)}"


def contract_text(result: ContractResult, evaluation: Evaluation | None, today: date, lang: str) -> Md:
    plan = result.plan
    lines = [t("monitoring.results.title", lang, contract=result.contract.label,
               frequency=t(f"monitoring.frequency.{plan.frequency}", lang))]
    if not result.periods:
        upcoming = next_prompt(plan, today)
        asked = reportable(plan, today)
        if upcoming is not None and asked:  # a period has ended: its request went out already
            lines.append(t("monitoring.results.no_reports_asked", lang, period=period_label(asked[0], lang),
                           date=day(upcoming[0], lang)))
        elif upcoming is not None:
            lines.append(t("monitoring.results.no_reports", lang, date=day(upcoming[0], lang)))
    else:
        shown = result.periods[-MAX_PERIOD_LINES:]
        if len(result.periods) > len(shown):
            lines.append(t("monitoring.results.earlier", lang, count=len(result.periods) - len(shown)))
        for p in shown:
            lines.append(t("monitoring.results.period_line", lang, period=period_label(p.period, lang),
                           hours=hours(p.hours, lang), jobs=number(p.jobs, lang, 1), people=p.report.people,
                           placements=p.report.placements or 0))
        lines.append(t("monitoring.results.total", lang, hours=hours(result.total_hours, lang),
                       jobs=number(result.jobs, lang, 1), placements=result.placements))
        latest = result.latest
        percent = _percent(latest.jobs, result.ambition) if latest else None
        if percent is not None:
            lines.append(t("monitoring.results.ambition", lang, ambition=number(result.ambition, lang, 1),
                           percent=percent))
        lines.append(_jobs_note(lang))
    if result.missing:
        lines.append(t("monitoring.results.missing", lang, periods=missing_periods(result.missing, lang)))
    if evaluation is not None and evaluation.date is not None and evaluation.answers:
        key, answer = next(iter(evaluation.answers.items()))
        short = answer if len(answer) <= MAX_ANSWER else answer[:MAX_ANSWER].rsplit(" ", 1)[0] + " …"
        lines.append(t("monitoring.results.evaluation", lang, date=day(evaluation.date, lang),
                       answer=f"{label(key, lang)}: {short}"))
    return Md("\n".join(lines))


async def contract_reply(result: ContractResult, evaluation: Evaluation | None, today: date, lang: str) -> Reply:
    plan = result.plan
    cid = result.contract.id
    choices = [Choice(str(t("monitoring.results.report", lang)), f"mon:report:{plan.id}"),
               Choice(str(t("monitoring.results.evaluate", lang)), f"mon:eval:{cid}"),
               Choice(str(t("monitoring.results.change", lang)), f"mon:setup:{cid}"),
               Choice(str(t("monitoring.results.overview", lang)), "mon:overview")]
    files: list[Attachment] = []
    if result.periods:
        png = await asyncio.to_thread(contract_chart, result, lang)
        files = attachments(f"monitoring-{_slug(result.contract.label)}", png, results_csv([result], lang))
    return Reply(text=contract_text(result, evaluation, today, lang), section="4a", choices=choices,
                 attachments=files)


def organisation_text(result: OrganisationResult, lang: str) -> Md:
    lines = [t("monitoring.results.overview_title", lang)]
    for c in result.contracts:
        latest = c.latest
        if latest is None:
            state = t("monitoring.results.nothing_yet", lang)
        else:
            state = t("monitoring.results.latest", lang, jobs=number(latest.jobs, lang, 1),
                      period=period_label(latest.period, lang))
        lines.append(t("monitoring.results.contract_line", lang, contract=c.contract.label, latest=state,
                       hours=hours(c.total_hours, lang)))
    lines.append(t("monitoring.results.organisation", lang, jobs=number(result.current_jobs, lang, 1),
                   people=result.current_people, hours=hours(result.total_hours, lang),
                   placements=result.placements))
    if result.ambition is not None:
        lines.append(t("monitoring.results.organisation_ambition", lang, ambition=number(result.ambition, lang, 1)))
    quarters = [q for q in result.quarters if q.hours][-MAX_PERIOD_LINES:]
    if quarters:
        per = " · ".join(f"{period_label(q.quarter, lang)}: {number(q.jobs, lang, 1)}" for q in quarters)
        lines.append(t("monitoring.results.quarters", lang, quarters=per))
    if result.total_hours:
        lines.append(_jobs_note(lang))
    return Md("\n".join(lines))


def _jobs_note(lang: str) -> Md:
    """How "banen" are counted, and that they are the banenafspraak's only for people in the register: the
    reports give all target-group hours, which with a broader target group (step 1c) are more than that."""
    return t("monitoring.results.jobs_note", lang, per_week=number(JOB_HOURS_PER_WEEK, lang, 1))


async def organisation_reply(result: OrganisationResult, lang: str) -> Reply:
    choices = [Choice(str(t("monitoring.results.open", lang, contract=c.contract.label)),
                      f"mon:results:{c.contract.id}") for c in result.contracts[:6]]
    choices.append(Choice(str(t("monitoring.results.evaluate", lang)), "mon:eval:org"))
    files: list[Attachment] = []
    if any(c.periods for c in result.contracts):
        png = await asyncio.to_thread(organisation_chart, result, lang)
        files = attachments("monitoring", png, results_csv(result.contracts, lang))
    return Reply(text=organisation_text(result, lang), section="4a", choices=choices, attachments=files)
