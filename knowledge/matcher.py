"""Finding the entries a question is about: typo-tolerant token matching with rapidfuzz.

An `Index` holds the normalised variants (the ways to ask, the titles) and topic words (keywords) of
a set of entries, computed once. `Index.search` scores candidate entries for a question by how much
of the question's weight (rare words weigh more) the best variant covers and how much of that variant
the question covers, with a little string similarity; plus how much of the question the entry's words
cover as a whole and how central those words are to the entry. Vague questions (only common words)
and words outside the entry's topic lower the score. Each hit also carries what the confidence
(knowledge.confidence) is made of: how much of the question the entry speaks of (its answers
included), whether it gives the kind of fact asked for, and whether the question is generic.
Candidates come from rapidfuzz (`process.extract` with a cutoff) and from the postings of the
question's rarer words, so the cost grows with the candidates, not with the size of the index.
`Speller` and `correct` put typos right.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from knowledge.text import Lexicon, lexicon

_FIGURE = re.compile(r"\d[\d.,]*\s*(?:%|procent|percent)|€\s*\d|\d{2,}|\b(?:twee|drie|vier|vijf|zes|zeven|acht|"
                     r"negen|tien|twaalf|twintig|honderd|duizend|two|three|four|five|six|seven|eight|nine|ten|"
                     r"twelve|twenty|hundred|thousand)\b")
"""A figure in an answer: a percentage, an amount, a number of two or more digits (not "stap 2") or a
number in words ("zes tot acht")."""
FUZZY_CANDIDATES = 60
FUZZY_CUTOFF = 50
UNKNOWN_WEIGHT = 1.5
"""The weight of a word no entry uses: it lowers the score, but less than a rare word would raise it."""
GENERIC_WORDS = 2
GENERIC_DF = 14
"""A question of at most GENERIC_WORDS words that each occur in more than GENERIC_DF entries is generic."""
COMMON_MIN = 2
"""A word in this many entries or fewer is never common, however small the set of entries."""
RARE = 40
"""A word in more entries than this is too common to pull in candidates on its own (rapidfuzz does)."""


@dataclass(frozen=True)
class Scoring:
    """The weights of the score (tuned on tests/data/kb_eval.yaml, checked on bench/data/kb_dev.yaml)."""

    query_exp: float = 0.4
    """How much it counts that the question's words are in the variant (query coverage exponent)."""
    doc_exp: float = 0.4
    """How much it counts that the variant's words are in the question."""
    similar: float = 0.15
    """Share of plain string similarity in a variant's score (catches what the word overlap misses)."""
    best: float = 0.55
    bag: float = 0.25
    support: float = 0.2
    """Shares of: the best variant, the entry's vocabulary as a whole, and how central the words are."""
    evidence_ref: float = 3.5
    """A question whose matched words weigh less than this together is vague ("contract", "leverancier")."""
    evidence: float = 0.2
    """How much a vague question loses (unless it is exactly an entry's title, like "sroi")."""
    common: float = 0.08
    vague: float = 0.2
    """A question whose matched words each occur in more than `common` of the entries names no topic
    ("contract", "leverancier banen"): it loses `vague` of its score, so the bot asks "did you mean…?"."""
    off_topic: float = 0.2
    """How much a question loses when none of its matched words is in the entry's title or keywords."""


@dataclass(frozen=True)
class Item:
    """One entry as the index sees it."""

    key: str
    asks: Sequence[str]
    """The ways to ask it (questions and titles)."""
    topic: Sequence[str] = ()
    """Words that belong to its topic (keywords), matched as a whole, not as ways to ask."""
    titles: Sequence[str] = ()
    explains: Sequence[str] = ()
    """Its answers: they are not matched, but say which of a question's words the entry speaks of."""


@dataclass(frozen=True, slots=True)
class Hit:
    key: str
    score: float
    cover: float = 1.0
    """The share of the question's weight that the entry speaks of (in its questions, keywords or answer)."""
    focus_missed: bool = False
    """The question asks for a kind of fact (a cost, how to apply, a wage, a figure) the entry does not give."""
    generic: bool = False
    """The question is one or two words that many entries use ("contract", "leverancier banen") and not
    this entry's title: it names no topic."""


class Weights:
    """How much a word tells: inverse document frequency over the built-in entries."""

    def __init__(self, df: dict[str, int], entries: int) -> None:
        self.entries = max(entries, 1)
        self.df = df
        self.idf = {tok: math.log(1 + self.entries / n) for tok, n in df.items()}
        self.unknown = UNKNOWN_WEIGHT

    def __call__(self, token: str) -> float:
        return self.idf.get(token, self.unknown)

    def share(self, token: str) -> float:
        """In what share of the entries the word occurs."""
        return self.df.get(token, 0) / self.entries


