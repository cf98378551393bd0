"""Facts from the handbook that every piece of content must get right (see the fact audit of 2026-11-26).

Users act on figures, article numbers and who-does-what, so these are checked across all content:
the key figures stand in the entries of the section they come from, in both languages; no other amount,
percentage or article number creeps in; the Dutch and English texts name the same numbers; and the roles
matrix leaves empty exactly the cells that Bijlage II leaves empty.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.records import ROLES
from knowledge import content
from knowledge.roles import PHASES, matrix

ROOT = Path(__file__).resolve().parent.parent
# Every data file with user-facing texts ({nl, en} pairs), besides the knowledge-base entries.
TEXT_FILES = [*sorted((ROOT / "dialogs" / "steps").glob("*.yaml")), *(ROOT / name for name in (
    "dialogs/texts.yaml", "dialogs/forms.yaml", "monitoring/texts.yaml", "monitoring/data/evaluation.yaml",
    "scheduler/texts.yaml", "knowledge/texts.yaml", "bot/texts.yaml", "bot/data/sections.yaml"))]

# (section, Dutch, English): a handbook fact that an entry of that section must state in each language.
KEY_FIGURES = [
    ("intro", "€ 90 miljard", "€90 billion"),
    ("intro", "125.000", "125,000"),
    ("intro", "25.000", "25,000"),
    ("intro", "2025", "2025"),
    ("intro", "15 proeftuinen", "15 pilots"),
    ("intro", "5 tot 10 %", "5 to 10 %"),
    ("intro", "De Normaalste Zaak", "De Normaalste Zaak"),
    ("intro", "BZK", "BZK"),
    ("1c", "doelgroepregister van UWV", "UWV"),
    ("1d", "UWV", "UWV"),
    ("1d", "WSP", "WSP"),
    ("2Aa", "PIANOo", "PIANOo"),
    ("2Ab", "2.82", "2.82"),
    ("2Ab", "2.18", "2.18"),
    ("2Ab", "2.19", "2.19"),
    ("2Ab", "Aanbestedingswet 2012", "Procurement Act 2012"),
    ("2Ab", "minstens 30 %", "at least 30 %"),
    ("2Ab", "buysocial.nl", "buysocial.nl"),
    ("2Ab", "pso-nederland.nl", "pso-nederland.nl"),
    ("2Ac", "€ 100.000", "€100,000"),
    ("2Ac", "50 %", "50 %"),
    ("2Ac", "2 %", "2 %"),
    ("2Ac", "6 maanden", "6 months"),
    ("2Ad", "5 %", "5 %"),
    ("2Ba", "€ 200.000 per jaar", "€200,000 a year"),
    ("2Ba", "cao Schoonmaak", "cao Schoonmaak"),
    ("4a", "maand, kwartaal of halfjaar", "month, quarter or half year"),
    ("5c", "2017", "2017"),
    ("bijlage-3", "4 maanden", "4 months"),
    ("bijlage-4", "€ 250.000", "€250,000"),
    ("bijlage-4", "1.500 banen", "1,500 jobs"),
    ("bijlage-4", "2024", "2024"),
    ("bijlage-4", "50 proeftuinen", "50 pilots"),
    ("praktijk-sodexo", "1993", "1993"),
    ("praktijk-sodexo", "16 mensen", "16 people"),
    ("praktijk-sodexo", "7-stappenplan", "7-step plan"),
    ("praktijk-sodexo", "140", "140"),
    ("praktijk-uu", "zes à acht", "six to eight"),
]
# The only amounts, percentages and article numbers the handbook gives (2Ab, 2Ac, 2Ad, 2Ba, intro, Bijlage IV).
HANDBOOK_EUROS = {"90", "100000", "200000", "250000"}
HANDBOOK_PERCENTAGES = {"2", "5", "10", "30", "50"}
HANDBOOK_ARTICLES = {"2.82", "2.18", "2.19"}
# Bijlage II: the cells (role, phase) the handbook leaves empty; every other cell names a task.
EMPTY_IN_BIJLAGE_II = {
    ("hr_expert", "2a"), ("procurement_expert", "3"), ("category_manager", "1"), ("category_manager", "4"),
    ("category_manager", "5"), ("contract_manager", "1"), ("contract_manager", "2a"), ("executive", "2a"),
    ("executive", "2b"), ("executive", "3"), ("internal_client", "1"), ("supplier_contact", "1"),
    ("supplier_contact", "4"),
}


def _plain(text: str) -> str:
    return " ".join(text.replace("**", "").replace("*", "").split())


def _pairs(node: Any, path: str = "") -> list[tuple[str, str, str]]:
    """Every {nl, en} text in a data file, with where it stands."""
    if isinstance(node, dict):
        own = [(path, node["nl"], node["en"])] if isinstance(node.get("nl"), str) else []
        return own + [p for k, v in node.items() for p in _pairs(v, f"{path}/{k}")]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _pairs(v, f"{path}/{i}")]
    return []


@pytest.fixture(scope="module")
def entries() -> list[content.Entry]:
    return [e for e in content.load() if e.source == "builtin"]


@pytest.fixture(scope="module")
def texts(entries) -> list[tuple[str, str, str]]:
    """Every user-facing text pair: entry titles and answers, and all texts of the data files."""
    found = [(f"{e.id}.{part}", getattr(e, part)["nl"], getattr(e, part)["en"])
             for e in entries for part in ("title", "answer")]
    for path in TEXT_FILES:
        found += [(f"{path.name}{where}", nl, en) for where, nl, en in _pairs(yaml.safe_load(path.read_text("utf-8")))]
    return found


def _numbers(text: str) -> Counter[str]:
    text = re.sub(r"\{[^}]*\}", " ", text)  # parameters are filled in alike in both languages
    text = re.sub(r"(?<=\d)[.,](?=\d{3}\b)", "", text)  # 125.000 / 125,000
    text = re.sub(r"(?<=\d),(?=\d)", ".", text)  # 25,5 / 25.5
    return Counter(n.lstrip("0") or "0" for n in re.findall(r"\d+(?:\.\d+)?", text))


@pytest.mark.parametrize(("section", "nl", "en"), KEY_FIGURES, ids=[f"{s}:{nl}" for s, nl, _ in KEY_FIGURES])
def test_key_figures_stand_in_their_sections_entries_in_both_languages(entries, section, nl, en):
    own = [e for e in entries if e.section == section]
    assert any(nl in _plain(e.answer["nl"]) for e in own), f"no {section} entry says {nl!r}"
    assert any(en in _plain(e.answer["en"]) for e in own), f"no {section} entry says {en!r}"


def test_no_amount_percentage_or_article_but_the_handbooks(texts):
    for where, *langs in texts:
        for text in langs:
            flat = re.sub(r"(?<=\d)[.,](?=\d{3}\b)", "", re.sub(r"\{[^}]*\}", " ", text))
            assert set(re.findall(r"€\s?(\d+)", flat)) <= HANDBOOK_EUROS, (where, text)
            assert set(re.findall(r"(\d+(?:[.,]\d+)?)\s?%", flat)) <= HANDBOOK_PERCENTAGES, (where, text)
            assert set(re.findall(r"\b\d\.\d\d\b", flat)) <= HANDBOOK_ARTICLES, (where, text)


def test_dutch_and_english_name_the_same_numbers(texts):
    assert [(where, nl, en) for where, nl, en in texts if _numbers(nl) != _numbers(en)] == []


def test_roles_matrix_leaves_empty_exactly_what_bijlage_ii_leaves_empty():
    cells = set(matrix().cells)
    everything = {(role, phase) for role in ROLES for phase in PHASES}
    assert everything - cells == EMPTY_IN_BIJLAGE_II


def test_the_checks_catch_a_wrong_figure():
    assert _numbers("vanaf € 100.000, 2 %") == _numbers("from €100,000, 2 %")
    assert _numbers("vanaf € 150.000") != _numbers("from €100,000")
    assert not {"150000"} <= HANDBOOK_EUROS
