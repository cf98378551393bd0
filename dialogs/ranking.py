"""Step 2Ba: which existing contracts are most promising for more jobs, and why.

Pure: contracts and today's date in, a ranked list with reasons out. The criteria are the
handbook's: a large yearly value, a labour-intensive category, a multi-year remaining term, and
an upcoming end or extension (a moment to act, while avoiding a substantial change).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.feature import normalise
from bot.records import Contract

# Handbook 2Ba: look at larger contracts, for example more than €200,000 a year.
LARGE_YEARLY_VALUE = 200_000
# Handbook 2Ba: labour-intensive, long-running facility services (category keys of the contract form).
LABOUR_INTENSIVE = frozenset({"cleaning", "window_cleaning", "catering", "security", "maintenance", "green"})
# Words that give away a category typed as free text (contracts may come from other features).
CATEGORY_WORDS = {
    "cleaning": ("schoonmaak", "cleaning", "reiniging"),
    "window_cleaning": ("glasbewassing", "glazenwassen", "window"),
    "catering": ("catering", "kantine", "restaurant", "horeca"),
    "security": ("beveiliging", "security", "bewaking"),
    "green": ("groen", "green", "hoveniers", "tuin"),
    "maintenance": ("onderhoud", "maintenance"),
}
"""Checked in this order, so "groenonderhoud" is green and not maintenance."""
# "Multi-year": at least a year still to run; "upcoming": within the coming twelve months.
HORIZON = timedelta(days=365)
TOP = 3


@dataclass(frozen=True)
class Reason:
    key: str
    points: int
    params: dict[str, Any]


@dataclass(frozen=True)
class Ranked:
    contract: Contract
    score: int
    reasons: tuple[Reason, ...]
    top: bool = False


def category_key(category: str) -> str | None:
    """The labour-intensive category a contract falls in, from its key or its free-text name."""
    if category in LABOUR_INTENSIVE:
        return category
    norm = normalise(category or "")
    for key, words in CATEGORY_WORDS.items():
        if any(word in norm for word in words):
            return key
    return None


def assess(contract: Contract, today: date) -> tuple[int, tuple[Reason, ...]]:
    reasons: list[Reason] = []
    value = contract.yearly_value
    if value is None:
        reasons.append(Reason("value_unknown", 0, {}))
    elif value >= LARGE_YEARLY_VALUE:
        reasons.append(Reason("large", 2, {"value": value, "threshold": LARGE_YEARLY_VALUE}))
    else:
        reasons.append(Reason("small", 0, {"value": value, "threshold": LARGE_YEARLY_VALUE}))
    if category_key(contract.category) is not None:
        reasons.append(Reason("labour_intensive", 2, {"category": contract.category}))
    end = contract.end
    if end is not None and end < today:
        reasons.append(Reason("ended", -5, {"end": end}))
    elif end is not None and end - today >= HORIZON:
        reasons.append(Reason("multi_year", 1, {"end": end}))
    elif end is not None:
        reasons.append(Reason("ending", 0, {"end": end}))
    decision = contract.extension_decision
    if decision is not None and today <= decision <= today + HORIZON:
        reasons.append(Reason("extension", 1, {"date": decision}))
    if contract.has_sroi_clause:
        reasons.append(Reason("has_clause", 1, {}))
    return sum(r.points for r in reasons), tuple(reasons)


def rank_contracts(contracts: Iterable[Contract], today: date) -> list[Ranked]:
    """Most promising first (score, then yearly value, then name); the best three are marked `top`."""
    scored = [(c, *assess(c, today)) for c in contracts]
    scored.sort(key=lambda x: (-x[1], -(x[0].yearly_value or 0), x[0].label.lower(), x[0].id or 0))
    return [Ranked(c, score, reasons, top=i < TOP and score > 0) for i, (c, score, reasons) in enumerate(scored)]
