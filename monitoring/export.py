"""The CSV export of monitoring results: one row per reported period, so the columns add up to the totals.

Dutch exports use ';' and a decimal comma (what Dutch spreadsheet programs expect), English ones ','
and a decimal point; both are UTF-8 with a byte-order mark so spreadsheets detect the encoding.
"""

from __future__ import annotations

import csv
import io

from bot.i18n import t
from monitoring.formatting import period_label
from monitoring.results import ContractResult

COLUMNS = ("contract", "supplier", "period", "start", "end", "weeks", "hours", "jobs", "people", "in_register",
           "placements", "training_places", "evidence", "costs", "remarks")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _num(value: float | int | None, lang: str, decimals: int | None = None) -> str:
    if value is None:
        return ""
    text = f"{value:.{decimals}f}" if decimals is not None else (
        str(int(value)) if float(value).is_integer() else repr(float(value)))
    return text.replace(".", ",") if lang == "nl" else text


def results_csv(contracts: list[ContractResult], lang: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if lang == "nl" else ",", lineterminator="\r\n")
    writer.writerow([str(t(f"monitoring.csv.{c}", lang)) for c in COLUMNS])
    for result in contracts:
        for p in result.periods:
            r = p.report
            evidence = str(t(f"monitoring.evidence.{r.evidence}", lang)) if r.evidence else ""
            writer.writerow([
                _cell(result.contract.label), _cell(result.contract.supplier), period_label(p.period, lang),
                p.period.start.isoformat(), p.period.end.isoformat(), _num(p.period.weeks, lang, 2),
                _num(r.hours, lang), _num(p.jobs, lang, 2), _num(r.people, lang), _num(r.in_register, lang),
                _num(r.placements, lang), _num(r.training_places, lang), evidence, _num(r.costs, lang),
                _cell(r.remarks),
            ])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
