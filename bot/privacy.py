"""The AVG guard: free text we store must not hold data that identifies a person.

Suppliers may not hand over traceable personal data (step 4a), and what a working group writes
down is shown again to others, so free text (monitoring remarks, evaluations, the walk-through's
text fields) is refused when it contains a BSN (a 9-digit number that passes the 11-check; other
9-digit numbers are fine), an e-mail address, a phone number (Dutch 06/0xx numbers, +31/0031, or
any +country number) or a date of birth (a date with a birth word nearby, or a full date from a
plausible birth year).

Fields that ask for no names at all (monitoring remarks, evaluation answers) also refuse a person's name:
addressed ('de heer Jansen', 'mevrouw De Boer', 'Mrs Smith'), with a birth year ('Jan de Vries (1985)'),
or written plainly: a known given name (data/person_names.yaml) followed by particles and a capitalised
surname ('Jan de Vries', 'Fatima El Amrani', 'Anna Jansen') or by the surname's initial ('Mohammed B.'),
or initials and a surname ('J. de Vries', 'A.B. Jansen').

To keep false alarms rare these pass: a given name alone ('Mark', 'Ben benieuwd'), lowercase names,
capitalised words that are no given name ('Sociale Werkplaats Utrecht', 'De Vries Schoonmaak B.V.'),
a month or a sentence-start word after a given name ('Jan 2026', 'Jan Feb Mrt', 'Plan B. Daarna'),
legal forms that look like initials ('Groen B.V. Levert'), and a company named after a person: followed
by a legal form or a company word ('Jan de Vries Schoonmaak B.V.', 'Jan de Vries en Zonen'), after a
company word ('schoonmaakbedrijf Jan de Vries'), a listed brand ('Albert Heijn'), or a street
('Jan van Galenstraat').
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from bot.i18n import t
from bot.markdown import Md
from bot.values import ValidationError, field_name, parse_date
from bot.yamldata import load_yaml

KINDS = ("bsn", "email", "phone", "birthdate", "name")
MIN_AGE = 15
"""A full date at least this many years back reads as somebody's date of birth."""

_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
_BSN = re.compile(r"(?<![\d])(?:\d{9}|\d{3}([ .\-])\d{3}\1\d{3}|\d{4}([ .\-])\d{2}\2\d{3})(?![\d])")
_PHONE_INTERNATIONAL = re.compile(
    r"(?<![\w+])(?:\+|00)\s?\d{1,3}[\s.\-]*(?:\(0\)[\s.\-]*)?\d(?:[\s.\-]?\d){6,11}(?!\d)")
_PHONE_DUTCH = re.compile(r"(?<![\d])\(?0\d{1,3}\)?(?:[\s.\-]?\d){6,8}(?!\d)")
_MONTH_WORDS = (r"jan(?:uari|uary)?|feb(?:ruari|ruary)?|maart|march|mrt|mar|apr(?:il)?|mei|may|jun[ei]?|"
                r"jul[iy]?|aug(?:ustus|ust)?|sept?(?:ember)?|o[ck]t(?:ober)?|nov(?:ember)?|dec(?:ember)?")
_DATE = re.compile(
    r"(?<![\d])(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|\d{1,2}\s+(?:" + _MONTH_WORDS + r")\.?\s+\d{4})"
    r"(?![\d])", re.IGNORECASE)
_SHORT_DATE = re.compile(r"(?<![\d])\d{1,2}[-/.]\d{1,2}[-/.]\d{2}(?![\d])")
_YEAR = re.compile(r"(?<![\d])(?:19|20)\d{2}(?![\d])")
_BIRTH = re.compile(r"\b(?:geb\b\.?|geboren|geboorte\w*|born|birth\w*|d\.?o\.?b\.?|verjaardag|jarig)", re.IGNORECASE)


_NAME = r"[A-Z][a-zà-ÿ'’]+(?:-[A-Z][a-zà-ÿ'’]+)?"
_PARTICLES = r"(?:(?:van|de|der|den|het|ten|ter|te|in|'t|von|la|le|du|d')\s+)*"
_GAP = r"[^\S\r\n]+"
_PLAIN_PARTICLE = r"(?i:van|de|der|den|het|ten|ter|te|'t|op|in|von|la|le|du|da|di|dos|el|al|ben|bin|ibn|abu)" + _GAP
_ADDRESSED = re.compile(
    r"(?<![\w.])(?:(?i:de\s+heer|heer|meneer|mevrouw|mevr\.?|mw\.|dhr\.?|mr\.)|Mr|Mrs\.?|Ms\.?|Miss|Madam)\s+"
    r"(?:[A-Z]\.\s*)*(?:" + _PLAIN_PARTICLE + r")*+" + _NAME)
