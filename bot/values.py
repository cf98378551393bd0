"""Turning what people type or pick (dates, numbers, times) into values, with a clear message if not."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.i18n import TEXTS, t
from bot.markdown import Md


class ValidationError(ValueError):
    """A value was refused. `message(lang)` explains it to the user in their language."""

    def __init__(self, key: str, field: str | None = None, **params: Any) -> None:
        super().__init__(f"{key} ({field})" if field else key)
        self.key = key
        self.field = field
        self.params = params

    def message(self, lang: str, field_label: str | None = None) -> Md:
        """The explanation; the field is named by `field_label`, else by its label in bot/texts.yaml."""
        label = field_label
        if label is None and self.field:
            label = t(f"field.{self.field}", lang) if TEXTS.has(f"field.{self.field}") else self.field
        return t(f"validation.{self.key}", lang, field=field_name(label or ""), **self.params)


def field_name(label: str) -> str:
    """A field's label as the start of a message about it ("{field}: …"): a label that asks ("Hoe vaak?") or
    ends in a colon would otherwise read "Hoe vaak?: …"."""
    name = label.rstrip().rstrip("?:").rstrip() or label
    return Md(name) if isinstance(label, Md) else name  # a trusted label stays trusted (not escaped again)


_DMY = re.compile(r"^(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{4})$")
_MONTHS = {
    "jan": 1, "januari": 1, "january": 1, "feb": 2, "februari": 2, "february": 2, "mrt": 3, "mar": 3,
    "maart": 3, "march": 3, "apr": 4, "april": 4, "mei": 5, "may": 5, "jun": 6, "juni": 6, "june": 6,
    "jul": 7, "juli": 7, "july": 7, "aug": 8, "augustus": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "okt": 10, "oct": 10, "oktober": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}
_TEXT_DATE = re.compile(r"^(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})$")
_DAY_MONTH = re.compile(r"^(\d{1,2})\s+([a-z]+)\.?$")
# Relative dates people type. "volgende week" is the same weekday one week on; a weekday name is the next such
# day after today (on a Friday, "vrijdag" is a week later), also with "aanstaande"/"volgende"/"this"/"next".
_DAYS_AHEAD = {"vandaag": 0, "today": 0, "morgen": 1, "tomorrow": 1, "overmorgen": 2, "day after tomorrow": 2,
               "volgende week": 7, "next week": 7, "over een week": 7, "in a week": 7}
_WEEKDAYS = {"maandag": 0, "monday": 0, "dinsdag": 1, "tuesday": 1, "woensdag": 2, "wednesday": 2,
             "donderdag": 3, "thursday": 3, "vrijdag": 4, "friday": 4, "zaterdag": 5, "saturday": 5,
             "zondag": 6, "sunday": 6}
_WEEKDAY_PREFIXES = ("aanstaande ", "volgende ", "this ", "next ")


def relative_date_words() -> list[str]:
    """Every relative date phrase parse_date understands when it knows today, longest first (for regexes)."""
    words = list(_DAYS_AHEAD) + list(_WEEKDAYS) + [p + d for p in _WEEKDAY_PREFIXES for d in _WEEKDAYS]
    return sorted(words, key=len, reverse=True)


def _relative(text: str, today: date) -> date | None:
    text = " ".join(text.split())
    if text in _DAYS_AHEAD:
        return today + timedelta(days=_DAYS_AHEAD[text])
    for prefix in _WEEKDAY_PREFIXES:
        text = text.removeprefix(prefix)
    if text in _WEEKDAYS:
        return today + timedelta(days=(_WEEKDAYS[text] - today.weekday() - 1) % 7 + 1)
    m = _DAY_MONTH.match(text)  # "12 december" without a year: the next one from today
    if m and m.group(2) in _MONTHS:
        month, day = _MONTHS[m.group(2)], int(m.group(1))
        for year in (today.year, today.year + 1):
            try:
                found = date(year, month, day)
            except ValueError:
                continue
            if found >= today:
                return found
    return None


def parse_date(value: Any, field: str | None = None, *, today: date | None = None) -> date:
    """A date from ISO (2026-03-01), Dutch order (1-3-2026, 01/03/2026) or words (1 maart 2026). Given `today`
    (from services.clock), also "morgen", "overmorgen", "volgende week", "vrijdag", "12 december" and the English
    words. A date that has the right shape but does not exist (31-2-2027) gets its own message."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("date", field)
    text = value.strip().lower()
    if today is not None and (found := _relative(text, today)) is not None:
        return found
    try:
        return date.fromisoformat(text[:10]) if re.match(r"^\d{4}-\d{2}-\d{2}", text) else _other(text)
    except _Impossible:
        raise ValidationError("date_impossible", field, value=value.strip()) from None
    except ValueError:
        if re.match(r"^\d{4}-\d{2}-\d{2}$", text):
            raise ValidationError("date_impossible", field, value=value.strip()) from None
        raise ValidationError("date", field, value=value) from None


