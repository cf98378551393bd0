"""The knowledge base as a whole: built-in entries, the roles matrix and an organisation's own entries.

`KnowledgeBase.ask(question, lang, org)` gives an `Outcome`: the entry to answer with (when the
confidence is above `ANSWER_AT`), the alternatives to offer as "did you mean…?" (above
`SUGGEST_AT`), or neither. The matcher ranks the entries; the confidence (knowledge.confidence)
estimates the chance that an entry's section is right, from its match score, its lead over the best
entry of another section (an ambiguous question gets "did you mean…?"), how much of the question it
speaks of, and whether it gives the kind of fact asked for.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from knowledge import content
from knowledge.confidence import GAP_CAP, Calibration, Signals
from knowledge.content import Entry
from knowledge.matcher import Hit, Index, Item, Scoring, Speller, Weights, correct
from knowledge.records import OrgEntry
from knowledge.roles import DECISIVE, RolesMatrix, matrix
from knowledge.text import fold, lexicon, says_any

ANSWER_AT = 0.65
"""From this confidence on the bot answers."""
SUGGEST_AT = 0.35
"""From this confidence on (and below ANSWER_AT) the bot offers its best guesses as "did you mean…?"."""
GENERIC_CEILING = 0.5
"""A question of one or two common words ("contract", "aanbesteding", "leverancier banen") gets at most
this confidence: it names no topic, so the bot asks "did you mean…?" instead of answering. So does a
question that entries of two sections match equally well (within TIE)."""
TIE = 0.005
CORRECTION_PENALTY = 0.3
"""A question whose words all had to be guessed (typos) loses this share of its match score."""
RIVAL_FLOOR = 0.4
"""An entry's lead is measured against the best entry of another section, but at least against this
score: a weak match on one rare word ("hoe zet ik de printer aan") is not clear just for lack of rivals."""
ALTERNATIVES = 3
OVERVIEW = "rollen-overzicht"
"""The entry that answers "who does what?" without a phase."""


@dataclass(frozen=True)
class Scored:
    entry: Entry
    confidence: float
    signals: Signals | None = None
    """What the confidence was made of (None for answers from the roles matrix)."""


ANSWERS_KEPT = 4096
"""How many recent answers `KnowledgeBase.ask` keeps: the same question (a suggested example, a
button, a colleague's question) is answered from memory."""
_versions = itertools.count(1)


@dataclass(frozen=True)
class Outcome:
    question: str
    lang: str
    confidence: float
    entry: Entry | None = None
    alternatives: list[Scored] = field(default_factory=list)
    off_topic: bool = False
    """Not answered, and clearly about something else (no entry shares a word with it, or it speaks of
    the weather, sport, food…): the working group is not the place for it either."""

    @property
    def answered(self) -> bool:
        return self.entry is not None

    @property
    def suggests(self) -> bool:
        return self.entry is None and self.confidence >= SUGGEST_AT and bool(self.alternatives)


@dataclass(frozen=True)
class OrgKnowledge:
    """One organisation's own entries, indexed."""

    entries: dict[str, Entry]
    index: Index
    version: int = field(default_factory=lambda: next(_versions))
    """Unique per build: answers remembered for one set of entries are not given for another."""

    @classmethod
    def build(cls, records: Sequence[OrgEntry]) -> OrgKnowledge:
        entries = {f"org:{r.id}": org_entry(r) for r in records}
        return cls(entries, Index(_item(e) for e in entries.values()))


def _item(entry: Entry) -> Item:
    return Item(entry.id, entry.variants(), entry.vocabulary(), tuple(entry.title.values()),
                tuple(entry.answer.values()))


def org_entry(record: OrgEntry) -> Entry:
    return Entry(id=f"org:{record.id}", section=record.section, title={record.lang: record.question},
                 answer={record.lang: record.answer}, questions={record.lang: [record.question, *record.variants]},
                 source="org")


class KnowledgeBase:
    def __init__(self, entries: Sequence[Entry] | None = None, roles: RolesMatrix | None = None,
                 scoring: Scoring | None = None, calibration: Calibration | None = None) -> None:
        self.entries = {e.id: e for e in (entries if entries is not None else content.builtin())}
        self.calibration = calibration or Calibration()
        self.index = Index((_item(e) for e in self.entries.values()), scoring=scoring)
        self.weights: Weights = self.index.weights()
        self.roles = roles or matrix()
        self.speller = Speller([*lexicon().known, *self.index.speller.words])
        self._answers: OrderedDict[tuple[str, str, int], Outcome] = OrderedDict()

    def entry(self, entry_id: str, org: OrgKnowledge | None = None) -> Entry | None:
        if entry_id in self.entries:
            return self.entries[entry_id]
        if org is not None and entry_id in org.entries:
            return org.entries[entry_id]
        return self.roles.entry(entry_id) if entry_id.startswith("roles:") else None

    def ask(self, question: str, lang: str, org: OrgKnowledge | None = None) -> Outcome:
        key = (question, lang, org.version if org is not None else 0)
        outcome = self._answers.get(key)
        if outcome is not None:
            self._answers.move_to_end(key)
            return outcome
        outcome = self.match(question, lang, org)
        self._answers[key] = outcome
        if len(self._answers) > ANSWERS_KEPT:
            self._answers.popitem(last=False)
        return outcome

    def match(self, question: str, lang: str, org: OrgKnowledge | None = None) -> Outcome:
        """`ask` without the memory of recent answers (what the benchmark times)."""
        spellers = [self.speller] if org is None else [self.speller, org.index.speller]
        parsed = self.roles.parse(self._spelled(question, spellers))  # read once, asked twice
        roles = self.roles.answer(parsed, lang)
        if roles is not None and roles[1] >= DECISIVE:
            return Outcome(question, lang, roles[1], roles[0])
        if OVERVIEW in self.entries and self.roles.asks_overview(parsed):
            return Outcome(question, lang, DECISIVE, self.entries[OVERVIEW])
        scored = self.rank(question, spellers, org)
        if roles is not None:  # a roles answer goes first only when it is surer than the best match
            surer = not scored or roles[1] > scored[0].confidence
            scored.insert(0 if surer else 1, Scored(*roles))
        if not scored:
            return Outcome(question, lang, 0.0, off_topic=True)
        best = scored[0]
        alternatives = _distinct(scored)[:ALTERNATIVES]
        if best.confidence >= ANSWER_AT:
            return Outcome(question, lang, best.confidence, best.entry, alternatives[1:])
        return Outcome(question, lang, best.confidence, None, alternatives,
                       off_topic=best.confidence < SUGGEST_AT and off_topic(question))

    @staticmethod
    def has_content(question: str) -> bool:
        """False for messages of stop words only ("ok", "volgende", "thanks"): nothing to look up."""
        return bool(lexicon().words(question))

    @staticmethod
    def _spelled(question: str, spellers: list[Speller]) -> str:
        """The question folded, with typos put right but every word kept (the roles matrix reads it)."""
        stop = lexicon().stopwords
        return " ".join(w if w in stop else " ".join(correct([w], spellers)[0]) for w in fold(question).split())

    def rank(self, question: str, spellers: list[Speller], org: OrgKnowledge | None = None) -> list[Scored]:
        """Entries by match score, best first, each with its confidence (the roles matrix not included).

        The matcher decides the order; the confidence decides whether the best one is answered.
        """
        raw = lexicon().words(question)
        fixed, guessed = correct(raw, spellers)
        words = lexicon().fold_words(fixed)
        hits: list[tuple[Hit, Entry]] = [(h, self.entries[h.key]) for h in self.index.search(words, self.weights)]
        if org is not None:
            hits += [(h, org.entries[h.key]) for h in org.index.search(words, self.weights)]
        if not hits:
            return []
        factor = 1 - CORRECTION_PENALTY * guessed / len(raw) if guessed else 1.0
        unknown = self._unknown_share(words, org)
        out = []
        for hit, entry in hits:
            score = hit.score * factor
            rival = max((h.score * factor for h, e in hits if e.section != entry.section), default=0.0)
            signals = Signals(score=score, gap=max(-GAP_CAP, min(GAP_CAP, score - max(rival, RIVAL_FLOOR))),
                              cover=hit.cover,
                              focus_missed=float(hit.focus_missed), unknown=unknown)
            confidence = self.calibration(signals)
            if hit.generic or abs(score - rival) < TIE:
                confidence = min(confidence, GENERIC_CEILING)
            out.append(Scored(entry, confidence, signals))
        out.sort(key=lambda s: s.signals.score if s.signals else 0.0, reverse=True)
        return out

    def _unknown_share(self, words: list[str], org: OrgKnowledge | None) -> float:
        """The share of the question's weight in words that no entry uses."""
        tokens = set(words)
        total = sum(self.weights(t) for t in tokens)
        if not total:
            return 0.0
        postings = [self.index.postings] if org is None else [self.index.postings, org.index.postings]
        return sum(self.weights(t) for t in tokens if not any(t in p for p in postings)) / total


def _distinct(scored: list[Scored]) -> list[Scored]:
    seen: set[str] = set()
    out = []
    for s in scored:
        if s.entry.id not in seen:
            seen.add(s.entry.id)
            out.append(s)
    return out


OFF_TOPIC = Path(__file__).with_name("data") / "off_topic.yaml"


def off_topic(question: str) -> bool:
    """The question speaks of something far from the handbook (weather, sport, food, trivia)."""
    return says_any(question, OFF_TOPIC)


@cache
def default_base() -> KnowledgeBase:
    """The built-in knowledge base, built once per process (about half a second)."""
    return KnowledgeBase()
