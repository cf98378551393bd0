"""`python app.py ask` as a subprocess: the JSON shape of DESIGN.md, languages and --org."""

from __future__ import annotations

import asyncio
import json

from conftest import run_app

from bot.repository import StoreRegistry
from knowledge.records import OrgEntry

KEYS = {"id", "section", "title", "answer", "confidence", "language", "alternatives"}


def ask_json(tmp_path, *args: str) -> dict:
    done = run_app("ask", "--json", *args, data_dir=tmp_path / "data")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_json_has_the_design_shape(tmp_path):
    out = ask_json(tmp_path, "Wat is een voorbehouden opdracht?")
    assert set(out) == KEYS
    assert out["id"] == "voorbehouden-opdracht" and out["section"] == "2Ab"
    assert out["language"] == "nl" and "2.82" in out["answer"] and "30 %" in out["answer"]
    assert isinstance(out["confidence"], float) and 0 <= out["confidence"] <= 1
    for alt in out["alternatives"]:
        assert set(alt) == {"id", "section", "title", "confidence"}


def test_the_existing_contract_question_is_answered_from_2B(tmp_path):
    for question in ("hoe begin ik met een bestaand contract?", "how do I start with an existing contract?"):
        out = ask_json(tmp_path, question)
        assert out["section"] == "2B", question
    assert out["language"] == "en" and "existing contract" in out["title"].lower()


def test_the_question_language_picks_the_answer_language_and_lang_overrides(tmp_path):
    assert ask_json(tmp_path, "What is a reserved contract?")["language"] == "en"
    out = ask_json(tmp_path, "--lang", "en", "Wat is een voorbehouden opdracht?")
    assert out["language"] == "en" and "reserved contract" in out["answer"]


def test_no_answer_gives_null_id_and_a_low_confidence(tmp_path):
    out = ask_json(tmp_path, "Wat is de hoofdstad van Frankrijk?")
    assert out["id"] is None and out["section"] is None and out["answer"] is None
    assert out["confidence"] < 0.6


def test_plain_output_and_bad_input(tmp_path):
    done = run_app("ask", "Wie doet wat in stap 3?", data_dir=tmp_path / "data")
    assert done.returncode == 0 and "Bijlage II" in done.stdout and "**" not in done.stdout
    done = run_app("ask", "   ", data_dir=tmp_path / "data")
    assert done.returncode == 2 and "question" in done.stderr
    done = run_app("ask", "--org", "", "vraag", data_dir=tmp_path / "data")
    assert done.returncode == 2 and "--org" in done.stderr


def test_org_makes_the_organisations_own_entries_count(tmp_path):
    data = tmp_path / "data"

    async def add() -> None:
        repo = StoreRegistry(data).repo("gemeente-a")
        await repo.add(OrgEntry(question="Waar staat het inkoopregister van onze gemeente?",
                                answer="Op het intranet onder Inkoop > Register.", lang="nl"))

    asyncio.run(add())
    question = "waar vind ik het inkoopregister van de gemeente"
    own = ask_json(tmp_path, "--org", "gemeente-a", question)
    assert own["id"] == "org:1" and "intranet" in own["answer"]
    assert ask_json(tmp_path, "--org", "gemeente-b", question)["id"] != "org:1"
    assert ask_json(tmp_path, question)["id"] != "org:1"
