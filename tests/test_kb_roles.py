"""Questions about Bijlage II: what a role does in a step, who does a task, who does what in a step."""

from __future__ import annotations

import pytest

from bot.i18n import t
from bot.records import ROLES
from knowledge.base import default_base
from knowledge.roles import matrix


def ask(question: str, lang: str = "nl"):
    outcome = default_base().ask(question, lang)
    assert outcome.entry is not None, question
    return outcome.entry


@pytest.mark.parametrize(("question", "lang", "role", "phase"), [
    ("Wat doet de contractmanager in stap 4?", "nl", "contract_manager", "4"),
    ("wat moet de inkoper doen bij een nieuwe aanbesteding", "nl", "procurement_expert", "2a"),
    ("What is the role of the executive in step 1?", "en", "executive", "1"),
    ("taken van de opdrachtnemer in fase 3", "nl", "supplier_contact", "3"),
    ("What does the SROI coordinator do in step 5?", "en", "sroi_coordinator", "5"),
    ("wat doet de contractmanger in stap 2b", "nl", "contract_manager", "2b"),
])
def test_what_a_role_does_in_a_step(question, lang, role, phase):
    entry = ask(question, lang)
    assert entry.section == "bijlage-2"
    cell = matrix().cells[(role, phase)]
    assert cell.text[lang] in entry.answer[lang]
    assert t(f"role.{role}", lang) in entry.answer[lang]


def test_a_role_without_a_task_in_that_step_says_so_and_shows_who_does():
    entry = ask("Wat doet de bestuurder in stap 2b?")
    assert "geen eigen taak" in entry.answer["nl"]
    assert t("role.contract_manager", "nl") in entry.answer["nl"]


@pytest.mark.parametrize(("question", "lang", "phase"), [
    ("Wie doet wat in stap 3?", "nl", "3"), ("who does what in step 2B", "en", "2b"),
    ("rolverdeling stap 5", "nl", "5"), ("Who does what during monitoring and evaluation?", "en", "4"),
])
def test_who_does_what_in_a_step_is_a_compact_list_per_role(question, lang, phase):
    entry = ask(question, lang)
    assert entry.section == "bijlage-2"
    lines = entry.answer[lang].split("\n")[1:]
    active = [role for role in ROLES if (role, phase) in matrix().cells]
    assert len(lines) == len(active)
    for role, line in zip(active, lines, strict=True):
        assert line.startswith(f"- **{t(f'role.{role}', lang)}**")
    assert "|" not in entry.answer[lang]  # a list, not a pipe table the Markdown subset cannot show


def test_who_does_a_task():
    entry = ask("Wie doet de monitoring?")
    assert entry.section == "bijlage-2"
    assert t("role.contract_manager", "nl") in entry.answer["nl"]
    assert t("role.sroi_coordinator", "nl") in entry.answer["nl"]
    entry = ask("Who takes the policy decision?", "en")
    assert t("role.executive", "en") in entry.answer["en"]


def test_what_a_role_does_overall_lists_its_phases():
    entry = ask("Wat doet de categoriemanager?")
    assert entry.section == "bijlage-2"
    phases = [p for p in ("2a", "2b", "3") if ("category_manager", p) in matrix().cells]
    assert len(entry.answer["nl"].split("\n")) == 1 + len(phases)


def test_who_does_what_without_a_step_gives_the_overview():
    entry = ask("Wie doet wat?")
    assert entry.id == "rollen-overzicht"


def test_roles_answers_can_be_shown_again_from_their_id():
    kb = default_base()
    entry = ask("Wat doet de contractmanager in stap 4?")
    again = kb.entry(entry.id)
    assert again is not None and again.answer == entry.answer
    assert kb.entry("roles:nobody:4") is None


def test_questions_that_only_mention_a_role_are_not_taken_for_roles_questions():
    assert ask("Hoe betrek ik het bestuur bij het actieplan?").section in ("1a", "1e")
    assert ask("Wat doet een social return specialist?").section == "5b"


@pytest.mark.parametrize(("question", "lang"), [
    ("wat doet de inkoper in stap 2?", "nl"), ("what does the purchaser do in step 2?", "en"),
])
def test_step_2_without_a_track_gives_the_role_in_both_tracks(question, lang):
    entry = ask(question, lang)
    assert entry.section == "bijlage-2"
    for phase in ("2a", "2b"):
        assert matrix().cells[("procurement_expert", phase)].text[lang] in entry.answer[lang]
    assert default_base().entry(entry.id).answer == entry.answer


def test_who_does_what_in_step_2_lists_both_tracks():
    entry = ask("wie doet wat in stap 2?")
    for phase in ("2a", "2b"):
        title = t("kb.roles.table_title", "nl", phase=matrix()._phase_title(phase, "nl"))
        assert f"**{title}**" in entry.answer["nl"]


@pytest.mark.parametrize(("question", "lang", "role"), [
    ("wat doet de contractmanager?", "nl", "contract_manager"),
    ("What does the contract manager do?", "en", "contract_manager"),
    ("wat doet de inkoper?", "nl", "procurement_expert"),
    ("wat doet de hr-expert?", "nl", "hr_expert"),
])
def test_what_a_role_does_without_a_step_is_its_tasks_per_step(question, lang, role):
    entry = ask(question, lang)
    assert entry.id == f"roles:{role}"
    for phase in ("1", "2a", "2b", "3", "4", "5"):
        if (cell := matrix().cells.get((role, phase))):
            assert cell.short[lang] in entry.answer[lang]
