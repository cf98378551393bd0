"""The step files as data: complete, short enough for chat, both languages, and in our own words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.feature import normalise
from bot.sections import STEP_ORDER
from dialogs.feature import phrases, start_code
from dialogs.ops import REGISTRY
from dialogs.plan import PlanError, load_plan, load_step
from monitoring.evaluation import questions as evaluation_questions

ROOT = Path(__file__).resolve().parent.parent
HANDBOOK = Path("/work/shared/handbook/handreiking-partnerships-voor-meer-banen.md")
CONTENT = [*sorted((ROOT / "dialogs" / "steps").glob("*.yaml")), ROOT / "dialogs" / "texts.yaml",
           ROOT / "dialogs" / "forms.yaml"]
MAX_WORDS = 120


@pytest.fixture(scope="module")
def plan():
    return load_plan(REGISTRY.names())


def test_every_sub_step_of_the_plan_is_defined_once(plan):
    assert sorted(plan.substeps) == sorted(STEP_ORDER)
    assert plan.sequence("both") == [s for s in STEP_ORDER if not s.startswith("2A")]
    assert plan.sequence("2A") == [s for s in STEP_ORDER if not s.startswith("2B")]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_each_message_stays_short(plan, lang):
    for sub in plan.substeps.values():
        step_goal = plan.steps[sub.step].goal[lang]
        for i, node in enumerate(sub.nodes):
            words = len(node.text[lang].split()) + 6
            if sub.index == 1 and i == 0:
                words += len(step_goal.split())
            assert words <= MAX_WORDS, (node.section, node.id, words)
            tips = sum(len(t[lang].split()) for t in node.tips) + 6
            assert tips <= MAX_WORDS, (node.section, node.id, "tips", tips)


def test_labels_fit_slack_and_teams(plan):
    """Slack cuts option and button texts after 75 characters and modal titles after 24."""
    for sub in plan.substeps.values():
        for node in sub.nodes:
            labels = [o.label for o in node.options]
            if node.form:
                labels += [o.label for f in node.form.fields for o in f.options]
                assert all(len(v) <= 24 for v in node.form.title.values()), node.form.title
            for label in labels:
                assert all(len(v) <= 75 for v in label.values()), label


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


@pytest.mark.skipif(not HANDBOOK.exists(), reason="the handbook is not on this machine")
def test_no_sentence_is_copied_from_the_handbook():
    words = normalise(HANDBOOK.read_text("utf-8")).split()
    grams = {tuple(words[i:i + 10]) for i in range(len(words) - 9)}
    for path in CONTENT:
        for text in _strings(yaml.safe_load(path.read_text("utf-8"))):
            ours = normalise(text).split()
            for i in range(len(ours) - 9):
                assert tuple(ours[i:i + 10]) not in grams, (path.name, " ".join(ours[i:i + 10]))


def _text_dicts(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        own = [node] if {"nl", "en"} & set(node) else []
        return own + [d for v in node.values() for d in _text_dicts(v)]
    if isinstance(node, list):
        return [d for v in node for d in _text_dicts(v)]
    return []


def test_every_text_is_exactly_one_dutch_and_one_english_string():
    """A comma in an unquoted YAML flow mapping would silently split a text into extra keys."""
    for path in CONTENT:
        for text in _text_dicts(yaml.safe_load(path.read_text("utf-8"))):
            assert set(text) == {"nl", "en"} and all(isinstance(v, str) for v in text.values()), (path.name, text)


def test_phrases_are_written_the_way_messages_are_normalised():
    data = phrases()
    lists = [data["begin"], data["resume"], data["progress"], *data["nav"].values()]
    for items in lists:
        for phrase in items:
            assert normalise(phrase) == phrase, phrase


@pytest.mark.parametrize(("typed", "code"), [
    ("stap 2B", "2B"), ("Stap 2b", "2B"), ("step 4a", "4a"), ("ga naar stap 2Ba", "2Ba"), ("stap 2", "route"),
    ("walk me through step 3", "3"), ("start bij stap 1c", "1c"), ("step route", "route")])
def test_typed_step_requests(typed, code):
    assert start_code(normalise(typed)) == code


@pytest.mark.parametrize("typed", ["wie doet wat in stap 3", "wat is stap 2B", "stap 9", "step 2Z"])
def test_questions_about_a_step_are_not_step_requests(typed):
    assert start_code(normalise(typed)) is None


def test_a_step_file_with_an_unknown_operation_is_refused(tmp_path):
    bad = tmp_path / "1.yaml"
    bad.write_text(yaml.safe_dump({"step": "1", "goal": {"nl": "x", "en": "x"}, "substeps": [
        {"section": "1a", "nodes": [{"id": "a", "text": {"nl": "x", "en": "x"}, "save": "no_such_op"}]}]}))
    with pytest.raises(PlanError, match="no_such_op"):
        load_step(bad, {}, REGISTRY.names())


def test_a_step_file_without_english_is_refused(tmp_path):
    bad = tmp_path / "1.yaml"
    bad.write_text(yaml.safe_dump({"step": "1", "goal": {"nl": "x", "en": "x"}, "substeps": [
        {"section": "1a", "nodes": [{"id": "a", "text": {"nl": "alleen Nederlands"}}]}]}))
    with pytest.raises(PlanError, match="nl and en"):
        load_step(bad, {}, REGISTRY.names())


def test_the_walks_evaluation_refuses_names_like_monitorings_and_other_fields_keep_them(plan):
    """4b's answers talk about people from the target group (no names); the keys are monitoring's questions."""
    no_names = {(section, node.id, f.name) for section, sub in plan.substeps.items()
                for node in sub.nodes if node.form for f in node.form.fields if f.no_names}
    assert {name for _, _, name in no_names} == {q["key"] for q in evaluation_questions()}
    assert {(sub, node) for sub, node, _ in no_names} == {("4b", "evaluate")}


def test_no_names_only_on_a_text_field_that_refuses_personal_data(tmp_path):
    for field in ({"name": "x", "type": "choice", "options": [{"value": "a", "label": {"nl": "a", "en": "a"}}]},
                  {"name": "x", "type": "text", "personal_data": "allowed"}):
        bad = tmp_path / "1.yaml"
        bad.write_text(yaml.safe_dump({"step": "1", "goal": {"nl": "x", "en": "x"}, "substeps": [
            {"section": "1a", "nodes": [{"id": "a", "text": {"nl": "x", "en": "x"}, "form": {
                "title": {"nl": "x", "en": "x"}, "fields": [{**field, "label": {"nl": "x", "en": "x"},
                                                            "no_names": True}]}}]}]}))
        with pytest.raises(PlanError, match="no_names"):
            load_step(bad, {}, REGISTRY.names())
