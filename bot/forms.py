"""Reading a submitted form against its definition: types, required fields, known options."""

from __future__ import annotations

from typing import Any

from bot.i18n import t
from bot.markdown import Md
from bot.messages import Form, FormField, Reply
from bot.values import ValidationError, check_text, field_name, parse_date, parse_number

MAX_TEXT = {"text": 300, "textarea": 2000}


def read_form(form: Form, values: Any, lang: str) -> tuple[dict[str, Any], list[Md]]:
    """Clean values per field (numbers as numbers, dates as dates) and every problem found, at most one per field.

    All fields are read before anything is reported, so the user sees every problem in one answer: type,
    required, known option, the number range of the field, and the order of two date fields. Fields that
    are not in the form are ignored; a missing optional field, or one that was refused, becomes None.
    """
    if not isinstance(values, dict):
        values = {}
    clean: dict[str, Any] = {}
    problems: dict[str, ValidationError] = {}
    for field in form.fields:
        raw = values.get(field.name)
        clean[field.name] = [] if field.type == "multichoice" else None
        empty = raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []
        if empty:
            if field.required:
                problems[field.name] = ValidationError("required", field.name)
            continue
        try:
            clean[field.name] = _value(field, raw)
        except ValidationError as exc:
            problems[field.name] = exc
    _check_order(form, clean, problems)
    fields = {f.name: f for f in form.fields}
    return clean, [_message(fields[name], exc, lang) for name, exc in _in_form_order(form, problems)]


def _in_form_order(form: Form, problems: dict[str, ValidationError]) -> list[tuple[str, ValidationError]]:
    return [(f.name, problems[f.name]) for f in form.fields if f.name in problems]


def _check_order(form: Form, clean: dict[str, Any], problems: dict[str, ValidationError]) -> None:
    """A date field that must not come before (`after`) or after (`before`) another date field of the form."""
    labels = {f.name: f.label for f in form.fields}
    for field in form.fields:
        mine = clean.get(field.name)
        if mine is None or field.name in problems:
            continue
        for other, key, wrong in ((field.after, "not_before", lambda a, b: a < b),
                                  (field.before, "not_after", lambda a, b: a > b)):
            theirs = clean.get(other) if other else None
            if theirs is not None and wrong(mine, theirs):
                problems[field.name] = ValidationError(key, field.name, other=labels[other])
                clean[field.name] = None
                break


def _message(field: FormField, exc: ValidationError, lang: str) -> Md:
    own = field.messages.get(exc.key)
    return t(own, lang, field=field_name(field.label), **exc.params) if own else exc.message(lang, field.label)


def _value(field: FormField, raw: Any) -> Any:
    kind, name, options = field.type, field.name, [o.value for o in field.options]
    if kind == "number":
        return parse_number(raw, name, minimum=field.minimum, maximum=field.maximum, integer=field.integer)
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
    """The problems, and the same form again with what the user typed filled back in.

    A pick that is not among a field's options (someone no longer in the working group) is left out:
    the form comes back with that field to choose again."""
    if isinstance(values, dict):
        for field in form.fields:
            if field.name in values and isinstance(values[field.name], str | int | float | list):
                field.value = _known(field, values[field.name])
    text = t("form.invalid", lang) + "\n" + "\n".join(f"- {e}" for e in errors)
    return Reply(text=text, section=section, form=form)


def _known(field: FormField, value: Any) -> Any:
    if field.type not in ("choice", "multichoice"):
        return value
    options = {o.value for o in field.options}
    if field.type == "choice":
        return value if str(value) in options else None
    picked = value if isinstance(value, list) else str(value).split(",")
    return [v for v in (str(p).strip() for p in picked) if v in options]
