"""Reading a submitted form against its definition: types, required fields, known options."""

from __future__ import annotations

from typing import Any

from bot.i18n import t
from bot.markdown import Md
from bot.messages import Form, Reply
from bot.values import ValidationError, check_text, parse_date, parse_number

MAX_TEXT = {"text": 300, "textarea": 2000}


def read_form(form: Form, values: Any, lang: str) -> tuple[dict[str, Any], list[Md]]:
    """Clean values per field (numbers as numbers, dates as dates) and the problems found.

    Fields that are not in the form are ignored; a missing optional field becomes None.
    """
    if not isinstance(values, dict):
        values = {}
    clean: dict[str, Any] = {}
    errors: list[Md] = []
    for field in form.fields:
        raw = values.get(field.name)
        empty = raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []
        if empty:
            if field.required:
                errors.append(ValidationError("required", field.name).message(lang, field.label))
            clean[field.name] = [] if field.type == "multichoice" else None
            continue
        try:
            clean[field.name] = _value(field.type, raw, field.name, [o.value for o in field.options])
        except ValidationError as exc:
            errors.append(exc.message(lang, field.label))
    return clean, errors


def _value(kind: str, raw: Any, name: str, options: list[str]) -> Any:
    if kind == "number":
        return parse_number(raw, name, minimum=None)
    if kind == "date":
        return parse_date(raw, name)
    if kind == "choice":
        value = str(raw)
        if value not in options:
            raise ValidationError("unknown_option", name, value=value[:60])
        return value
    if kind == "multichoice":
        items = raw if isinstance(raw, list) else [v for v in str(raw).split(",") if v.strip()]
        picked = [str(v).strip() for v in items]
        for value in picked:
            if value not in options:
                raise ValidationError("unknown_option", name, value=value[:60])
        return list(dict.fromkeys(picked))
    return check_text(raw, name, max_length=MAX_TEXT.get(kind, 300))


def invalid_reply(form: Form, values: Any, errors: list[Md], lang: str, section: str | None = None) -> Reply:
    """The problems, and the same form again with what the user typed filled back in."""
    if isinstance(values, dict):
        for field in form.fields:
            if field.name in values and isinstance(values[field.name], str | int | float | list):
                field.value = values[field.name]
    text = t("form.invalid", lang) + "\n" + "\n".join(f"- {e}" for e in errors)
    return Reply(text=text, section=section, form=form)
