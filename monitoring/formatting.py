"""Numbers, dates and period names as Dutch or English readers expect them (1.326,5 uur / 1,326.5 hours)."""

from __future__ import annotations

from datetime import date

from bot.i18n import t
from bot.markdown import Md
from monitoring.periods import Period


def number(value: float | int | None, lang: str, decimals: int = 0) -> str:
    """Grouped thousands and a fixed number of decimals; '–' for a missing value."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def hours(value: float, lang: str) -> str:
    """Hours without decimals when whole, else one decimal."""
    return number(value, lang, 0 if float(value).is_integer() else 1)


def month_name(month: int, lang: str) -> str:
    return str(t(f"monitoring.month.{month}", lang))


def day(value: date, lang: str) -> str:
    """'1 oktober 2026' / '1 October 2026'."""
    return f"{value.day} {month_name(value.month, lang)} {value.year}"


def period_label(period: Period, lang: str) -> str:
    """'november 2026', 'Q4 2026', 'H2 2026' for calendar periods; otherwise the dates."""
    if period.calendar_aligned:
        year = period.start.year
        if period.months == 1:
            return f"{month_name(period.start.month, lang)} {year}"
        if period.months == 3:
            return f"Q{(period.start.month - 1) // 3 + 1} {year}"
        if period.months == 6:
            return f"H{(period.start.month - 1) // 6 + 1} {year}"
    return f"{day(period.start, lang)} – {day(period.end, lang)}"


MAX_MISSING = 3
"""Missing periods named in a reply; older ones are counted. Digest, results and home share this."""


def missing_periods(periods: list[Period], lang: str) -> Md:
    """'oktober 2026, november 2026, december 2026 (en nog 1 eerdere periode)': the latest by name."""
    text = ", ".join(period_label(p, lang) for p in periods[-MAX_MISSING:])
    if len(periods) > MAX_MISSING:
        text += str(t("monitoring.missing_earlier", lang, count=len(periods) - MAX_MISSING))
    return Md(text)  # period names are the bot's own words
