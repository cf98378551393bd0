"""Step 2Ba as a pure function: contracts ranked on the handbook's criteria, with the reasons."""

from __future__ import annotations

from datetime import date

import pytest

from bot.i18n import t
from bot.records import Contract
from dialogs.ranking import assess, category_key, rank_contracts

TODAY = date(2026, 11, 23)


def contract(name: str, **kw) -> Contract:
    return Contract(id=len(name), name=name, supplier=f"{name} BV", **kw)


# contract fields → score and reason keys (in the order they are given)
CASES = [
    ({"yearly_value": 450_000, "category": "cleaning", "end": date(2029, 1, 1)}, 5,
     ["large", "labour_intensive", "multi_year"]),
    ({"yearly_value": 250_000, "category": "catering", "end": date(2027, 6, 30),
      "extension_decision": date(2027, 3, 1), "has_sroi_clause": True}, 6,
     ["large", "labour_intensive", "ending", "extension", "has_clause"]),
    ({"yearly_value": 150_000, "category": "Beveiliging objecten", "end": date(2030, 1, 1)}, 3,
     ["small", "labour_intensive", "multi_year"]),
    ({"yearly_value": 80_000, "category": "ict", "end": date(2027, 1, 31)}, 0, ["small", "ending"]),
    ({"category": "green"}, 2, ["value_unknown", "labour_intensive"]),
    ({"yearly_value": 900_000, "category": "maintenance", "end": date(2026, 6, 30)}, -1,
     ["large", "labour_intensive", "ended"]),
    ({"yearly_value": 300_000, "extension_decision": date(2028, 6, 1), "end": date(2029, 1, 1)}, 3,
     ["large", "multi_year"]),
]


@pytest.mark.parametrize(("fields", "score", "reasons"), CASES)
def test_assessment_table(fields, score, reasons):
    got_score, got_reasons = assess(contract("x", **fields), TODAY)
    assert got_score == score
    assert [r.key for r in got_reasons] == reasons


def test_ranking_orders_by_score_then_value_and_marks_a_top_three():
    contracts = [contract("Kantoorartikelen", yearly_value=80_000, category="other", end=date(2027, 1, 31)),
                 contract("Schoonmaak", yearly_value=450_000, category="cleaning", end=date(2029, 1, 1)),
                 contract("Groen", yearly_value=120_000, category="green", end=date(2028, 1, 1)),
                 contract("Glas", yearly_value=140_000, category="window_cleaning", end=date(2028, 1, 1)),
                 contract("Catering", yearly_value=250_000, category="catering", end=date(2029, 1, 1))]
    ranked = rank_contracts(contracts, TODAY)
    assert [r.contract.name for r in ranked] == ["Schoonmaak", "Catering", "Glas", "Groen", "Kantoorartikelen"]
    assert [r.top for r in ranked] == [True, True, True, False, False]


def test_a_contract_without_any_promise_is_never_proposed_for_the_top():
    ranked = rank_contracts([contract("Papier", yearly_value=10_000, category="other")], TODAY)
    assert ranked[0].score == 0 and not ranked[0].top


@pytest.mark.parametrize(("category", "key"), [("cleaning", "cleaning"), ("Schoonmaakdiensten", "cleaning"),
                                               ("Groenonderhoud", "green"), ("Catering en koffie", "catering"),
                                               ("ICT-hardware", None), ("", None)])
def test_category_from_key_or_free_text(category, key):
    assert category_key(category) == key


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_reason_has_a_text(lang):
    for _, _, reasons in CASES:
        for key in reasons:
            assert t(f"flow.ranking.{key}", lang) != f"flow.ranking.{key}"
