"""The matcher's behaviour a user notices: typos, compounds, synonyms across languages, vague questions."""

from __future__ import annotations

import pytest

from knowledge.base import KnowledgeBase, OrgKnowledge, default_base
from knowledge.content import Entry
from knowledge.records import OrgEntry
from knowledge.text import tokens


@pytest.mark.parametrize(("question", "section"), [
    ("wat is een voorbehoude opdrach", "2Ab"),          # two typos
    ("percelnregeling", "2Ab"),                          # a letter missing
    ("what is social retrun", "intro"),                  # swapped letters
    ("hoe schrijf ik sroibeleid", "5a"),                 # a compound of two known words
    ("reserved contract", "2Ab"),                        # English words in a Dutch conversation
    ("job carving", "3a"),
    ("art. 2.82", "2Ab"),                                # an article number
    ("wat doet de contract manger in stap 3", "bijlage-2"),  # a typo in a role name
])
def test_answers_survive_typos_compounds_and_synonyms(question, section):
    outcome = default_base().ask(question, "nl")
    assert outcome.entry is not None and outcome.entry.section == section, question


def test_synonyms_fold_onto_one_token():
    assert tokens("social return on investment") == tokens("SROI") == ["sroi"]
    assert tokens("Artikel 2.82") == tokens("voorbehouden opdracht")
    assert tokens("de leverancier wil niet") == tokens("the supplier is not interested")


@pytest.mark.parametrize("question", ["leverancier banen", "inkoop", "banen"])
def test_a_vague_question_is_not_answered_with_confidence(question):
    outcome = default_base().ask(question, "nl")
    assert not outcome.answered and outcome.suggests


@pytest.mark.parametrize("question", ["hoe laat is het?", "printer", "ok", "Wat is het recept voor appeltaart?"])
def test_off_topic_messages_get_no_answer(question):
    assert not default_base().ask(question, "nl").answered


def test_two_entries_of_different_sections_close_together_lower_the_confidence():
    def entry(entry_id: str, section: str, questions: list[str]) -> Entry:
        return Entry(id=entry_id, section=section, title={"nl": entry_id, "en": entry_id},
                     answer={"nl": "x", "en": "x"}, questions={"nl": questions, "en": questions})

    kb = KnowledgeBase([entry("a", "1a", ["stapelbaan maken"]), entry("b", "3a", ["stapelbaan regelen"]),
                        entry("c", "4a", ["monitoring plannen"])])
    clear = kb.ask("monitoring plannen", "nl")
    torn = kb.ask("stapelbaan", "nl")
    assert clear.answered and clear.entry.id == "c"
    assert torn.confidence < clear.confidence and not torn.answered


def test_an_organisations_own_entries_are_matched_with_typos_and_only_there():
    org = OrgKnowledge.build([OrgEntry(id=1, question="Waar vind ik het inkoopregister van de gemeente?",
                                       answer="Op het intranet.", lang="nl")])
    kb = default_base()
    assert kb.ask("waar vind ik het inkoopregistr van onze gemeente", "nl", org).entry.id == "org:1"
    assert kb.ask("waar vind ik het inkoopregister van onze gemeente", "nl").entry is None


def test_long_questions_make_button_labels_slack_can_show():
    from knowledge.base import Outcome, Scored
    from knowledge.render import suggest_reply

    long = "Waar vind ik " + "het allerlangste register van de afdeling " * 6 + "?"
    org = OrgKnowledge.build([OrgEntry(id=7, question=long, answer="Hier.", lang="nl")])
    entry = org.entries["org:7"]
    reply = suggest_reply(Outcome("x", "nl", 0.4, None, [Scored(entry, 0.4)]), "nl")
    assert reply.choices[0].value == "kb:answer:org:7"
    assert len(reply.choices[0].label) <= 75 and reply.choices[0].label.endswith("…")


def test_a_repeated_question_is_answered_from_memory_until_the_organisation_adds_an_entry():
    kb = default_base()
    question = "waar vind ik het inkoopregister van onze gemeente"
    first = kb.ask(question, "nl")
    assert kb.ask(question, "nl") is first  # remembered, not matched again
    own = OrgKnowledge.build([OrgEntry(id=1, question="Waar vind ik het inkoopregister van de gemeente?",
                                       answer="Op het intranet.", lang="nl")])
    assert kb.ask(question, "nl", own).entry.id == "org:1"  # the organisation's entries count
    assert kb.ask(question, "nl").entry is None
