"""Step 2Ac: does social return fit a given tender, and how much can you reasonably ask?

A pure function of the tender's value, duration, labour share, kind and category. It returns a
verdict, a suggested way of asking and the reasons behind both (as keys with parameters, turned
into text in the user's language by the caller), so the advice is explainable and testable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Handbook 2Ac: many governments apply social return from a project sum of €100,000.
VALUE_THRESHOLD = 100_000
# Handbook 2Ac: social return is usually not applied to projects shorter than six months.
MIN_DURATION_MONTHS = 6
# Handbook 2Ac: with a low payroll share (the example is below 50 %), ask a lower percentage.
LOW_LABOUR_SHARE = 50
# Handbook 2Ac / 2Ad: the examples for the percentage of the project sum (or of the payroll).
LOW_PERCENTAGE = 2
USUAL_PERCENTAGE = 5
# Handbook 2Ac: higher demands are common in care (WMO), green maintenance and cleaning.
HIGH_DEMAND_CATEGORIES = frozenset({"care", "green", "cleaning"})

VERDICTS = ("apply", "consider", "not_advised")


@dataclass(frozen=True)
class Reason:
    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Advice:
    verdict: str
    """"apply", "consider" (possible, talk about it first) or "not_advised"."""
    percentage: int | None
    """Suggested percentage of the project sum (or of the payroll); None when not advised."""
    basis: str | None
    """"project_or_payroll" or "payroll" (a low labour share: a share of the payroll fits better)."""
    reasons: tuple[Reason, ...]

    @property
    def reason_keys(self) -> list[str]:
        return [r.key for r in self.reasons]


def applicability_advice(value: float | None, duration_months: float | None, labour_share: float | None,
                         kind: str | None = None, category: str | None = None) -> Advice:
    """The 2Ac advice for one tender. Unknown inputs are named as reasons instead of guessed."""
    reasons: list[Reason] = []
    verdict = "apply"
    if duration_months is None:
        reasons.append(Reason("duration_unknown"))
    elif duration_months < MIN_DURATION_MONTHS:
        verdict = "not_advised"
        reasons.append(Reason("short", {"months": _num(duration_months), "minimum": MIN_DURATION_MONTHS}))
    else:
        reasons.append(Reason("long_enough", {"months": _num(duration_months)}))

    if value is None:
        reasons.append(Reason("value_unknown", {"threshold": VALUE_THRESHOLD}))
    elif value < VALUE_THRESHOLD:
        verdict = _weaker(verdict, "consider")
        reasons.append(Reason("small", {"value": _num(value), "threshold": VALUE_THRESHOLD}))
    else:
        reasons.append(Reason("large", {"value": _num(value), "threshold": VALUE_THRESHOLD}))

    if kind == "supplies":
        verdict = _weaker(verdict, "consider")
        reasons.append(Reason("supplies"))
    elif kind in ("works", "services"):
        reasons.append(Reason("works_services"))

    percentage: int | None = USUAL_PERCENTAGE
    basis = "project_or_payroll"
    if labour_share is None:
        reasons.append(Reason("labour_unknown"))
    elif labour_share < LOW_LABOUR_SHARE:
        percentage, basis = LOW_PERCENTAGE, "payroll"
        reasons.append(Reason("low_labour", {"share": _num(labour_share), "limit": LOW_LABOUR_SHARE,
                                             "percentage": LOW_PERCENTAGE}))
    else:
        reasons.append(Reason("high_labour", {"share": _num(labour_share), "percentage": USUAL_PERCENTAGE}))

    if category in HIGH_DEMAND_CATEGORIES and verdict != "not_advised":
        reasons.append(Reason("high_demand"))
    if verdict == "not_advised":
        percentage, basis = None, None
    return Advice(verdict, percentage, basis, tuple(reasons))


def _weaker(current: str, proposed: str) -> str:
    return max(current, proposed, key=VERDICTS.index)


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x