class _Impossible(ValueError):
    """The text has the shape of a date, but that day does not exist."""


def _other(text: str) -> date:
    m = _DMY.match(text)
    if m:
        return _day(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    m = _TEXT_DATE.match(text)
    if m and m.group(2) in _MONTHS:
        return _day(int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1)))
    raise ValueError(text)


def _day(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _Impossible(f"{day}-{month}-{year}") from None


def parse_number(value: Any, field: str | None = None, *, minimum: float | None = 0,
                 maximum: float | None = None, integer: bool = False) -> float | int:
    """A number from 1234, 1.234,56 (Dutch), 1,234.56, €200.000 or 200k; refuses negatives by default."""
    if isinstance(value, bool):
        raise ValidationError("number", field)
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and value.strip():
        try:
            number = _number_text(value, field)
        except ValidationError as exc:
            if integer:  # the general message's example "12,5" would be refused here
                exc.key = "whole_number"
            raise
    else:
        raise ValidationError("whole_number" if integer else "number", field)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValidationError("whole_number" if integer else "number", field)
    if minimum is not None and number < minimum:
        raise ValidationError("non_negative" if minimum == 0 else "minimum", field, minimum=minimum)
    if maximum is not None and number > maximum:
        raise ValidationError("maximum", field, maximum=maximum)
    if integer:
        if number != int(number):
            raise ValidationError("integer", field)
        return int(number)
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _number_text(value: str, field: str | None) -> float:
    text = value.strip().lower().replace("€", "").replace("eur", "").replace(" ", "").replace("\u00a0", "")
    mult = 1.0
    if text.endswith("k"):
        mult, text = 1_000.0, text[:-1]
    elif text.endswith(("mln", "m")):
        mult, text = 1_000_000.0, text.rstrip("mln").rstrip("m")
    text = text.rstrip("%")
    if "," in text and "." in text:
        # the last separator is the decimal one
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        head, _, tail = text.rpartition(",")
        thousands = len(tail) == 3 and head.lstrip("-").isdigit()
        text = text.replace(",", "") if thousands else text.replace(",", ".")
    elif text.count(".") > 1 or re.fullmatch(r"-?\d{1,3}\.\d{3}", text):
        text = text.replace(".", "")
    try:
        return float(text) * mult
    except ValueError:
        raise ValidationError("number", field, value=value) from None


def parse_id(value: Any) -> int | None:
    """The number in a button value, a form's choice or a typed "3": up to 18 ASCII digits, else None.

    Not `str.isdigit()` before `int()`: '²' and other digits that int() refuses pass it, and a string
    of thousands of digits is refused by int() too (Python's 4300-digit limit), both as a crash."""
    text = value if isinstance(value, str) else str(value) if isinstance(value, int) and not isinstance(value, bool) \
        else ""
    return int(text) if 0 < len(text) <= 18 and text.isascii() and text.isdigit() else None


def parse_time(value: Any, field: str | None = None) -> time:
    """A time of day from 9:00, 09.30 or 9 (hours)."""
    if isinstance(value, time):
        return value
    text = str(value or "").strip().replace(".", ":").lower().removesuffix("u").strip()
    m = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?", text)
    if not m or int(m.group(1)) > 23 or int(m.group(2) or 0) > 59:
        raise ValidationError("time", field, value=str(value))
    return time(int(m.group(1)), int(m.group(2) or 0))


def parse_bool(value: Any, field: str | None = None) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in ("true", "1", "ja", "yes", "j", "y", "on", "waar"):
        return True
    if text in ("false", "0", "nee", "no", "n", "off", "onwaar", ""):
        return False
    raise ValidationError("boolean", field, value=str(value))


def check_timezone(name: str, field: str | None = None) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError("timezone", field, value=name) from None
    return name


def printable(text: str) -> str:
    """`text` without control characters (newlines and tabs stay), trimmed."""
    return "".join(ch for ch in text if ch in "\n\t" or ch.isprintable()).strip()


def check_text(value: Any, field: str | None = None, *, required: bool = True, max_length: int = 500) -> str:
    """A single clean line or paragraph of text: trimmed, no control characters, not too long."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        value = str(value)
    text = printable(value)
    if required and not text:
        raise ValidationError("required", field)
    if len(text) > max_length:
        raise ValidationError("too_long", field, maximum=max_length)
    return text
