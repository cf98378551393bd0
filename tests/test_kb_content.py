"""The knowledge base's content: every section covered, enough ways to ask, short answers in our own words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot import sections
from bot.i18n import LANGUAGES
from bot.records import ROLES
from knowledge import content
from knowledge.content import Entry, problems
from knowledge.roles import PHASES, RolesMatrix, matrix

ROOT = Path(__file__).resolve().parent.parent
# The handbook lives beside the repository (../shared), or beside the worktrees' parent directory.
HANDBOOK = next((p for p in (base / "shared" / "handbook" / "handreiking-partnerships-voor-meer-banen.md"
                             for base in (ROOT.parent, ROOT.parent.parent)) if p.exists()), ROOT / "missing")

# Terms the issue says people ask about, each with an entry of its own (id → a word its title must contain).
TERMS = {
    "sroi-wat-is": "SROI", "banenafspraak": "banenafspraak", "doelgroepregister": "doelgroepregister",
    "quotumwet": "quotumwet", "mvi": "MVI", "maatwerk-voor-mensen": "Maatwerk voor Mensen",
    "voorbehouden-opdracht": "2.82", "percelen": "2.18", "onderhands-gunnen": "drempels",
    "sociale-onderneming": "werkplaats", "marktconsultatie": "Marktconsultatie", "leidraad-spelregels": "spelregels",
    "sroi-uitvragen": "vraag je social return uit", "wanneer-sroi": "social return", "sroi-hoeveel": "social return",
    "wezenlijke-wijziging": "wezenlijke wijziging", "personeelsschouw": "Personeelsschouw",
    "stapelbanen": "Stapelbanen", "baancreatie": "job carving", "jobcoach": "Jobcoaching", "vog": "VOG",
    "avg-monitoring": "AVG", "verloonde-uren": "Verloonde uren", "werkgroep": "werkgroep",
    "rollen-overzicht": "Rollen", "sodexo-dji": "Sodexo", "universiteit-utrecht": "Utrecht",
}


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return content.load()


def test_the_content_has_no_problems(entries):
    assert problems(entries) == []


def test_every_section_code_has_an_entry(entries):
    covered = {e.section for e in entries}
    assert [code for code in sections.codes() if code not in covered] == []


def test_the_terms_people_ask_about_have_their_own_entry(entries):
    by_id = {e.id: e for e in entries}
    for entry_id, word in TERMS.items():
        assert entry_id in by_id, entry_id
        assert word.lower() in by_id[entry_id].title["nl"].lower(), entry_id


def test_entries_have_six_ways_to_ask_per_language_and_short_answers(entries):
    for e in entries:
        for lang in LANGUAGES:
            assert len(set(e.questions[lang])) >= 6, (e.id, lang)
            assert 0 < len(e.answer[lang].split()) <= content.MAX_ANSWER_WORDS, (e.id, lang)


def test_problems_are_reported_for_broken_entries(entries):
    good = entries[0]
    broken = Entry(id="Bad Id", section="9z", title={"nl": "x"}, answer={"nl": "woord " * 130, "en": "x"},
                   questions={"nl": ["a"], "en": ["b"] * 6}, related=("does-not-exist",), walkthrough="intro")
    found = "\n".join(problems([good, broken, good]))
    for expected in ("used twice", "lower-case slug", "unknown section", "title.en missing", "130 words",
                     "questions.nl has 1", "questions.en has 1", "does-not-exist", "not a step"):
        assert expected in found, expected


def test_walkthroughs_name_steps_the_walkthrough_can_start(entries):
    startable = {*sections.STEP_ORDER, *content.STEP_CODES}
    offered = {e.walkthrough for e in entries if e.walkthrough}
    assert offered <= startable
    assert {"1", "2B", "4a"} <= offered


def test_answers_keep_the_list_layout(entries):
    werkgroep = next(e for e in entries if e.id == "werkgroep")
    assert "\n- **inkoop**;" in werkgroep.answer["nl"]
    assert "\n\n" in werkgroep.answer["nl"]  # the sentence after the list is a paragraph of its own


def test_the_hours_per_job_constant_is_filled_in(entries):
    job = next(e for e in entries if e.id == "baan-uren")
    assert "25,5" in job.answer["nl"] and "25.5" in job.answer["en"]
    assert not any("{" in e.answer[lang] for e in entries for lang in LANGUAGES)


def test_roles_matrix_covers_every_role_and_phase():
    data = yaml.safe_load((ROOT / "knowledge/data/roles.yaml").read_text("utf-8"))
    assert set(data["roles"]) == set(ROLES)
    assert set(map(str, data["phases"])) == set(PHASES)
    m = matrix()
    for phase in PHASES:
        assert any((role, phase) in m.cells for role in ROLES), phase
    assert ("executive", "1") in m.cells and ("contract_manager", "4") in m.cells
    assert ("executive", "2b") not in m.cells  # an empty cell in Bijlage II stays empty


def test_roles_matrix_refuses_unknown_roles():
    data = yaml.safe_load((ROOT / "knowledge/data/roles.yaml").read_text("utf-8"))
    data["roles"]["janitor"] = {"aliases": ["janitor"], "tasks": {}}
    with pytest.raises(ValueError, match="janitor"):
        RolesMatrix(data)


@pytest.mark.skipif(not HANDBOOK.exists(), reason="the handbook is not next to this checkout")
def test_no_entry_repeats_the_handbook_word_for_word():
    def words(text: str) -> list[str]:
        return re.findall(r"[0-9a-zà-ÿ]+", text.lower())

    book = words(HANDBOOK.read_text("utf-8"))
    runs = {" ".join(book[i:i + 10]) for i in range(len(book) - 9)}
    for path in sorted((ROOT / "knowledge").rglob("*.yaml")):
        text = words(path.read_text("utf-8"))
        copied = [" ".join(text[i:i + 10]) for i in range(len(text) - 9) if " ".join(text[i:i + 10]) in runs]
        assert copied == [], (path.name, copied[:1])
