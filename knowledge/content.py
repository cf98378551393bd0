"""The built-in entries (data/entries/*.yaml): loading and checking them.

Each entry answers one kind of question, in Dutch and English, and names the handbook section
it comes from. `problems()` lists what is wrong with the content; the tests and the loader use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from bot import sections
from bot.i18n import LANGUAGES
from bot.yamldata import load_yaml

ENTRIES_DIR = Path(__file__).with_name("data") / "entries"
MIN_QUESTIONS = 6
MAX_ANSWER_WORDS = 120
STEP_CODES = ("1", "2A", "2B", "3", "4", "5")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

HOURS_PER_JOB = 25.5
"""One job ("baan") in the banenafspraak counts as 25.5 paid hours a week. Not from the handbook:
the measure the Dutch government uses for the banenafspraak (SECTIONS.md lists it as a related fact)."""
PARAMETERS = {"nl": {"hours_per_job": f"{HOURS_PER_JOB:g}".replace(".", ",")},
              "en": {"hours_per_job": f"{HOURS_PER_JOB:g}"}}


class ContentError(ValueError):
    """The knowledge base's data files are not valid (the message lists what is wrong)."""


@dataclass(frozen=True)
class Entry:
    """One answer in both languages, with the ways people ask for it."""

    id: str
    section: str | None
    title: dict[str, str]
    answer: dict[str, str]
    questions: dict[str, list[str]] = field(default_factory=dict)
    keywords: dict[str, list[str]] = field(default_factory=dict)
    related: tuple[str, ...] = ()
    walkthrough: str | None = None
    source: str = "builtin"
    """"builtin", "org" (the organisation's own knowledge base) or "roles" (made from Bijlage II)."""

    def text(self, part: str, lang: str) -> str:
        values: dict[str, str] = getattr(self, part)
        return values.get(lang) or next(iter(values.values()), "")

    def variants(self) -> list[str]:
        """The ways to ask for this entry: the matcher compares a question with each of them."""
        out = [q for lang in self.questions for q in self.questions[lang]]
        out.extend(self.title.values())
        return out

    def vocabulary(self) -> list[str]:
        """Keywords: words that belong to the entry's topic, matched as a whole, not one by one."""
        return [k for lang in self.keywords for k in self.keywords[lang]]


def _entry(raw: dict[str, Any], origin: str) -> Entry:
    def by_lang(name: str) -> dict[str, Any]:
        value = raw.get(name) or {}
        if not isinstance(value, dict):
            raise ContentError(f"{origin}: {raw.get('id')}: '{name}' must map nl/en")
        return value

    answer = {lang: _fill(unwrap(str(text)), lang) for lang, text in by_lang("answer").items()}
    return Entry(
        id=str(raw.get("id", "")),
        section=raw.get("section"),
        title={lang: str(v).strip() for lang, v in by_lang("title").items()},
        answer=answer,
        questions={lang: [str(q) for q in v or []] for lang, v in by_lang("questions").items()},
        keywords={lang: [str(k) for k in v or []] for lang, v in by_lang("keywords").items()},
        related=tuple(str(r) for r in raw.get("related") or ()),
        walkthrough=raw.get("walkthrough"),
    )


def unwrap(text: str) -> str:
    """Answers are wrapped in the YAML for reading: a line that does not start a list item ("- ")
    continues the line before it; an empty line starts a new paragraph."""
    lines: list[str] = []
    for raw in text.strip().split("\n"):
        line = raw.strip()
        if not line:
            if lines and lines[-1] != "":
                lines.append("")
        elif line.startswith("- ") or not lines or lines[-1] == "":
            lines.append(line)
        else:
            lines[-1] += " " + line
    return "\n".join(lines)


def _fill(text: str, lang: str) -> str:
    for name, value in PARAMETERS.get(lang, PARAMETERS["en"]).items():
        text = text.replace("{" + name + "}", value)
    return text


def load(directory: Path = ENTRIES_DIR) -> list[Entry]:
    entries: list[Entry] = []
    for path in sorted(directory.glob("*.yaml")):
        data = load_yaml(path.read_text("utf-8")) or []
        if not isinstance(data, list):
            raise ContentError(f"{path.name}: expected a list of entries")
        entries.extend(_entry(raw, path.name) for raw in data)
    return entries


def problems(entries: list[Entry]) -> list[str]:
    """Everything wrong with the content, one line each (empty when it is fine)."""
    found: list[str] = []
    ids = [e.id for e in entries]
    known = set(ids)
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        found.append(f"{dup}: id used twice")
    for e in entries:
        where = e.id or "(no id)"
        if not _ID.match(e.id):
            found.append(f"{where}: id must be a lower-case slug")
        if e.section is None or not sections.is_code(e.section):
            found.append(f"{where}: unknown section {e.section!r}")
        for lang in LANGUAGES:
            if not e.title.get(lang):
                found.append(f"{where}: title.{lang} missing")
            answer = e.answer.get(lang, "")
            if not answer:
                found.append(f"{where}: answer.{lang} missing")
            elif len(answer.split()) > MAX_ANSWER_WORDS:
                found.append(f"{where}: answer.{lang} has {len(answer.split())} words (max {MAX_ANSWER_WORDS})")
            questions = e.questions.get(lang, [])
            if len(set(questions)) < MIN_QUESTIONS:
                found.append(f"{where}: questions.{lang} has {len(set(questions))} (min {MIN_QUESTIONS})")
        for rel in e.related:
            if rel not in known:
                found.append(f"{where}: related id {rel!r} does not exist")
            if rel == e.id:
                found.append(f"{where}: related to itself")
        if e.walkthrough is not None and e.walkthrough not in (*sections.STEP_ORDER, *STEP_CODES):
            found.append(f"{where}: walkthrough {e.walkthrough!r} is not a step of the step plan")
    return found


@cache
def builtin() -> tuple[Entry, ...]:
    entries = load()
    wrong = problems(entries)
    if wrong:
        raise ContentError("knowledge base content:\n" + "\n".join(wrong))
    return tuple(entries)