class Index:
    """The variants of a set of entries, normalised once; searched for each question."""

    def __init__(self, items: Iterable[Item], lex: Lexicon | None = None, scoring: Scoring | None = None) -> None:
        self.lex = lex or lexicon()
        self.scoring = scoring or Scoring()
        self.keys: list[str] = []
        self.doc_text: list[str] = []
        """Each variant as its sorted, distinct tokens: `fuzz.ratio` on these is a fast token-sort ratio."""
        self.doc_tokens: list[frozenset[str]] = []
        self.doc_owner: list[int] = []
        self.entry_docs: list[list[int]] = []
        self.entry_bag: list[frozenset[str]] = []
        """All tokens of an entry: its variants and its topic words."""
        self.entry_share: list[dict[str, float]] = []
        """Per token, the share of the entry's variants that use it: how central the word is to the entry."""
        self.entry_titles: list[frozenset[frozenset[str]]] = []
        self.entry_names: list[frozenset[frozenset[str]]] = []
        """The entry's titles and keywords, each as a set of tokens: a question that is exactly one of them
        names the entry ("sroi", "banenafspraak") and is never vague."""
        self.entry_topic: list[frozenset[str]] = []
        """The tokens of the entry's titles and topic words."""
        self.entry_explained: list[frozenset[str]] = []
        """Every token the entry speaks of: its bag and the tokens of its answers."""
        self._postings: dict[str, set[int]] = defaultdict(set)
        self._raw_words: set[str] = set()
        for item in items:
            self._add(item)
        self.postings = {tok: frozenset(ids) for tok, ids in self._postings.items()}
        self.speller = Speller(self._raw_words)
        self._doc_weights: tuple[Weights, list[float]] | None = None

    def doc_weights(self, weights: Weights) -> list[float]:
        """Each variant's total word weight, worked out once per `weights` (it is asked for every question)."""
        cached = self._doc_weights
        if cached is None or cached[0] is not weights or len(cached[1]) != len(self.doc_tokens):
            cached = self._doc_weights = (weights, [sum(weights(t) for t in toks) for toks in self.doc_tokens])
        return cached[1]

    def _fold(self, text: str) -> tuple[list[str], list[str]]:
        """The tokens of a text, with and without the broader tokens they imply."""
        words = self.lex.words(text)
        self._raw_words.update(words)
        base = self.lex.fold_words(words, implied=False)
        return self.lex.fold_words(words), base

    def _add(self, item: Item) -> None:
        number = len(self.keys)
        self.keys.append(item.key)
        titles = [frozenset(self._fold(t)[0]) for t in item.titles]
        topic = [tok for text in item.topic for tok in self._fold(text)[0]]
        self.entry_titles.append(frozenset(titles))
        self.entry_names.append(frozenset([*titles, *(frozenset(self._fold(text)[0]) for text in item.topic)]))
        self.entry_topic.append(frozenset().union(*titles, topic))
        docs: list[int] = []
        bag: set[str] = set(topic)
        share: dict[str, float] = defaultdict(float)
        for text in item.asks:
            toks, base = self._fold(text)
            for tok in set(base):
                share[tok] += 1 / len(item.asks)
            distinct = " ".join(sorted(set(toks)))
            if not toks or distinct in (self.doc_text[d] for d in docs):
                continue
            docs.append(len(self.doc_text))
            self.doc_text.append(distinct)
            self.doc_tokens.append(frozenset(toks))
            self.doc_owner.append(number)
            bag.update(toks)
        self.entry_docs.append(docs)
        self.entry_bag.append(frozenset(bag))
        explained = set(bag).union(*titles)
        for text in item.explains:
            explained.update(self.lex.tokens(text))
            if self.lex.number and _FIGURE.search(text):
                explained.add(self.lex.number)
        self.entry_explained.append(frozenset(explained))
        self.entry_share.append(dict(share))
        for tok in bag:
            self._postings[tok].add(number)

    def weights(self) -> Weights:
        return Weights({tok: len(ids) for tok, ids in self.postings.items()}, len(self.keys))

    def candidates(self, query: str, tokens: frozenset[str]) -> set[int]:
        """Entries worth scoring: the variants nearest as strings, and those sharing a rare word."""
        found: set[int] = set()
        if self.doc_text:
            for _, _, doc in process.extract(query, self.doc_text, scorer=fuzz.ratio,
                                             limit=FUZZY_CANDIDATES, score_cutoff=FUZZY_CUTOFF):
                found.add(self.doc_owner[doc])
        for tok in tokens:
            ids = self.postings.get(tok)
            if ids is not None and len(ids) <= RARE:
                found.update(ids)
        return found

    def search(self, tokens: Sequence[str], weights: Weights, limit: int = 8) -> list[Hit]:
        """The best-scoring entries for already corrected question tokens, best first (score 0..1)."""
        qset = frozenset(tokens)
        if not qset:
            return []
        query = " ".join(sorted(qset))
        total = sum(weights(t) for t in qset)
        sc = self.scoring
        doc_weights = self.doc_weights(weights)
        hits: list[Hit] = []
        for number in self.candidates(query, qset):
            known = qset & self.entry_bag[number]
            matched = sum(weights(t) for t in known)
            bag_cover = matched / total
            if bag_cover == 0:
                continue
            best = 0.0
            for doc in self.entry_docs[number]:
                dtoks = self.doc_tokens[doc]
                common = qset & dtoks
                if not common:
                    continue
                shared = sum(weights(t) for t in common)
                q_cover = shared / total
                d_cover = shared / doc_weights[doc]
                overlap = q_cover ** sc.query_exp * d_cover ** sc.doc_exp
                similar = fuzz.ratio(query, self.doc_text[doc]) / 100
                best = max(best, (1 - sc.similar) * overlap + sc.similar * similar)
            shares = self.entry_share[number]
            support = sum(weights(t) * shares.get(t, 0.0) for t in qset) / total
            score = sc.best * best + sc.bag * bag_cover + sc.support * min(1.0, 2 * support)
            if qset not in self.entry_names[number]:
                score *= 1 - sc.evidence * (1 - min(1.0, matched / sc.evidence_ref))
                if all(weights.share(t) > sc.common and weights.df.get(t, 0) > COMMON_MIN for t in known):
                    score *= 1 - sc.vague
            if not known & self.entry_topic[number]:
                score *= 1 - sc.off_topic
            explained = self.entry_explained[number]
            cover = sum(weights(t) for t in qset if t in explained) / total
            missed = any(t in self.lex.focus and t not in explained for t in qset)
            generic = len(qset) <= GENERIC_WORDS and qset not in self.entry_titles[number] \
                and all(weights.df.get(t, 0) > GENERIC_DF for t in qset)
            hits.append(Hit(self.keys[number], score, cover, missed, generic))
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:limit]


