"""The monitoring feature's own records: submitted reports (aggregates only) and prompt state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

from bot.privacy import find_personal_data
from bot.records import Record
from bot.values import ValidationError, check_text

EVIDENCE = ("none", "employment_contract", "payroll", "invoices")
COUNTS = ("people", "in_register", "placements", "training_places")
MAX_REMARKS = 2000


def _number(value: object, name: str, *, integer: bool = False, required: bool = False) -> None:
    if value is None:
        if required:
            raise ValidationError("required", name)
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise ValidationError("number", name)
    if value < 0:
        raise ValidationError("non_negative", name)
    if integer and value != int(value):
        raise ValidationError("integer", name)


@dataclass(kw_only=True)
class MonitoringReport(Record):
    """One period's figures for one contract: totals and counts, never names; and who submitted them."""

    table: ClassVar[str] = "monitoring_report"
    plan_id: int | None = None
    contract_id: int | None = None
    period_start: date | None = None
    period_end: date | None = None
    hours: float = 0.0
    """Paid hours of employees from the target group in the period, in total."""
    people: int = 0
    in_register: int | None = None
    """Of `people`, how many are in UWV's doelgroepregister."""
    placements: int | None = None
    training_places: int | None = None
    evidence: str | None = None
    costs: float | None = None
    remarks: str = ""
    copied_from: date | None = None
    """Set when the figures were copied from this earlier period ("no change")."""
    submitted_by: str = ""
    """The chat user id of whoever submitted."""
    submitted_at: datetime | None = None

    def validate(self) -> None:
        for name in ("plan_id", "contract_id"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValidationError("required", name)
        if not isinstance(self.period_start, date) or not isinstance(self.period_end, date):
            raise ValidationError("required", "period_start")
        if self.period_end < self.period_start:
            raise ValidationError("date_order", "period_end")
        _number(self.hours, "hours", required=True)
        for name in COUNTS:
            _number(getattr(self, name), name, integer=True, required=name == "people")
        _number(self.costs, "costs")
        if self.evidence is not None and self.evidence not in EVIDENCE:
            raise ValidationError("one_of", "evidence", value=str(self.evidence), allowed=", ".join(EVIDENCE))
        self.remarks = check_text(self.remarks, "remarks", required=False, max_length=MAX_REMARKS)
        today = self.submitted_at.date() if self.submitted_at else self.period_end
        kind = find_personal_data(self.remarks, today, names=True)
        if kind:
            raise ValidationError("personal_data", "remarks", kind=kind)
        if not self.submitted_by:
            raise ValidationError("required", "submitted_by")
        if self.submitted_at is None or self.submitted_at.tzinfo is None:
            raise ValidationError("datetime", "submitted_at")


@dataclass(kw_only=True)
class PromptState(Record):
    """The reporter's "remind me later" for one period of a plan."""

    table: ClassVar[str] = "monitoring_prompt"
    plan_id: int | None = None
    period_start: date | None = None
    snoozed_until: datetime | None = None
    updated_at: datetime | None = None

    def validate(self) -> None:
        if not isinstance(self.plan_id, int) or isinstance(self.plan_id, bool):
            raise ValidationError("required", "plan_id")
        if not isinstance(self.period_start, date):
            raise ValidationError("required", "period_start")
        for name in ("snoozed_until", "updated_at"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
                raise ValidationError("datetime", name)