_NAME_YEAR = re.compile(
    r"\b" + _NAME + r"\s+" + _PARTICLES + _NAME + r"\s*(?:\(\s*|,\s*)((?:19|20)\d{2})\b(?!\s*-)")
"""A first name and surname followed by a year in brackets or after a comma: 'Jan de Vries (1985)'."""


def bsn_valid(digits: str) -> bool:
    """The 11-check ("elfproef") of a Dutch citizen service number: 9×d1 + 8×d2 + … + 2×d8 − d9 ≡ 0 (mod 11)."""
    if len(digits) != 9 or not digits.isdigit() or int(digits) == 0:
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:8], range(9, 1, -1), strict=True))
    return (total - int(digits[8])) % 11 == 0


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _is_phone(text: str) -> bool:
    for m in _PHONE_INTERNATIONAL.finditer(text):
        if len(_digits(m.group())) >= 9:
            return True
    return any(len(_digits(m.group())) == 10 for m in _PHONE_DUTCH.finditer(text))


def _dates(text: str) -> list[date]:
    found = []
    for m in _DATE.finditer(text):
        try:
            found.append(parse_date(re.sub(r"\s+", " ", m.group())))
        except ValidationError:
            continue
    return found


def _is_birthdate(text: str, today: date) -> bool:
    dates = _dates(text)
    if _BIRTH.search(text) and (dates or _SHORT_DATE.search(text) or _YEAR.search(text)):
        return True
    return any(today.year - 100 <= d.year <= today.year - MIN_AGE for d in dates)


_SURNAME = r"(?P<surname>(?:[dD]['’]|(?i:el|al)-)?[^\W\d_]+(?:['’-][^\W\d_]+)*)"
_WORD = re.compile(r"(?<![\w'’.&-])[^\W\d_]+(?:-[^\W\d_]+)*")
_AFTER_FIRST_NAME = re.compile(_GAP + r"(?:" + _PLAIN_PARTICLE + r")*+" + _SURNAME)
"""After a given name: particles ('van der', 'El') and a surname. Possessive, so 'Jan van der' has none."""
_SURNAME_INITIAL = re.compile(_GAP + r"[A-Z]\.(?![\w.])")
"""After a given name: the surname's initial, as the papers write it ('Mohammed B.'), not a legal form ('B.V.')."""
_INITIALS = re.compile(r"(?<![\w.&'’-])(?P<initials>(?:[A-Z]\.[^\S\r\n]?){0,3}[A-Z]\.)" + _GAP +
                       r"(?:" + _PLAIN_PARTICLE + r")*+" + _SURNAME)
_NOT_INITIALS = frozenset({"BV", "NV", "VOF", "CV", "UA", "BVBA", "NB", "PS", "VS", "EU", "VK", "TV"})
"""Legal forms and abbreviations written like initials: 'Groen B.V. Levert', 'N.B. Twee plekken'."""
_PLACE_ENDINGS = ("straat", "laan", "weg", "plein", "kade", "gracht", "singel", "dreef", "plantsoen", "park",
                  "school", "college", "lyceum", "ziekenhuis", "stadion", "museum", "kazerne", "centrum")
"""A surname that ends like this names a street or building after a person: 'Jan van Galenstraat'."""
_COMPANY_BEFORE = re.compile(r"(?i:\b(?:\w*bedrijf|firma|fa\.|onderneming|stichting|supermarkt|winkel|zaak|bakkerij|"
                             r"garage|restaurant|company|firm|shop)[^\S\r\n]+)$")
_COMPANY_AFTER = re.compile(
    r"(?:[^\S\r\n]+[A-Z][^\W\d_]*)?[^\S\r\n]*,?[^\S\r\n]*"
    r"(?:&[^\S\r\n]*(?:Zn|Zonen|Co|Partners)\b|(?:en|and)[^\S\r\n]+(?:Zonen|Zn|Partners)\b|"
    r"(?:B\.?V|N\.?V|V\.?O\.?F|C\.?V|B\.?V\.?B\.?A)\.?(?!\w)|"
    r"(?:Holding|Groep|Group|Stichting|Foundation|Fonds|Bouw|Schoonmaak|Installatie|Techniek|Services)\b)")
