"""The labelled evaluation set: top-1 section accuracy and confidently-wrong answers stay within bounds."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from knowledge.base import default_base
from knowledge.evaluation import Report, evaluate, load_items

EVAL = Path(__file__).with_name("data") / "kb_eval.yaml"
MIN_ACCURACY = 0.90
MAX_CONFIDENTLY_WRONG = 0.03


@pytest.fixture(scope="module")
def report() -> Report:
    return evaluate(load_items(EVAL), default_base().ask)


def test_the_set_is_big_and_balanced():
    items = load_items(EVAL)
    assert len(items) >= 150
    langs = Counter(i.lang for i in items)
    assert langs["nl"] == langs["en"]
    kinds = Counter(i.kind for i in items)
    assert {"paraphrase", "typo", "keyword", "roles", "none"} <= set(kinds)
    assert kinds["none"] >= 10


def test_top1_section_accuracy_is_at_least_90_percent(report):
    assert report.accuracy >= MIN_ACCURACY, "\n".join(report.mistakes)


def test_at_most_3_percent_confidently_wrong(report):
    assert report.wrong_rate <= MAX_CONFIDENTLY_WRONG, "\n".join(report.mistakes)


def test_questions_without_an_answer_get_none():
    items = [i for i in load_items(EVAL) if i.section is None]
    kb = default_base()
    answered = [i.question for i in items if kb.ask(i.question, i.lang).answered]
    assert answered == []
