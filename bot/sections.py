"""The handbook's section codes (a contract: tests and the local API expose them) and their titles."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.yamldata import load_yaml

# The step plan's sub-steps in the order a walk-through visits them (route 2A/2B both listed).
STEP_ORDER = ("1a", "1b", "1c", "1d", "1e", "route", "2Aa", "2Ab", "2Ac", "2Ad", "2Ba", "2Bb",
              "3a", "3b", "3c", "4a", "4b", "5a", "5b", "5c", "5d")


@cache
def _sections() -> dict[str, dict[str, str]]:
    raw = load_yaml(Path(__file__).with_name("data").joinpath("sections.yaml").read_text("utf-8"))
    return {str(code): value for code, value in raw.items()}


def codes() -> list[str]:
    return list(_sections())


def is_code(code: str) -> bool:
    return code in _sections()


def title(code: str, lang: str) -> str:
    entry = _sections()[code]
    return entry.get(lang) or entry["nl"]


def label(code: str, lang: str, sep: str = " – ") -> str:
    """The title as a label: '1a Het bestuur betrekken' and 'Stap 1: Actieplan en draagvlak' carry their code
    already; the others get it in front ('intro – Over social return …')."""
    text = title(code, lang)
    return text if code in text.replace(":", " ").split() else f"{code}{sep}{text}"


def step_of(code: str) -> str:
    """The step a section belongs to: '2Ba' → '2B', '1a' → '1', 'route' → 'route'."""
    if code in ("route",) or not code[:1].isdigit():
        return code
    return code[:2] if len(code) > 1 and code[1] in "AB" else code[:1]
