"""Scoring the knowledge base against a labelled question set (used by the tests and bench/kb.py).

An item is a question, its language and the section it should be answered from (None: the bot
should not answer). *Top-1 section accuracy* counts, over the answerable items, how often the best
candidate (the answer, or the first "did you mean" choice) has the right section. *Confidently
wrong* counts, over all items, the answers given with confidence that have the wrong section or
should not have been given at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.yamldata import load_yaml
from knowledge.base import Outcome


@dataclass(frozen=True)
class Item:
    question: str
    lang: str
    section: str | None
    kind: str = ""


@dataclass
class Report:
    items: int = 0
    answerable: int = 0
    top1_right: int = 0
    answered_right: int = 0
    confidently_wrong: int = 0
    mistakes: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.top1_right / self.answerable if self.answerable else 0.0

    @property
    def answered_accuracy(self) -> float:
        return self.answered_right / self.answerable if self.answerable else 0.0

    @property
    def wrong_rate(self) -> float:
        return self.confidently_wrong / self.items if self.items else 0.0


def load_items(path: Path) -> list[Item]:
    data = load_yaml(path.read_text("utf-8"))
    return [Item(str(raw["q"]), lang, raw.get("section"), raw.get("kind", ""))
            for lang, rows in data.items() for raw in rows]


def top_section(outcome: Outcome) -> str | None:
    if outcome.entry is not None:
        return outcome.entry.section
    return outcome.alternatives[0].entry.section if outcome.alternatives else None


def evaluate(items: Iterable[Item], ask: Callable[[str, str], Outcome]) -> Report:
    report = Report()
    for item in items:
        outcome = ask(item.question, item.lang)
        report.items += 1
        answered = outcome.entry.section if outcome.entry is not None else None
        if item.section is not None:
            report.answerable += 1
            report.top1_right += top_section(outcome) == item.section
            report.answered_right += answered == item.section
        wrong = outcome.entry is not None and answered != item.section
        report.confidently_wrong += wrong
        if wrong or (item.section is not None and top_section(outcome) != item.section):
            got = outcome.entry.id if outcome.entry else f"(no answer; top {top_section(outcome)})"
            report.mistakes.append(f"[{item.lang}] {item.question!r}: expected {item.section}, got {got} "
                                   f"{answered or ''} conf={outcome.confidence:.2f}")
    return report
