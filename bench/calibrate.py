"""Fit the knowledge base's confidence (knowledge/confidence.py) on the labelled question sets.

For every labelled question the best entry's signals are paired with whether its section is right
(a question without an answer in the handbook is never right), and a logistic regression with a
little L2 regularisation is fitted by Newton's method. The ranking uses the confidence, so the fit is
repeated a few times with the new weights. Prints the weights to paste into `Calibration`, and for a
range of answer thresholds the share answered right (or rightly not answered) and answered wrongly.
Run: `python -m bench.calibrate` (`--write` also puts the weights into knowledge/confidence.py).
"""

from __future__ import annotations

import re
import sys
from dataclasses import fields
from pathlib import Path

import numpy as np

from knowledge.base import ANSWER_AT, KnowledgeBase
from knowledge.confidence import Calibration, Signals
from knowledge.evaluation import Item, load_items

ROOT = Path(__file__).resolve().parent.parent
TRAIN = [ROOT / "tests" / "data" / "kb_eval.yaml", ROOT / "bench" / "data" / "kb_dev.yaml",
         ROOT / "bench" / "data" / "kb_fresh.yaml"]
L2 = 0.5
ROUNDS = 3


def samples(kb: KnowledgeBase, items: list[Item]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Signals of the best entry per question, whether its section is the right one, and whether the
    question has no answer in the handbook."""
    rows, labels, unanswerable = [], [], []
    for item in items:
        outcome = kb.ask(item.question, item.lang)
        if outcome.entry is not None and outcome.entry.source == "roles":
            continue  # the roles matrix has its own, fixed confidence
        ranked = kb.rank(item.question, [kb.speller])
        if not ranked or ranked[0].signals is None:
            continue
        rows.append(ranked[0].signals.values())
        labels.append(float(item.section is not None and ranked[0].entry.section == item.section))
        unanswerable.append(item.section is None)
    return np.array(rows), np.array(labels), np.array(unanswerable)


def fit(x: np.ndarray, y: np.ndarray, l2: float = L2) -> np.ndarray:
    """Logistic regression (bias first) by Newton's method; the bias is not regularised."""
    design = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(design.shape[1])
    penalty = np.eye(len(w)) * l2
    penalty[0, 0] = 0
    for _ in range(50):
        p = 1 / (1 + np.exp(-design @ w))
        grad = design.T @ (p - y) + penalty @ w
        hess = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def main() -> None:
    items = [item for path in TRAIN for item in load_items(path)]
    kb = KnowledgeBase()
    for _ in range(ROUNDS):
        x, y, none = samples(kb, items)
        weights = fit(x, y)
        kb.calibration = Calibration.from_weights([round(float(w), 2) for w in weights])
    names = ["bias", *(f.name for f in fields(Signals))]
    print(f"{len(y)} questions, {int(y.sum())} with the right section first")
    print("Calibration(" + ", ".join(f"{n}={w:.2f}" for n, w in zip(names, weights, strict=True)) + ")")
    if "--write" in sys.argv:
        write(dict(zip(names, (round(float(w), 2) for w in weights), strict=True)))
    confidence = np.array([kb.calibration(Signals(*row)) for row in x])
    print(f"threshold: answered right or rightly silent / answered wrongly (over {len(y)}; "
          f"{int(none.sum())} unanswerable)")
    for threshold in (0.3, 0.4, ANSWER_AT, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9):
        answered = confidence >= threshold
        right = int((answered & (y == 1)).sum())
        silent = int((~answered & none).sum())
        wrong = int((answered & (y == 0)).sum())
        print(f"  {threshold:.2f}: {(right + silent) / len(y):.1%} / {wrong / len(y):.1%}")


def write(weights: dict[str, float]) -> None:
    """Replace the default weights of `Calibration` in knowledge/confidence.py."""
    path = ROOT / "knowledge" / "confidence.py"
    text = path.read_text("utf-8")
    for name, value in weights.items():
        text = re.sub(rf"(\n    {name}: float = )-?[0-9.]+", rf"\g<1>{value}", text, count=1)
    path.write_text(text, "utf-8")


if __name__ == "__main__":
    main()
