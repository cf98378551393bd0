"""The document builders of the walk-through: structure, both languages, and typed text kept literal."""

from __future__ import annotations

from datetime import date

from dialogs import documents


def test_brainstorm_follows_bijlage_iii_and_marks_what_is_still_open():
    doc = documents.render(documents.brainstorm("Schoonmaak", {"who": "Facilitair manager"}, "nl"), "nl")
    headings = [line[3:] for line in doc.splitlines() if line.startswith("## ")]
    assert len(headings) == len(documents.BRAINSTORM_PARTS)
    assert headings[0].startswith("WIE") and headings[-3:] == ["In beeld", "Potentie", "Vervolg"]
    assert doc.count("_nog in te vullen_") == len(documents.BRAINSTORM_PARTS) - 1


def test_typed_text_cannot_change_the_documents_structure():
    doc = documents.render(documents.leidraad({"vision": "# Geen kop\n- geen lijst\n[link](https://x.nl)"}, "nl"),
                           "nl")
    assert "\n# Geen kop" not in doc and "\\# Geen kop" in doc
    assert "\\- geen lijst" in doc and "\\[link\\]" in doc


def test_the_two_talk_agendas_have_the_items_of_tabel_2():
    people = {"theirs": ["Relatiemanager"], "ours": ["Anna"]}
    first = documents.render(documents.talk_agenda(1, "Catering", people, "10-12-2026", "nl"), "nl")
    second = documents.render(documents.talk_agenda(2, "Catering", people, "", "en"), "en")
    assert [line[:3] for line in first.splitlines() if line[:1].isdigit()] == ["1. ", "2. ", "3. ", "4. ", "5. ",
                                                                                "6. "]
    assert "10-12-2026" in first and "- Relatiemanager" in first
    assert second.startswith("# Second talk about Catering") and "to be planned" in second
    assert sum(line[:1].isdigit() for line in second.splitlines()) == 4


def test_action_plan_and_policy_outline_in_english():
    data = documents.ActionPlanData(organisation="Gemeente X", decision="Taken", goals=["Internships"],
                                    target_group=None, members=["Anna (HR expert)"], actions=[], meetings=None,
                                    partners=["UWV"])
    plan = documents.render(documents.action_plan(data, "en", date(2026, 11, 23)), "en")
    assert plan.startswith("# Action plan Partnerships for more jobs — Gemeente X")
    assert "2026-11-23" in plan and "## Actions (owner and deadline)\n\n_still to fill in_" in plan
    policy = documents.render(documents.policy({"results": ["Five jobs", "Two internships"]}, "en"), "en")
    assert "- Five jobs\n- Two internships" in policy and "## Preconditions" in policy


def test_a_documents_title_shows_the_contract_as_typed():
    doc = documents.render(documents.talk_agenda(1, "Schoonmaak stadhuis (CleanCo)", {}, "", "nl"), "nl")
    assert doc.startswith("# Eerste gesprek over Schoonmaak stadhuis (CleanCo)\n")