class Speller:
    """Puts unknown words right: a typo becomes the nearest known word, a Dutch compound its parts."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = sorted({w for w in words if not w.isdigit()})
        self._known = frozenset(self.words)

    def knows(self, word: str) -> bool:
        return word in self._known

    def closest(self, word: str) -> tuple[str, int] | None:
        """The nearest known word within a small edit distance, with that distance.

        Among equally near words the one with the same first letter and length wins ("manger" →
        "manager", not "langer"); a short word only becomes one that starts with the same two letters
        ("morgen" does not become "borgen", "printer" not "painter").
        """
        if len(word) < 5 or word.isdigit():
            return None
        limit = 1 if len(word) < 10 else 2
        found = process.extract(word, self.words, scorer=OSA.distance, score_cutoff=limit, limit=8)
        if not found:
            return None
        if len(word) < 8:  # short words: a different start is more often another word than a typo ("printer")
            found = [f for f in found if f[0][:2] == word[:2]]
        if not found:
            return None
        best = min(found, key=lambda f: (f[1], f[0][0] != word[0], abs(len(f[0]) - len(word)), f[0]))
        return best[0], int(best[1])


def correct(words: Sequence[str], spellers: Sequence[Speller]) -> tuple[list[str], int]:
    """Replace unknown words by the nearest known word (typos), or split Dutch compounds.

    Also says how many words were replaced by a different word: a guess that lowers the confidence.
    """
    out: list[str] = []
    guessed = 0
    for word in words:
        if word.isdigit() or any(sp.knows(word) for sp in spellers):
            out.append(word)
            continue
        best: tuple[str, int] | None = None
        for sp in spellers:
            found = sp.closest(word)
            if found and (best is None or found[1] < best[1]):
                best = found
        if best is not None:
            out.append(best[0])
            guessed += 1
            continue
        out.extend(_split_compound(word, spellers) or [word])
    return out, guessed


def _split_compound(word: str, spellers: Sequence[Speller]) -> list[str] | None:
    """'sroibeleid' → ['sroi', 'beleid'] when both halves are known words (allowing a linking s)."""
    if len(word) < 7:
        return None

    def known(part: str) -> str | None:
        for form in (part, part[:-1] if part.endswith("s") else part):
            if len(form) >= 3 and any(sp.knows(form) for sp in spellers):
                return form
        return None

    for cut in range(len(word) - 3, 2, -1):
        left, right = known(word[:cut]), known(word[cut:])
        if left and right:
            return [left, right]
    return None
