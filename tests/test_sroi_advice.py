"""Step 2Ac as a pure function: the verdict, the suggested percentage and the reasons it gives."""

from __future__ import annotations

import pytest

from bot.i18n import t
from dialogs.advice import applicability_advice

# value, months, labour %, kind, category → verdict, percentage, basis, reason keys (in order)
CASES = [
    (300_000, 36, 70, "services", "green", "apply", 5, "project_or_payroll",
     ["long_enough", "large", "works_services", "high_labour", "high_demand"]),
    (100_000, 6, 50, "works", None, "apply", 5, "project_or_payroll",
     ["long_enough", "large", "works_services", "high_labour"]),
    (500_000, 24, 30, "services", "ict", "apply", 2, "payroll",
     ["long_enough", "large", "works_services", "low_labour"]),
    (99_999, 12, 80, "services", "cleaning", "consider", 5, "project_or_payroll",
     ["long_enough", "small", "works_services", "high_labour", "high_demand"]),
    (800_000, 48, 20, "supplies", None, "consider", 2, "payroll",
     ["long_enough", "large", "supplies", "low_labour"]),
    (1_000_000, 5, 90, "services", "cleaning", "not_advised", None, None,
     ["short", "large", "works_services", "high_labour"]),
    (50_000, 3, 10, "supplies", "care", "not_advised", None, None,
     ["short", "small", "supplies", "low_labour"]),
    (None, None, None, None, None, "apply", 5, "project_or_payroll",
     ["duration_unknown", "value_unknown", "labour_unknown"]),
]


@pytest.mark.parametrize(("value", "months", "labour", "kind", "category", "verdict", "percentage", "basis",
                          "reasons"), CASES)
def test_advice_table(value, months, labour, kind, category, verdict, percentage, basis, reasons):
    advice = applicability_advice(value, months, labour, kind, category)
    assert advice.verdict == verdict
    assert advice.percentage == percentage
    assert advice.basis == basis
    assert advice.reason_keys == reasons


def test_reasons_carry_the_figures_they_are_about():
    advice = applicability_advice(60_000, 4, 35, "services")
    params = {r.key: r.params for r in advice.reasons}
    assert params["short"] == {"months": 4, "minimum": 6}
    assert params["small"] == {"value": 60_000, "threshold": 100_000}
    assert params["low_labour"] == {"share": 35, "limit": 50, "percentage": 2}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_reason_and_verdict_has_a_text(lang):
    seen = set()
    for case in CASES:
        advice = applicability_advice(*case[:5])
        seen.add(f"flow.advice.verdict.{advice.verdict}")
        seen.update(f"flow.advice.reason.{key}" for key in advice.reason_keys)
    for key in seen:
        assert t(key, lang) != key, key
