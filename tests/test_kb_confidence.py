"""When the knowledge base is sure enough to answer: questions that only borrow the handbook's words get no
confident answer, generic words get "did you mean", and the facts the handbook does give are answered from
the sub-step that gives them."""

from __future__ import annotations

import pytest

from knowledge.base import default_base
from knowledge.text import tokens


@pytest.mark.parametrize(("question", "lang"), [
    ("Hoe vraag ik een VOG aan voor een nieuwe collega?", "nl"),            # how to apply: not in the handbook
    ("How do I register someone in the UWV target group register?", "en"),
    ("Wat kost een jobcoach per uur?", "nl"),                               # a price
    ("What does a job coach cost per hour?", "en"),
    ("Hoeveel verdient een schoonmaker volgens de cao?", "nl"),             # a wage
    ("How high is the quota levy per unfilled job?", "en"),                 # an amount the handbook lacks
    ("Hoe hoog zijn de Europese drempelbedragen?", "nl"),
    ("Wie is de minister van SZW?", "nl"),                                  # a person
    ("Hoe zit het met mijn pensioen bij het ABP?", "nl"),
    ("How many days of leave do I have left?", "en"),
])
def test_questions_that_only_borrow_the_handbooks_words_get_no_confident_answer(question, lang):
    assert not default_base().ask(question, lang).answered, question


@pytest.mark.parametrize(("question", "lang", "section"), [
    ("Hoeveel verloonde uren tellen als één baan?", "nl", "4a"),             # a figure the entry gives
    ("How many jobs does the public sector have to create?", "en", "intro"),
    ("Moet iedere medewerker van de leverancier een VOG hebben?", "nl", "praktijk-sodexo"),
    ("Hoe vraag ik social return uit in een aanbesteding?", "nl", "2Ad"),
])
def test_the_facts_the_handbook_gives_are_answered(question, lang, section):
    outcome = default_base().ask(question, lang)
    assert outcome.answered and outcome.entry.section == section, question


@pytest.mark.parametrize(("question", "lang"), [("contract", "nl"), ("aanbesteding", "nl"), ("tender", "en"),
                                                ("supplier", "en")])
def test_a_single_generic_word_gets_did_you_mean(question, lang):
    outcome = default_base().ask(question, lang)
    assert not outcome.answered and outcome.suggests, question


@pytest.mark.parametrize(("question", "lang", "section"), [
    ("Met welk contract beginnen we bij onze bestaande leveranciers?", "nl", "2Ba"),   # not the 2B overview
    ("Which supplier should we start with?", "en", "2Ba"),
    ("HR en inkoop werken nooit samen, hoe gaan we daarmee om?", "nl", "1e"),
    ("What should be in the job description of an SROI coordinator?", "en", "5b"),
    ("Heeft elk ministerie een MVI-actieplan?", "nl", "bijlage-4"),
    ("What happens after the exploratory talks?", "en", "3"),
    ("How many paid hours count as one job?", "en", "4a"),
    ("Wat doet de inkoper als we social return in een aanbesteding vragen?", "nl", "2Ad"),
    ("Wie is de budgethouder die we bij stap 3 moeten betrekken?", "nl", "3c"),
])
def test_a_question_about_a_sub_step_is_answered_from_it(question, lang, section):
    outcome = default_base().ask(question, lang)
    assert outcome.answered and outcome.entry.section == section, question


def test_dutch_separable_verbs_are_read_as_one_verb():
    assert "aanvragen" in tokens("Hoe vraag ik een VOG aan voor een collega?")
    assert "aanvragen" not in tokens("Wat vraag ik aan de directie?")  # there "aan" belongs to "de directie"
    assert sorted(tokens("Hoe vraag ik social return uit?")) == sorted(tokens("social return uitvragen"))
