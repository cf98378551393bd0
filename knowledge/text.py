"""Turning a question into the tokens the matcher compares: the same steps for content and for users.

Steps: lower case without accents; numbers like 125.000 or 2.82 glued together; % and € spelled
out; punctuation gone; Dutch separable verbs joined ("vraag ik een VOG aan" → "aanvragen"); Dutch
and English stop words dropped; multi-word expressions folded into one token ("social return on
investment" → "sroi"); spelling variants mapped onto one form; a light suffix strip for plurals. A
few expressions made of stop words ("wil niet", "how often") are folded first, before the stop words
go. The word lists live in data/language.yaml.

Some tokens ask for one particular kind of fact (`Lexicon.focus`: what something costs, how to apply
for it, a wage, a number): an entry only answers such a question when it speaks of that kind of fact.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from bot.yamldata import load_yaml

DATA = Path(__file__).with_name("data") / "language.yaml"
_DIGIT_GLUE = re.compile(r"(?<=\d)[.,](?=\d)")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_CLAUSE_AFTER = frozenset({"voor", "bij", "via", "om", "na", "zodat", "als", "want", "omdat", "en", "of", "maar"})
"""Words that may follow a separable verb's particle at the end of its clause."""


def fold(text: str) -> str:
    """Lower case, accents and punctuation gone, numbers glued ("2.82" → "282"), single spaces."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("%", " procent ").replace("€", " euro ").replace("&", " en ")
    text = _DIGIT_GLUE.sub("", text)
    return _NON_WORD.sub(" ", text).strip()


def stem(token: str) -> str:
    """A deliberately light plural strip, the same for content and questions (contracten → contract)."""
    if token.isdigit():
        return token
    if len(token) >= 6 and token.endswith("en"):
        return token[:-2]
    if len(token) >= 5 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) >= 5 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


@dataclass(frozen=True)
class Lexicon:
    stopwords: frozenset[str]
    phrases: dict[tuple[str, ...], str]
    """Token sequence (stop words removed) → canonical token."""
    forms: dict[str, str]
    """Single word → its one form."""
    canonical: frozenset[str]
    longest: int
    known: frozenset[str]
    """Every word the phrase and word lists use: a typo is corrected towards these too."""
    idioms: dict[tuple[str, ...], str]
    """Expressions made of stop words ("wil niet", "how often"), folded before stop words go."""
    idiom_longest: int
    implies: dict[str, tuple[str, ...]]
    """A token that also means a broader one ("bestaandcontract" is a "contract" too)."""
    separable: dict[str, dict[str, str]] = field(default_factory=dict)
    """Particle → {verb form → joined verb}: "vraag … aan" is "aanvragen" when "aan" ends the clause."""
    focus: frozenset[str] = frozenset()
    """Tokens that ask for one kind of fact (a cost, how to apply, a wage, a number)."""
    number: str = ""
    """The focus token that asks for a figure: an entry whose answer holds a figure speaks of it."""

    def words(self, text: str) -> list[str]:
        """The folded words of a text without stop words (before phrases and word forms are applied)."""
        return [w for w in self._idioms(self._join_separable(fold(text).split()))
                if w not in self.stopwords and (len(w) > 1 or w.isdigit())]

    def _join_separable(self, words: list[str]) -> list[str]:
        """'hoe vraag ik een vog aan voor …' → 'hoe aanvragen ik een vog voor …'.

        The particle counts only where it ends the clause: last, or followed by a preposition ("aan voor
        een collega"); "vraag het aan de leverancier" keeps its preposition.
        """
        if not self.separable:
            return words
        out = list(words)
        for i, word in enumerate(out):
            for particle, verbs in self.separable.items():
                joined = verbs.get(word)
                if joined is None:
                    continue
                for j in range(i + 1, len(out)):
                    if out[j] == particle and (j == len(out) - 1 or out[j + 1] in _CLAUSE_AFTER):
                        out[i] = joined
                        del out[j]
                        break
                else:
                    continue
                break
        return out

    def _idioms(self, words: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(words):
            for size in range(min(self.idiom_longest, len(words) - i), 1, -1):
                hit = self.idioms.get(tuple(words[i:i + size]))
                if hit is not None:
                    out.append(hit)
                    i += size
                    break
            else:
                out.append(words[i])
                i += 1
        return out

    def tokens(self, text: str) -> list[str]:
        """The matching tokens of a text, in order."""
        return self.fold_words(self.words(text))

    def fold_words(self, raw: list[str], implied: bool = True) -> list[str]:
        """Fold multi-word expressions and word forms onto one token each, strip plurals; with `implied`
        also add the broader tokens the folded ones imply."""
        out: list[str] = []
        i = 0
        while i < len(raw):
            for size in range(min(self.longest, len(raw) - i), 0, -1):
                hit = self.phrases.get(tuple(raw[i:i + size]))
                if hit is not None:
                    out.append(hit)
                    i += size
                    break
            else:
                word = raw[i]
                mapped = self.forms.get(word)
                out.append(mapped if mapped is not None else word if word in self.canonical else stem(word))
                i += 1
        if not implied:
            return out
        return out + [wider for tok in out for wider in self.implies.get(tok, ()) if wider not in out]


@cache
def lexicon() -> Lexicon:
    data = load_yaml(DATA.read_text("utf-8"))
    odd = [w for lang in data["stopwords"].values() for w in lang if not isinstance(w, str)]
    if odd:  # YAML reads yes/no/on/off as booleans: quote them
        raise ValueError(f"{DATA.name}: quote these stop words: {odd}")
    stop = frozenset(fold(w) for lang in data["stopwords"].values() for w in lang)
    phrases: dict[tuple[str, ...], str] = {}
    words: dict[str, str] = {}
    canonical: set[str] = set()
    idioms: dict[tuple[str, ...], str] = {}

    def add(variant: str, target: str) -> None:
        folded = tuple(fold(str(variant)).split())
        key = tuple(w for w in folded if w not in stop)
        if len(folded) > 1 and len(key) <= 1:
            idioms.setdefault(folded, target)  # "open up", "het bestuur": matched before stop words go
        elif len(key) == 1:
            words.setdefault(key[0], target)
        elif key:
            phrases.setdefault(key, target)

    for target, variants in data["phrases"].items():
        target = fold(str(target)).replace(" ", "")
        canonical.add(target)
        for variant in [target, *variants]:
            add(variant, target)
    for variant, target in data["words"].items():
        target = fold(str(target)).replace(" ", "")
        canonical.add(target)
        add(variant, target)
    for target, variants in (data.get("idioms") or {}).items():
        target = fold(str(target)).replace(" ", "")
        canonical.add(target)
        for variant in variants:
            key = tuple(fold(str(variant)).split())
            if len(key) > 1:
                idioms.setdefault(key, target)
            elif key:
                add(key[0], target)
    longest = max((len(k) for k in phrases), default=1)
    known = {w for key in phrases for w in key} | set(words) | canonical
    implies = {fold(str(k)).replace(" ", ""): tuple(fold(str(v)) for v in vs)
               for k, vs in (data.get("implies") or {}).items()}
    separable = {fold(str(particle)): {fold(str(verb)): fold(str(joined)) for verb, joined in verbs.items()}
                 for particle, verbs in (data.get("separable") or {}).items()}
    focus = data.get("focus") or {}
    focus_tokens = frozenset(fold(str(tok)) for tok in focus.get("tokens") or ())
    unknown = focus_tokens - canonical
    if unknown:
        raise ValueError(f"{DATA.name}: focus tokens must be phrase or word targets: {sorted(unknown)}")
    return Lexicon(stopwords=stop, phrases=phrases, forms=words, canonical=frozenset(canonical), longest=longest,
                   known=frozenset(known), idioms=idioms, idiom_longest=max((len(k) for k in idioms), default=2),
                   implies=implies, separable=separable, focus=focus_tokens, number=fold(str(focus.get("number", ""))))


def tokens(text: str) -> list[str]:
    return lexicon().tokens(text)


@cache
def _phrases(path: Path) -> tuple[str, ...]:
    data = load_yaml(path.read_text("utf-8"))
    return tuple(f" {fold(str(p))} " for group in data.values() for p in group)


def says_any(text: str, path: Path) -> bool:
    """The text holds one of the phrases of `path` (a YAML mapping of lists, per language or topic), as
    whole words after folding."""
    padded = f" {fold(text)} "
    return any(p in padded for p in _phrases(path))
