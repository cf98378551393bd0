"""The evaluation questions of step 4b (from data/evaluation.yaml), their form and reading the answers."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.forms import read_form
from bot.i18n import t
from bot.markdown import Md, escape
from bot.messages import Form, FormField
from bot.privacy import privacy_message
from bot.records import Evaluation

FORM_PREFIX = "mon:eval:"
WHOLE = "org"
"""The form id suffix for an evaluation of the approach as a whole (no contract)."""


@cache
def _data() -> dict[str, Any]:
    return yaml.safe_load(Path(__file__).with_name("data").joinpath("evaluation.yaml").read_text("utf-8"))


def questions() -> tuple[dict[str, str], ...]:
    return tuple(_data()["questions"])


def section() -> str:
    return str(_data()["section"])


def label(key: str, lang: str) -> str:
    """The question's short name (for the results)."""
    for q in questions():
        if q["key"] == key:
            return q["label"].get(lang) or q["label"]["nl"]
    return key


def questions_text(lang: str) -> Md:
    return Md("\n".join(f"- {escape(q.get(lang) or q['nl'])}" for q in questions()))


def evaluation_form(contract_id: int | None, lang: str) -> Form:
    suffix = WHOLE if contract_id is None else str(contract_id)
    return Form(id=f"{FORM_PREFIX}{suffix}", title=str(t("monitoring.evaluation.title", lang)),
                submit_label=str(t("monitoring.form.submit", lang)),
                fields=[FormField(q["key"], q.get(lang) or q["nl"], "textarea") for q in questions()])


def read_evaluation(form: Form, values: Any, lang: str, contract_id: int | None,
                    today: date) -> tuple[Evaluation | None, list[Md]]:
    clean, errors = read_form(form, values, lang)
    answers = {k: v for k, v in clean.items() if v}
    if not answers and not errors:
        return None, [t("monitoring.evaluation.empty", lang)]
    # The question's short name: the whole question is too long to repeat. The answers talk about people from
    # the target group ("what it means for the people involved"), so names are refused too.
    for key, text in answers.items():
        refused = privacy_message(text, today, lang, label(key, lang), names=True)
        if refused:
            errors.append(refused)
    if errors:
        return None, errors
    return Evaluation(contract_id=contract_id, date=today, answers=answers), []