"""A company named after a person: 'Jan de Vries B.V.', 'Jan de Vries Schoonmaak B.V.', 'Jan de Vries & Zn'."""


@dataclass(frozen=True)
class _Names:
    first: frozenset[str]
    not_surnames: frozenset[str]
    organisations: frozenset[str]


@cache
def _names() -> _Names:
    raw = load_yaml(Path(__file__).with_name("data").joinpath("person_names.yaml").read_text("utf-8"))
    return _Names(first=frozenset(map(str, raw["first_names"])), not_surnames=frozenset(map(str, raw["not_surnames"])),
                  organisations=frozenset(str(o).casefold() for o in raw["organisations"]))


def _is_surname(word: str, names: _Names) -> bool:
    core = re.sub(r"^(?:[dD]['’]|(?i:el|al)-)", "", word)
    if len(core) < 2 or not core[0].isupper() or core.isupper() or core in names.not_surnames:
        return False
    lower = core.lower()
    return not any(lower.endswith(end) and len(lower) >= len(end) + 4 for end in _PLACE_ENDINGS)


def _is_company(text: str, start: int, end: int, names: _Names) -> bool:
    """The name at text[start:end] is (part of) a company's name, not a person's."""
    if " ".join(text[start:end].split()).casefold() in names.organisations:
        return True
    return bool(_COMPANY_BEFORE.search(text[max(0, start - 40):start]) or _COMPANY_AFTER.match(text, end))


def _plain_name(text: str) -> str | None:
    """A person's name written plainly: a known given name or initials, particles and a capitalised surname."""
    names = _names()
    for word in _WORD.finditer(text):
        if word.group() not in names.first and word.group().split("-")[0] not in names.first:
            continue
        after = _AFTER_FIRST_NAME.match(text, word.end())
        if after and _is_surname(after["surname"], names) and not _is_company(text, word.start(), after.end(), names):
            return text[word.start():after.end()]
        initial = _SURNAME_INITIAL.match(text, word.end())
        if initial:
            return text[word.start():initial.end()]
    for m in _INITIALS.finditer(text):
        if re.sub(r"[.\s]", "", m["initials"]) in _NOT_INITIALS or not _is_surname(m["surname"], names):
            continue
        if not _is_company(text, m.start(), m.end(), names):
            return m.group()
    return None


def _person(text: str, today: date) -> str | None:
    """A person named in `text` (the words that name them), or None."""
    addressed = _ADDRESSED.search(text)
    if addressed:
        return addressed.group()
    for m in _NAME_YEAR.finditer(text):
        if today.year - 100 <= int(m.group(1)) <= today.year - MIN_AGE:
            return text[m.start():m.start(1)].rstrip(" \t(,")
    return _plain_name(text)


def find_personal_data(text: str, today: date, names: bool = False) -> str | None:
    """The kind of personal data found in `text` (one of KINDS), or None when it looks clean.

    With `names`, also a person's name (for fields that ask for no names at all, such as monitoring remarks
    and evaluation answers; elsewhere a name can be a colleague or a supplier's contact)."""
    if not text:
        return None
    if _EMAIL.search(text):
        return "email"
    if any(bsn_valid(_digits(m.group())) for m in _BSN.finditer(text)):
        return "bsn"
    if _is_phone(text):
        return "phone"
    if _is_birthdate(text, today):
        return "birthdate"
    if names and _person(text, today) is not None:
        return "name"
    return None


def privacy_message(text: str, today: date, lang: str, label: str, names: bool = False) -> Md | None:
    """The refusal for free text that holds personal data, or None when it is clean."""
    kind = find_personal_data(text, today, names)
    if kind is None:
        return None
    if kind == "name":  # say which words read as a name: a false alarm (a company) is then easy to spot
        name = _person(text, today) or ""
        return t("privacy.refused_name", lang, field=field_name(label), name=name)
    return t("privacy.refused", lang, field=field_name(label), what=t(f"privacy.{kind}", lang))
