"""The period-end report form, and reading it: types, plausibility and the AVG guard.

Nothing is stored until the figures are valid. Hard limits: hours and counts are whole numbers of 0 or more,
the paid hours cannot exceed people × the hours in the period (days × 24), of whom in the register
and new placements cannot exceed the number of people. Above 40 paid hours a week per person the
reporter is warned and asked to confirm.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.forms import read_form
from bot.i18n import t
from bot.markdown import Md
from bot.messages import Choice, Form, FormField, Reply
from bot.privacy import privacy_message
from bot.records import MONITORING_FIGURES, MonitoringPlan
from bot.values import ValidationError
from monitoring.formatting import hours, number, period_label
from monitoring.periods import Period
from monitoring.records import COUNTS, EVIDENCE, MAX_REMARKS, MonitoringReport

HOURS_PER_DAY = 24
"""The hours in a period are its days × 24: nobody can be paid for more."""
WARN_HOURS_PER_WEEK = 40
"""Above this many paid hours a week per person the figures are probably a mistake: ask to confirm."""
FORM_PREFIX = "mon:report:"
NUMBER_FIELDS = ("hours", *COUNTS, "costs")
WHOLE_HOURS = {"integer": "monitoring.check.whole_hours"}
"""Hours are reported in whole hours (the README and the form's hint say so): a decimal gets this message."""


FIELDS = ("hours", "people", "in_register", "placements", "training_places", "evidence", "costs")
OPTIONAL = {"in_register": "target_group", "evidence": "evidence", "costs": "costs"}
"""Form fields asked only when the plan lists this figure (bot.records.MONITORING_FIGURES)."""


def asked(plan: MonitoringPlan) -> list[str]:
    """The form fields this plan asks for, in form order; a plan that lists no figures asks them all."""
    chosen = set(plan.figures) or set(MONITORING_FIGURES)
    return [f for f in FIELDS if f not in OPTIONAL or OPTIONAL[f] in chosen]


def report_form(plan: MonitoringPlan, periods: list[Period], selected: Period, lang: str,
                values: dict[str, Any] | None = None) -> Form:
    """The form for one plan; `periods` are the ones that may be reported (latest first)."""
    values = values or {}
    options = [Choice(period_label(p, lang), p.key) for p in periods]
    fields = [FormField("period", str(t("monitoring.form.period", lang)), "choice", required=True, options=options,
                        value=selected.key)]
    for name in asked(plan):
        label = str(t(f"monitoring.form.{name}", lang))
        if name == "evidence":
            fields.append(FormField(name, label, "choice", required=True,
                                    options=[Choice(str(t(f"monitoring.evidence.{e}", lang)), e) for e in EVIDENCE]))
        else:
            fields.append(FormField(name, label, "number", required=name != "costs", minimum=0,
                                    integer=name != "costs", messages=WHOLE_HOURS if name == "hours" else {},
                                    hint=str(t(f"monitoring.hint.{name}", lang))
                                    if name in ("hours", "people") else None))
    fields.append(FormField("remarks", str(t("monitoring.form.remarks", lang)), "textarea",
                            hint=str(t("monitoring.hint.remarks", lang))))
    for f in fields:
        if f.name in values and values[f.name] is not None:
            f.value = values[f.name]
    return Form(id=f"{FORM_PREFIX}{plan.id}", title=str(t("monitoring.form.title", lang)), fields=fields,
                submit_label=str(t("monitoring.form.submit", lang)))


def prompt_reply(plan: MonitoringPlan, contract_label: str, period: Period, periods: list[Period],
                 has_previous: bool, lang: str, text_key: str) -> Reply:
    """The report form for `period`, with "no change" (when there is something to copy) and "remind me later"."""
    if period not in periods:
        periods = [period, *periods]
    choices = []
    if has_previous:
        choices.append(Choice(str(t("monitoring.prompt.same", lang)), f"mon:same:{plan.id}:{period.key}"))
    choices.append(Choice(str(t("monitoring.prompt.later", lang)), f"mon:later:{plan.id}:{period.key}"))
    text = t(text_key, lang, period=period_label(period, lang), contract=contract_label)
    return Reply(text=text, section="4a", form=report_form(plan, periods, period, lang), choices=choices)


@dataclass
class Reading:
    """What came out of a submitted form: a report to store, or the problems; and any warnings."""

    report: MonitoringReport | None = None
    errors: list[Md] = field(default_factory=list)
    warnings: list[Md] = field(default_factory=list)


def check(report: MonitoringReport, period: Period, lang: str, labels: dict[str, str]) -> tuple[list[Md], list[Md]]:
    """Plausibility of one report's figures: (errors, warnings)."""
    errors: list[Md] = []
    warnings: list[Md] = []
    for name in NUMBER_FIELDS:
        value = getattr(report, name)
        if value is None:
            continue
        if value < 0:
            errors.append(ValidationError("non_negative", name).message(lang, labels.get(name, name)))
        elif name in COUNTS and value != int(value):
            errors.append(ValidationError("integer", name).message(lang, labels.get(name, name)))
    if errors:
        return errors, warnings
    people = report.people or 0
    capacity = people * period.days * HOURS_PER_DAY
    if report.hours > capacity:
        key = "monitoring.check.hours_without_people" if people == 0 else "monitoring.check.hours_max"
        errors.append(t(key, lang, hours=hours(report.hours, lang), people=people,
                        maximum=number(capacity, lang), days=period.days))
    for name in ("in_register", "placements"):
        value = getattr(report, name)
        if value is not None and value > people:
            errors.append(t(f"monitoring.check.{name}_max", lang, value=value, people=people))
    if not errors and people and report.hours / people / period.weeks > WARN_HOURS_PER_WEEK:
        warnings.append(t("monitoring.check.hours_per_week", lang,
                          per_week=number(report.hours / people / period.weeks, lang, 1),
                          limit=WARN_HOURS_PER_WEEK))
    return errors, warnings


def read_report(form: Form, values: Any, lang: str, plan: MonitoringPlan, periods: list[Period],
                submitted_by: str, now: datetime, today: date) -> Reading:
    """The report, or every problem with it at once: each field's own, the remarks' and how the figures add up."""
    clean, errors = read_form(form, values, lang)
    labels = {f.name: f.label for f in form.fields}
    remarks = clean.get("remarks") or ""
    if len(remarks) > MAX_REMARKS:
        errors.append(ValidationError("too_long", "remarks", maximum=MAX_REMARKS).message(lang, labels["remarks"]))
    else:
        refused = privacy_message(remarks, today, lang, labels["remarks"], names=True)
        if refused:
            errors.append(refused)
    period = next((p for p in periods if p.key == clean["period"]), None)
    if period is None or clean["hours"] is None or clean["people"] is None:
        return Reading(errors=errors)  # how the figures add up is checked once they are there
    report = MonitoringReport(
        plan_id=plan.id, contract_id=plan.contract_id, period_start=period.start, period_end=period.end,
        hours=clean["hours"], people=clean["people"], in_register=clean.get("in_register"),
        placements=clean.get("placements"), training_places=clean.get("training_places"),
        evidence=clean.get("evidence"), costs=clean.get("costs"), remarks=remarks, submitted_by=submitted_by,
        submitted_at=now)
    sums, warnings = check(report, period, lang, labels)
    errors += sums
    if errors:
        return Reading(errors=errors)
    return Reading(report=report, warnings=warnings)
