"""The roles matrix of Bijlage II: who does what in which phase, and questions about it.

Answers "what does <role> do in <step>", "what does <role> do", "who does what in step N" (a
compact list per role) and "who does <task>". `RolesMatrix.answer` returns an `Entry` made on the
spot (section `bijlage-2`) with a confidence, or None when the question is not about roles.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.i18n import LANGUAGES, t
from bot.records import ROLES
from knowledge.content import Entry
from knowledge.text import fold, tokens

DATA = Path(__file__).with_name("data") / "roles.yaml"
SECTION = "bijlage-2"
PHASES = ("1", "2a", "2b", "3", "4", "5")

# Confidence of an answer from the matrix, by how the question was understood.
CELL_CONFIDENCE = 0.95
"""A role and a phase are named and the question asks what someone does."""
DESCRIBED_CONFIDENCE = 0.85
"""A role named with a phase described in words and more ("wat doet de inkoper als we social return in een
aanbesteding vragen"): an entry about that task (2Ad) may still know better."""
TABLE_CONFIDENCE = 0.93
"""'Who does what' with a phase."""
ROLE_CONFIDENCE = 0.72
"""A role and a cue without a phase ("taken van de inkoper"): a built-in entry that matches well wins over this."""
ROLE_DECISIVE = 0.93
"""'What does <role> do?' and nothing else: the role's tasks across the steps, unless a built-in entry
describes that role as a whole (`described_by` in roles.yaml)."""
TASK_CONFIDENCE = 0.75
"""'Who does <task>': raised by up to 0.2 by how much of the question the best cells cover, lowered
when the words fit many cells alike (then they name no particular task)."""
WHO_COVER = 0.66
"""'Who does <task>' needs the cells to cover this much of the task's words."""
DECISIVE = TABLE_CONFIDENCE
"""From here a roles answer wins outright: the question named a role or 'who does what' and a phase."""

_CUES = frozenset({
    "doet", "taak", "taken", "rol", "rollen", "verantwoordelijk", "verantwoordelijkheid", "verantwoordelijkheden",
    "role", "roles", "task", "tasks", "responsible", "responsibility", "responsibilities", "duties",
})
_DOES = re.compile(r"\bdoes\b.*\bdo\b")
"""English "does" asks what someone does only with "do" after it ("what does the buyer do")."""
_PHASE_CUES = _CUES | {"doen", "do"}
"""With a phase named, "wat moet de inkoper doen in stap 2a" is a roles question too. "Wie is de budgethouder
in stap 3?" is not: it asks who someone is, which the step's own entry tells."""
_SKIP = _PHASE_CUES | {"wie", "who"}
"""Words that are neither a role nor part of the task asked about."""
_NUMBERED = frozenset({"stap", "step", "fase", "phase"})
"""A phase named with one of these words or a code ("stap 3", "2b") is named explicitly."""
_TABLE = re.compile(r"\b(wie doet wat|wie wat doet|who does what|who is doing what|rolverdeling|taakverdeling|"
                    r"division of roles|division of tasks|roles in|rollen in|rollen bij|roles during|wie doen wat|"
                    r"who do what|rolverdeling in|welke rollen|which roles)\b")
_WHO = re.compile(r"\b(wie|who)\b")
_WHO_MEMBER = re.compile(r"\b(wie|who) (zit|zitten|zijn|is er|hoort|horen|moet er|moeten er|are|is in|is on|sits|"
                         r"belongs?|should be)\b")
_GENERIC = frozenset({"neem", "neemt", "nemen", "maakt", "maken", "regelt", "regel", "regelen", "zorgt", "zorg",
                      "voert", "houdt", "take", "takes", "make", "makes", "handle", "handles", "run", "runs",
                      "organiseert", "organise", "organises", "organize", "organizes", "pakt", "oppakken", "picks",
                      "doing"})
"""Verbs that say nothing about the task in "who takes the policy decision"."""
_AUXILIARY = frozenset({"do"})
"""Only a helping verb at the start of a question ("do we start with a tender?"), not "what should the buyer do"."""
_STEP2 = re.compile(r"\b(stap|step|fase|phase) (2|twee|two)\b(?! ?[ab]\b)")
"""Step 2 without A or B: both tracks (a new tender and an existing contract)."""
_ASKS_DOING = re.compile(r"\b(doet|doen|does\b.*\bdo)\b")
"""'What does <role> do', as opposed to 'what are the tasks of' (which an entry about the role may answer)."""


@dataclass(frozen=True)
class Cell:
    role: str
    phase: str
    text: dict[str, str]
    short: dict[str, str]
    bag: frozenset[str]
    words: frozenset[str] = frozenset()
    """The plain folded words of its texts (verbs included)."""


@dataclass
class Parsed:
    roles: list[str]
    phases: list[str]
    cue: bool
    table: bool
    who: bool
    rest: list[str]
    """The question's tokens that are neither a role, a phase nor a cue: the task asked about."""
    explicit: bool = False
    """A phase was named by its number ("stap 3", "2b"), not only described ("bij een aanbesteding")."""
    verbs: list[str] = field(default_factory=list)
    """The question's generic verbs ("neemt", "takes"): they pick among cells that share the task words."""
    doing: bool = False
    """The question asks what someone does ("wat doet", "what does … do")."""


class RolesMatrix:
    def __init__(self, data: dict[str, Any]) -> None:
        self.phase_info: dict[str, dict[str, Any]] = {str(k): v for k, v in data["phases"].items()}
        self.cells: dict[tuple[str, str], Cell] = {}
        self.role_aliases: list[tuple[str, str]] = []
        self.described: set[str] = {role for role, spec in data["roles"].items() if spec.get("described_by")}
        self.phase_aliases: list[tuple[str, str]] = []
        for role, spec in data["roles"].items():
            if role not in ROLES:
                raise ValueError(f"roles.yaml: unknown role {role!r}")
            for alias in spec["aliases"]:
                self.role_aliases.append((fold(str(alias)), role))
            for phase, cell in spec["tasks"].items():
                phase = str(phase)
                if phase not in PHASES:
                    raise ValueError(f"roles.yaml: unknown phase {phase!r} for {role}")
                words = " ".join([cell["nl"], cell["en"], *map(str, cell.get("keywords", []))])
                self.cells[(role, phase)] = Cell(role, phase, {lang: cell[lang] for lang in LANGUAGES},
                                                 cell.get("short") or {lang: cell[lang] for lang in LANGUAGES},
                                                 frozenset(tokens(words)), frozenset(fold(words).split()))
        for phase, info in self.phase_info.items():
            for alias in info["aliases"]:
                self.phase_aliases.append((fold(str(alias)), phase))
        self.role_aliases.sort(key=lambda a: len(a[0]), reverse=True)
        self.phase_aliases.sort(key=lambda a: len(a[0]), reverse=True)
        self._single_word_roles = {alias: role for alias, role in self.role_aliases
                                   if " " not in alias and len(alias) >= 7}
        counts = Counter(tok for cell in self.cells.values() for tok in cell.bag)
        self._idf = {tok: math.log(1 + len(self.cells) / n) for tok, n in counts.items()}

    # -- understanding the question --------------------------------------------------------
    def parse(self, text: str) -> Parsed:
        padded = f" {fold(text)} "
        roles = self._take(padded, self.role_aliases)
        padded = roles[1]
        phases = self._take(padded, self.phase_aliases)
        padded = phases[1]
        found_roles, found_phases = roles[0], phases[0]
        spoken = f" {fold(text)} "
        explicit = bool(found_phases) and any(any(ch.isdigit() for ch in alias) or alias.split()[0] in _NUMBERED
                                              for alias, _ in self.phase_aliases if f" {alias} " in spoken)
        if _STEP2.search(padded):
            found_phases.extend(p for p in ("2a", "2b") if p not in found_phases)
            padded, explicit = _STEP2.sub(" ", padded), True
        words = padded.split()
        for word in words:  # a typo in a one-word role name ("contractmanger")
            if word in _SKIP or len(word) < 7:
                continue
            hit = process.extractOne(word, list(self._single_word_roles), scorer=Levenshtein.distance,
                                     score_cutoff=1 if len(word) < 10 else 2)
            if hit:
                role = self._single_word_roles[hit[0]]
                if role not in found_roles:
                    found_roles.append(role)
        folded = fold(text)
        rest = [tok for tok in tokens(padded) if tok not in _SKIP and tok not in _GENERIC]
        cues = _PHASE_CUES if found_phases else _CUES
        cue = any(w in cues for i, w in enumerate(folded.split()) if i > 0 or w not in _AUXILIARY) \
            or bool(_DOES.search(folded))
        verbs = [w for w in folded.split() if w in _GENERIC]
        return Parsed(roles=found_roles, phases=found_phases, cue=cue, verbs=verbs, explicit=explicit,
                      doing=bool(_ASKS_DOING.search(folded)),
                      table=bool(_TABLE.search(folded)),
                      who=bool(_WHO.search(folded)) and not _WHO_MEMBER.search(folded), rest=rest)

    @staticmethod
    def _take(padded: str, aliases: list[tuple[str, str]]) -> tuple[list[str], str]:
        found: list[str] = []
        for alias, key in aliases:
            needle = f" {alias} "
            if needle in padded:
                padded = padded.replace(needle, " ")
                if key not in found:
                    found.append(key)
        return found, padded

    # -- answering -------------------------------------------------------------------------
    def answer(self, text: str | Parsed, lang: str) -> tuple[Entry, float] | None:
        """The roles answer for a question (or its parse, when the caller has it already) and its confidence."""
        q = text if isinstance(text, Parsed) else self.parse(text)
        if q.roles and q.phases and (q.cue or not q.rest):
            cells = [(r, p) for r in q.roles for p in q.phases]
            found = self._cells(cells) if any(c in self.cells for c in cells) else self._empty(q.roles, q.phases)
            if q.explicit or not q.rest:
                return found, max(CELL_CONFIDENCE, DECISIVE)
            return found, DESCRIBED_CONFIDENCE
        if q.phases and not q.roles and (q.table or (q.who and q.cue and not q.rest)):
            return self._table(*_step(q.phases)), TABLE_CONFIDENCE
        if q.roles and not q.phases and q.cue and not q.who and len(q.rest) <= 2:
            role = q.roles[0]
            decisive = q.doing and not q.rest and len(q.roles) == 1 and role not in self.described
            return self._role(role), ROLE_DECISIVE if decisive else ROLE_CONFIDENCE
        if q.who and not q.roles and q.rest:
            found = self._who(q.rest, q.phases, q.verbs)
            if found:
                cells, cover = found
                spread = 0.1 if len(cells) > 3 else 0.0
                return self._who_entry(cells), TASK_CONFIDENCE + 0.2 * cover - spread
        return None

    def asks_overview(self, text: str | Parsed) -> bool:
        """"Wie doet wat?" without a role or phase: the overview of Bijlage II answers it."""
        q = text if isinstance(text, Parsed) else self.parse(text)
        return q.table and not q.phases and not q.roles and not q.rest

    def entry(self, entry_id: str) -> Entry | None:
        """Rebuild a roles answer from its id (for `kb:answer:<id>` buttons)."""
        parts = entry_id.split(":")
        if len(parts) == 2 and parts[0] == "roles" and parts[1] in ROLES:
            return self._role(parts[1])
        if len(parts) != 3 or parts[0] != "roles":
            return None
        phases = parts[2].split("+")
        if not all(p in PHASES for p in phases):
            return None
        if parts[1] == "phase":
            return self._table(*phases)
        if parts[1] in ROLES:
            pairs = [(parts[1], p) for p in phases]
            return self._cells(pairs) if any(c in self.cells for c in pairs) else self._empty([parts[1]], phases)
        return None

    def _who(self, rest: list[str], phases: list[str], verbs: list[str] = ()) -> tuple[list[Cell], float] | None:
        query = set(rest)
        total = sum(self._idf.get(tok, 3.0) for tok in query)
        scored: list[tuple[float, Cell]] = []
        for cell in self.cells.values():
            if phases and cell.phase not in phases:
                continue
            cover = sum(self._idf.get(tok, 3.0) for tok in query & cell.bag) / total
            if cover > 0:
                scored.append((cover, cell))
        if not scored:
            return None
        best = max(score for score, _ in scored)
        if best < WHO_COVER:
            return None
        chosen = [cell for score, cell in scored if score >= best - 1e-9]
        acting = [cell for cell in chosen if any(v in cell.words for v in verbs)]
        if acting:  # "wie neemt de beleidsbeslissing": the cell that takes it, not those that give input
            chosen = acting
        chosen = chosen[:6]
        return chosen, best

    # -- rendering -------------------------------------------------------------------------
    def _phase_title(self, phase: str, lang: str) -> str:
        return str(self.phase_info[phase]["title"][lang])

    def _phases_title(self, phases: Iterable[str], lang: str) -> str:
        return " / ".join(self._phase_title(phase, lang) for phase in phases)

    def _make(self, entry_id: str, title: dict[str, str], answer: dict[str, str], walkthrough: str | None) -> Entry:
        return Entry(id=entry_id, section=SECTION, title=title, answer=answer, related=("rollen-overzicht",),
                     walkthrough=walkthrough, source="roles")

    def _cells(self, pairs: list[tuple[str, str]]) -> Entry:
        answer, title = {}, {}
        for lang in LANGUAGES:
            lines = []
            for role, phase in pairs:
                cell = self.cells.get((role, phase))
                text = cell.text[lang] if cell else t("kb.roles.no_task", lang)
                lines.append(f"**{t(f'role.{role}', lang)}** – *{self._phase_title(phase, lang)}*: {text}")
            answer[lang] = "\n".join(lines if len(lines) == 1 else [f"- {line}" for line in lines])
            role = pairs[0][0]
            shown = dict.fromkeys(p for r, p in pairs if r == role)  # "stap 2": both tracks in the title
            title[lang] = f"{t(f'role.{role}', lang)} – {self._phases_title(shown, lang)}"
        role, phase = pairs[0]
        walk = self.phase_info[phase]["section"] if len({p for _, p in pairs}) == 1 else None
        if {r for r, _ in pairs} == {role}:  # one role in several phases ("stap 2"): shown again as a whole
            phase = "+".join(p for _, p in pairs)
        return self._make(f"roles:{role}:{phase}", title, answer, walk)

    def _empty(self, roles: list[str], phases: list[str]) -> Entry:
        """A role without a task in that phase: say so and show who is active there."""
        shown = _step(phases)
        entry = self._table(*shown)
        answer = {lang: t("kb.roles.none_in_phase", lang, role=t(f"role.{roles[0]}", lang),
                          phase=self._phases_title(shown, lang)) + "\n" + entry.answer[lang]
                  for lang in LANGUAGES}
        return self._make(f"roles:{roles[0]}:{'+'.join(shown)}", entry.title, answer, entry.walkthrough)

    def _table(self, *phases: str) -> Entry:
        """Who does what in a phase (or in both tracks of step 2, one list after the other)."""
        answer, title = {}, {}
        for lang in LANGUAGES:
            parts = []
            for phase in phases:
                heading = t("kb.roles.table_title", lang, phase=self._phase_title(phase, lang))
                lines = [f"- **{t(f'role.{role}', lang)}**: {cell.short[lang]}" for role in ROLES
                         if (cell := self.cells.get((role, phase)))]
                parts.append(f"**{heading}**\n" + "\n".join(lines))
            title[lang] = t("kb.roles.table_title", lang, phase=self._phases_title(phases, lang))
            answer[lang] = "\n".join(parts)
        walk = str(self.phase_info[phases[0]]["section"]) if len(phases) == 1 else None
        return self._make(f"roles:phase:{'+'.join(phases)}", title, answer, walk)

    def _role(self, role: str) -> Entry:
        answer, title = {}, {}
        for lang in LANGUAGES:
            name = t(f"role.{role}", lang)
            title[lang] = t("kb.roles.role_title", lang, role=name)
            lines = [f"- **{self._phase_title(phase, lang)}**: {cell.short[lang]}" for phase in PHASES
                     if (cell := self.cells.get((role, phase)))]
            answer[lang] = f"**{title[lang]}**\n" + "\n".join(lines)
        return self._make(f"roles:{role}", title, answer, None)

    def _who_entry(self, cells: list[Cell]) -> Entry:
        answer, title = {}, {}
        for lang in LANGUAGES:
            title[lang] = t("kb.roles.who_title", lang)
            lines = [f"- **{t(f'role.{c.role}', lang)}** ({self._phase_title(c.phase, lang)}): {c.text[lang]}"
                     for c in cells]
            answer[lang] = "\n".join(lines)
        phases = {c.phase for c in cells}
        walk = str(self.phase_info[phases.pop()]["section"]) if len(phases) == 1 else None
        first = cells[0]
        return self._make(f"roles:{first.role}:{first.phase}", title, answer, walk)


def _step(phases: list[str]) -> tuple[str, ...]:
    """The phases a "who does what" list covers: both tracks for step 2, else the first phase named."""
    return ("2a", "2b") if {"2a", "2b"} <= set(phases) else (phases[0],)


@cache
def matrix() -> RolesMatrix:
    return RolesMatrix(yaml.safe_load(DATA.read_text("utf-8")))
