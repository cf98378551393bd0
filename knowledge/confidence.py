"""How sure the bot is that an entry answers a question: a probability made from a few signals.

The matcher's score ranks entries; on its own it is a poor measure of being right (a question that
uses one rare word of an entry scores high even when it asks something the entry does not say). The
confidence combines, in a logistic model, what tells a right answer from a wrong one:

- `score`: how well the question matches the entry's ways to ask (knowledge.matcher);
- `gap`: how far the entry is ahead of the best entry of another section (ambiguity);
- `cover`: how much of the question the entry speaks of at all (questions, keywords and answer);
- `focus_missed`: the question asks for a kind of fact (a cost, how to apply, a wage, a figure) that
  the entry does not give ("wat kost een jobcoach per uur?" is not answered by the job coach entry);
- `unknown`: how much of the question consists of words no entry uses (off-topic).

The weights are fitted by `python -m bench.calibrate` on the labelled question sets (tests/data/kb_eval.yaml
and bench/data/*.yaml), so that the confidence estimates the chance that the answer's section is right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class Signals:
    """What the confidence of one entry for one question is made of."""

    score: float
    gap: float
    cover: float
    focus_missed: float
    unknown: float

    def values(self) -> list[float]:
        return [getattr(self, f.name) for f in fields(self)]


@dataclass(frozen=True)
class Calibration:
    """Logistic weights per signal (see `bench/calibrate.py`, which fits and prints them)."""

    bias: float = -3.61
    score: float = 3.22
    gap: float = 3.93
    cover: float = 3.79
    focus_missed: float = -3.69
    unknown: float = -3.64

    def __call__(self, signals: Signals) -> float:
        z = self.bias + sum(getattr(self, f.name) * getattr(signals, f.name) for f in fields(Signals))
        return 1 / (1 + math.exp(-z))

    @classmethod
    def from_weights(cls, weights: list[float]) -> Calibration:
        """bias first, then one weight per field of `Signals`, in order."""
        names = ["bias", *(f.name for f in fields(Signals))]
        return cls(**dict(zip(names, weights, strict=True)))


GAP_CAP = 0.3
"""A lead over the best entry of another section counts up to this much (beyond it, the question is clear)."""
