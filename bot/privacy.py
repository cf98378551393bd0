"""The AVG guard: free text we store must not hold data that identifies a person.

Suppliers may not hand over traceable personal data (step 4a), and what a working group writes
down is shown again to others, so free text (monitoring remarks, evaluations, the walk-through's
text fields) is refused when it contains a BSN (a 9-digit number that passes the 11-check; other
9-digit numbers are fine), an e-mail address, a phone number (Dutch 06/0xx numbers, +31/0031, or
any +country number) or a date of birth (a date with a birth word nearby, or a full date from a
plausible birth year). Fields that ask for no names at all (monitoring remarks) also refuse a person
named in an obvious form: 'de heer Jansen', 'mevrouw De Boer', 'Mrs Smith', 'Jan de Vries (1985)'.
"""

from __future__ import annotations

import re
from datetime import date

from bot.i18n import t
from bot.markdown import Md
from bot.values import ValidationError, parse_date

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
_ADDRESSED = re.compile(
    r"(?<![\w.])(?:(?i:de\s+heer|heer|meneer|mevrouw|mevr\.?|mw\.|dhr\.?|mr\.)|Mr|Mrs\.?|Ms\.?|Miss|Madam)\s+"
    r"(?:[A-Z]\.\s*)*" + _PARTICLES + _NAME)
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


def _is_person(text: str, today: date) -> bool:
    """A person named as such: 'de heer Jansen', 'mevrouw De Boer', 'Mrs Smith', or a name with a birth year."""
    if _ADDRESSED.search(text):
        return True
    return any(today.year - 100 <= int(m.group(1)) <= today.year - MIN_AGE for m in _NAME_YEAR.finditer(text))


def find_personal_data(text: str, today: date, names: bool = False) -> str | None:
    """The kind of personal data found in `text` (one of KINDS), or None when it looks clean.

    With `names`, also a person's name in an obvious form (for fields that ask for no names at all, such
    as monitoring remarks; elsewhere a name can be a colleague or a supplier's contact)."""
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
    if names and _is_person(text, today):
        return "name"
    return None


def privacy_message(text: str, today: date, lang: str, label: str, names: bool = False) -> Md | None:
    """The refusal for free text that holds personal data, or None when it is clean."""
    kind = find_personal_data(text, today, names)
    if kind is None:
        return None
    return t("privacy.refused", lang, field=label, what=t(f"privacy.{kind}", lang))
