"""The AVG guard on free text: BSNs (by the 11-check), e-mail addresses, phone numbers, dates of birth."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.privacy import bsn_valid, find_personal_data, privacy_message

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
