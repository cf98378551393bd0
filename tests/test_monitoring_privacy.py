"""The AVG guard on free text: BSNs (by the 11-check), e-mail addresses, phone numbers, dates of birth, and,
where no names are asked, a person's name (addressed, with a birth year, or written plainly)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.privacy import bsn_valid, find_personal_data, privacy_message
from bot.yamldata import load_yaml

NAMES_FILE = Path(__file__).resolve().parent.parent / "bot" / "data" / "person_names.yaml"

TODAY = date(2026, 11, 25)

REFUSED = [
    # BSNs that pass the 11-check, in the ways people write them
    ("BSN 111222333 heeft 20 uur gewerkt", "bsn"),
    ("medewerker 123456782", "bsn"),
    ("nr. 123.456.782", "bsn"),
    ("nummer 1234 56 782", "bsn"),
    ("id 999999990 gestart", "bsn"),
    # e-mail addresses
    ("vragen naar jan.jansen@schoon.nl", "email"),
    ("contact: J.de-Vries+sroi@gemeente.example.org", "email"),
    # phone numbers (Dutch formats, +31/0031, and other countries)
    ("bel 06-12345678", "phone"),
    ("bel 0612345678", "phone"),
    ("tel. 06 1234 5678", "phone"),
    ("+31 6 12345678", "phone"),
    ("+31(0)612345678", "phone"),
    ("0031 20 123 4567", "phone"),
    ("(020) 123 4567", "phone"),
    ("010-1234567", "phone"),
    ("+32 2 123 45 67", "phone"),
    # dates of birth
    ("geboren 12-03-1990", "birthdate"),
    ("geb. 1-3-85", "birthdate"),
    ("date of birth: 1990-03-12", "birthdate"),
    ("born in 1990", "birthdate"),
    ("nieuwe collega, 12 maart 1985", "birthdate"),
    ("nieuwe collega, 01/03/1990", "birthdate"),
]

ALLOWED = [
    "5 mensen, samen 1.326,5 uur",
    "123456789 is ons inkoopnummer",           # nine digits that fail the 11-check
    "ordernummer 111222334",
    "gestart op 1-3-2026, contract tot 2028-12-31",
    "factuur 2026-0042 van € 12.345,67",
    "twee leerplekken, één plaatsing via het WSP",
    "",
    "Q3: 3 mensen uit het doelgroepregister, 2 via UWV",
]


@pytest.mark.parametrize(("text", "kind"), REFUSED)
def test_personal_data_is_found(text, kind):
    assert find_personal_data(text, TODAY) == kind


@pytest.mark.parametrize("text", ALLOWED)
def test_ordinary_remarks_pass(text):
    assert find_personal_data(text, TODAY) is None


NAMED = ["Jan de Vries (geb 1985) is gestart", "Pieter van den Berg (1990)", "Jan de Vries, 1985",
         "de heer Jansen werkt er nu", "Mevrouw De Boer is gestart", "mw. Bakker begon in maart",
         "dhr. P. de Groot", "Mrs Smith started", "overleg met mr. J. Smith", "Ms Jones started"]
NOT_NAMED = ["Twee plaatsingen via het WSP", "Start in januari bij Groen BV", "Groen BV (2019) levert",
             "Gemeente Utrecht, 2026", "Contract met Schoon BV sinds 2015", "Start in januari 2027 bij Van Dijk Groen",
             "Drie mensen via de Participatiewet", "De heer en mevrouw zijn aanspreekvormen",
             "Overleg via MS Teams gepland", "afstemming in ms teams", "MR Bouw levert twee leerplekken"]


@pytest.mark.parametrize("text", NAMED)
def test_a_named_person_is_refused_where_no_names_are_asked(text):
    assert find_personal_data(text, TODAY, names=True) in ("name", "birthdate")


@pytest.mark.parametrize("text", NOT_NAMED + ALLOWED)
def test_ordinary_remarks_with_organisations_and_years_pass(text):
    assert find_personal_data(text, TODAY, names=True) is None


def _with_check_digit(eight: str) -> str | None:
    total = sum(int(d) * w for d, w in zip(eight, range(9, 1, -1), strict=True))
    last = total % 11
    return eight + str(last) if last < 10 else None


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_every_number_that_passes_the_eleven_check_is_refused_and_its_neighbours_are_not(eight):
    bsn = _with_check_digit(eight)
    if bsn is None or int(bsn) == 0:
        return
    assert bsn_valid(bsn)
    assert find_personal_data(f"medewerker {bsn} gestart", TODAY) == "bsn"
    other = bsn[:8] + str((int(bsn[8]) + 1) % 10)
    assert not bsn_valid(other)
    assert find_personal_data(f"referentie {other}", TODAY) is None


@pytest.mark.parametrize(("lang", "words"), [("nl", ["burgerservicenummer", "AVG"]),
                                             ("en", ["citizen service number", "GDPR"])])
def test_refusal_explains_in_the_users_language(lang, words):
    message = privacy_message("BSN 111222333", TODAY, lang, "Opmerkingen")
    assert message is not None and all(w in message for w in words)
    assert privacy_message("alles goed", TODAY, lang, "x") is None


PLAIN_NAMES = [  # (remark, the words the refusal quotes)
    ("Jan de Vries is gestart", "Jan de Vries"),
    ("Fatima El Amrani is in dienst", "Fatima El Amrani"),
    ("Mohammed Yilmaz werkt nu 32 uur", "Mohammed Yilmaz"),
    ("Sinds maart werkt Anna Jansen bij de kantine", "Anna Jansen"),
    ("Gesprek gehad met Jan De Vries over meer uren", "Jan De Vries"),
    ("Pieter van der Berg heeft zijn startkwalificatie", "Pieter van der Berg"),
    ("Ahmed el-Amrani en nog twee anderen", "Ahmed el-Amrani"),
    ("Anne-Marie Bakker doet de opleiding", "Anne-Marie Bakker"),
    ("Hüseyin Öztürk is doorgestroomd", "Hüseyin Öztürk"),
    ("Łukasz Kowalski werkt in ploegendienst", "Łukasz Kowalski"),
    ("Mary Smith started in March", "Mary Smith"),
    ("Mohammed B. is doorgestroomd naar een vaste baan", "Mohammed B."),   # as the papers write it
    ("Gesprek met Anna J.", "Anna J."),
    ("J. de Vries werkt nu 20 uur", "J. de Vries"),
    ("A.B. Jansen begon op 1 maart", "A.B. Jansen"),
    ("Plaatsing van A. B. Bakker verlengd", "A. B. Bakker"),
    ("Contract van J.P. van den Heuvel verlengd", "J.P. van den Heuvel"),
]

PLAIN_PASSES = [
    "Twee mensen gestart via het WSP",
    "Overleg met Gemeente Utrecht gepland",
    "Stap 3 afgerond",
    "Stap 3 is klaar",
    "Sociale Werkplaats Utrecht levert de cijfers",
    "De Vries Schoonmaak B.V. levert de cijfers",        # a family name in a company name, no given name
    "Jan de Vries Schoonmaak B.V. levert de cijfers",    # a company named after its founder: a legal form follows
    "Jan de Vries en Zonen leveren twee leerplekken",
    "Opdracht gegund aan schoonmaakbedrijf Jan de Vries",
    "Albert Heijn levert twee plekken",                  # a brand named like a person
    "In januari 2026 zijn er 3 plekken bijgekomen",
    "Cijfers over Jan 2026 volgen",                     # 'Jan' the month
    "Jan Feb Mrt 2026 samen 300 uur",
    "Ben benieuwd naar de volgende periode",            # a given name that is also a word
    "Mark",                                             # a given name alone
    "Roos en Daan zijn gestart",                        # given names alone do not identify anyone
    "Gesproken met de jobcoach, Anna",
    "jan de vries is gestart",                          # lowercase: not read as a name
    "Groen B.V. Levert twee leerplekken",               # B.V. is no pair of initials
    "Roos B.V. levert twee leerplekken",                # nor after a given name
    "Mark B.Sc. begeleidt de leerlingen",
    "N.V. Nederlandse Spoorwegen doet mee",
    "Zie Art. 2.82 Aanbestedingswet",
    "Plan B. Daarna bekijken we de uren",               # a sentence-start word is no surname
    "Start in januari 2027 bij Van Dijk Groen",
    "Overleg met Nova College over de BBL",
    "Nieuwe locatie aan de Jan van Galenstraat",        # a street named after a person
    "Mohammed is gestart",
    "De leidinggevende en de jobcoach zijn tevreden",
]


@pytest.mark.parametrize(("text", "name"), PLAIN_NAMES)
def test_a_plainly_written_name_is_refused_and_quoted(text, name):
    assert find_personal_data(text, TODAY, names=True) == "name"
    message = privacy_message(text, TODAY, "nl", "Opmerkingen", names=True)
    assert message is not None and message.startswith(f'Opmerkingen: "{name}" lijkt de naam van een persoon')
    assert "AVG" in message


@pytest.mark.parametrize(("text", "name"), [("Jan de Vries (1985) is gestart", "Jan de Vries"),
                                            ("Mevrouw De Boer is gestart", "Mevrouw De Boer")])
def test_the_refusal_quotes_an_addressed_name_or_one_with_a_birth_year_without_the_rest(text, name):
    message = privacy_message(text, TODAY, "nl", "Opmerkingen", names=True)
    assert message is not None and message.startswith(f'Opmerkingen: "{name}" lijkt')


@pytest.mark.parametrize("text", PLAIN_PASSES)
def test_remarks_with_organisations_months_and_given_names_alone_pass(text):
    assert find_personal_data(text, TODAY, names=True) is None


@pytest.mark.parametrize(("text", "name"), PLAIN_NAMES[:3])
def test_names_pass_where_a_name_may_be_expected(text, name):
    """Without `names` (a contact person, a working-group member) a name is no personal data of the target group."""
    assert find_personal_data(text, TODAY) is None


def test_the_name_refusal_explains_in_english_too():
    message = privacy_message("Fatima El Amrani started", TODAY, "en", "Remarks", names=True)
    assert message is not None and '"Fatima El Amrani" looks like a person\'s name' in message
    assert "GDPR" in message and "legal form" in message


_DATA = load_yaml(NAMES_FILE.read_text("utf-8"))


@given(st.sampled_from(_DATA["first_names"]),
       st.sampled_from(["Jansen", "de Vries", "van den Berg", "El Amrani", "Yilmaz", "Kowalski", "Bakker-Smit"]))
def test_every_listed_given_name_with_a_surname_is_refused_and_alone_it_passes(first, surname):
    assert find_personal_data(f"Sinds kort werkt {first} {surname} bij ons", TODAY, names=True) == "name"
    assert find_personal_data(f"Sinds kort werkt {first} bij ons", TODAY, names=True) is None
    assert find_personal_data(f"{first} {surname} Schoonmaak B.V. levert", TODAY, names=True) is None


@given(st.sampled_from(_DATA["first_names"]), st.sampled_from(_DATA["not_surnames"]))
def test_a_month_or_a_sentence_word_after_a_given_name_is_no_surname(first, word):
    assert find_personal_data(f"{first} {word} 2026", TODAY, names=True) is None


def test_the_names_file_holds_a_few_hundred_distinct_given_names():
    first = _DATA["first_names"]
    assert len(first) >= 300 and len(set(first)) == len(first)
    assert all(isinstance(n, str) and n[0].isupper() for n in [*first, *_DATA["not_surnames"]])


async def test_an_evaluation_naming_a_person_is_never_stored_whatever_path_it_comes_by(tmp_path):
    """The forms check first; the record checks again, so a new way in cannot store a name by mistake."""
    from bot.records import Evaluation
    from bot.repository import StoreRegistry
    from bot.values import ValidationError

    repo = StoreRegistry(tmp_path).repo("org-a")
    with pytest.raises(ValidationError) as refused:
        await repo.add(Evaluation(contract_id=1, date=TODAY, answers={"impact": "Fatima El Amrani werkt nu 20 uur"}))
    assert "persoonsgegevens" in refused.value.message("nl") and "personal data" in refused.value.message("en")
    assert await repo.list(Evaluation) == []
    kept = await repo.add(Evaluation(contract_id=1, date=TODAY, answers={"impact": "Twee mensen werken nu 20 uur"}))
    assert (await repo.get(Evaluation, kept.id)).answers == {"impact": "Twee mensen werken nu 20 uur"}
