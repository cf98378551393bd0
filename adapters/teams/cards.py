"""Neutral replies as Teams messages: plain Markdown text, or an Adaptive Card (schema 1.5) when it adds something.

A pure module (no SDK, no I/O): `render()` turns a `Reply` into the JSON of one Teams message
activity. Text uses the Markdown subset of `bot.markdown`; everything that is not our own
formatting is backslash-escaped again, so text a user typed can never become formatting, a link or
a mention. The section code is a subtle footer, choices are buttons (or suggested actions in a
personal chat), a form becomes Adaptive Card inputs submitted with Action.Execute, images are shown
inline and other files are links to the bot's own expiring URLs.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot import sections
from bot.forms import MAX_TEXT
from bot.i18n import t
from bot.markdown import InlineStyle, render_inline, to_plain
from bot.messages import Attachment, Choice, Form, FormField, Reply
from bot.values import ValidationError, parse_date, parse_number

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"
FORM_VERB = "partnerbot.form"
DATA_KEY = "partnerbot"
"""The key of our own object in an action's `data`; the inputs' values are merged in beside it."""
MAX_SUGGESTED = 3
"""Teams shows at most three suggested actions."""
MAX_ACTIONS_PER_SET = 5
EXPANDED_OPTIONS = 4
"""A choice field with at most this many options shows them all (radio buttons), else a drop-down."""

_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")


@dataclass(frozen=True, slots=True)
class Surface:
    """Where a reply is shown: the language, personal chat or not, and how files get their absolute URLs."""

    lang: str
    personal: bool
    file_url: Callable[[Attachment], str]
    card_id: Callable[[], str] = field(default=lambda: secrets.token_urlsafe(12))


@dataclass(slots=True)
class Rendered:
    """One Teams message activity (JSON), and for suggested actions the label → choice value they stand for."""

    activity: dict[str, Any]
    suggested: dict[str, str] = field(default_factory=dict)


# -- text -------------------------------------------------------------------------------------

_SPECIAL = re.compile(r"([\\*_\[\]`<>~|])")
_LINE_START = re.compile(r"^(\s*)(#|[-+](?=\s)|\d+(?=[.)]\s))")


def escape(text: str) -> str:
    """Plain text as literal Teams Markdown: only what could start formatting, a link or a mention is
    escaped (Teams' mobile clients have shown stray backslashes, so no more than needed)."""
    out = _SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + ("\\" + m.group(2) if not m.group(2)[0].isdigit()
                                                   else m.group(2) + "\\"), out)


_TEAMS_MARKDOWN = InlineStyle(escape=escape, bold="**{}**", italic="_{}_", link=lambda text, url: f"[{text}]({url})")


def _inline(line: str) -> str:
    """One line of our Markdown as Teams Markdown: our bold, italic and links kept, the rest escaped."""
    return render_inline(line, _TEAMS_MARKDOWN)


def blocks(text: str) -> list[tuple[str, str, bool]]:
    """The text as (kind, Teams Markdown, after_blank_line) blocks: "para" for a line, "list" for list items."""
    result: list[tuple[str, str, bool]] = []
    items: list[str] = []
    blank = False
    items_blank = False

    def flush() -> None:
        nonlocal items
        if items:
            result.append(("list", "\n".join(items), items_blank))
            items = []

    for raw in text.replace("\r\n", "\n").split("\n"):
        if not raw.strip():
            flush()
            blank = bool(result)
            continue
        match = _LIST_ITEM.match(raw)
        if match:
            if not items:
                items_blank = blank
            marker = raw[:match.end()].strip()
            marker = "-" if marker in "-*+" else marker
            items.append(f"{marker} {_inline(raw[match.end():].strip())}")
        else:
            flush()
            result.append(("para", _inline(raw.strip()), blank))
        blank = False
    flush()
    return result


def markdown(text: str) -> str:
    """Our Markdown as the text of a plain Teams message (paragraphs apart, list items together)."""
    return "\n\n".join(md for _, md, _ in blocks(text))


def _plain(text: str) -> str:
    return to_plain(text).strip()


def summary(reply: Reply) -> str:
    """A one-line preview for notifications (Teams shows it for cards)."""
    source = reply.text or (reply.form.title if reply.form else "")
    line = " ".join(_plain(source).split())
    return line if len(line) <= 120 else line[:117].rstrip() + "…"


def _text_blocks(text: str) -> list[dict[str, Any]]:
    elements = []
    for _, md, after_blank in blocks(text):
        element: dict[str, Any] = {"type": "TextBlock", "text": md, "wrap": True}
        if after_blank:
            element["spacing"] = "Medium"
        elements.append(element)
    return elements


def _footer(section: str, lang: str) -> dict[str, Any]:
    label = sections.label(section, lang, " · ") if sections.is_code(section) else section
    return {"type": "TextBlock", "text": escape(label), "isSubtle": True, "size": "Small", "wrap": True,
            "spacing": "Medium", "separator": True}


# -- forms ------------------------------------------------------------------------------------

def _number(value: Any) -> float | int | None:
    try:
        number = parse_number(value, minimum=None)
    except (ValidationError, TypeError, ValueError):
        return None
    return int(number) if float(number).is_integer() else number


def _date(value: Any) -> str | None:
    try:
        return parse_date(value).isoformat()
    except ValidationError:
        return None


def _input(f: FormField, lang: str) -> list[dict[str, Any]]:
    label = _plain(f.label)
    element: dict[str, Any] = {"id": f.name, "label": label, "isRequired": f.required}
    if f.required:
        element["errorMessage"] = _plain(t("validation.required", lang, field=label))
    hint = _plain(f.hint) if f.hint else None
    value = f.value
    if f.type in ("text", "textarea"):
        element.update({"type": "Input.Text", "maxLength": MAX_TEXT[f.type]})
        if f.type == "textarea":
            element["isMultiline"] = True
        if value not in (None, ""):
            element["value"] = str(value)
    elif f.type == "number":
        element["type"] = "Input.Number"
        number = _number(value) if value not in (None, "") else None
        if number is not None:
            element["value"] = number
    elif f.type == "date":
        element["type"] = "Input.Date"
        iso = _date(value) if value not in (None, "") else None
        if iso:
            element["value"] = iso
    else:
        multi = f.type == "multichoice"
        element.update({
            "type": "Input.ChoiceSet",
            "choices": [{"title": _plain(o.label), "value": o.value} for o in f.options],
            "style": "expanded" if multi or len(f.options) <= EXPANDED_OPTIONS else "compact",
        })
        if multi:
            element["isMultiSelect"] = True
        if isinstance(value, list | tuple):
            element["value"] = ",".join(str(v) for v in value)
        elif value not in (None, ""):
            element["value"] = str(value)
    elements = [element]
    if hint and element["type"] in ("Input.Text", "Input.Number"):
        element["placeholder"] = hint
    elif hint:
        elements.append({"type": "TextBlock", "text": escape(hint), "isSubtle": True, "size": "Small",
                         "wrap": True, "spacing": "None"})
    return elements


def _form_elements(form: Form, lang: str) -> list[dict[str, Any]]:
    elements: list[dict[str, Any]] = [{"type": "TextBlock", "text": _inline(form.title), "weight": "Bolder",
                                       "size": "Medium", "wrap": True, "spacing": "Medium"}]
    for f in form.fields:
        elements.extend(_input(f, lang))
    return elements


def _submit(form: Form, surface: Surface) -> dict[str, Any]:
    label = _plain(form.submit_label or t("form.submit", surface.lang))
    data = {DATA_KEY: {"kind": "form", "form": form.id, "card": surface.card_id(), "title": _plain(form.title)}}
    # Action.Execute lets the bot answer with a new card (the form cannot be sent twice); a client that
    # does not know it falls back to Action.Submit with the same data.
    return {"type": "Action.Execute", "title": label, "verb": FORM_VERB, "data": data, "style": "positive",
            "fallback": {"type": "Action.Submit", "title": label, "data": data}}


# -- choices and files ------------------------------------------------------------------------

def choice_action(choice: Choice) -> dict[str, Any]:
    return {"type": "Action.Submit", "title": _plain(choice.label),
            "data": {DATA_KEY: {"kind": "choice", "value": choice.value}}}


def _file_action(att: Attachment, surface: Surface) -> dict[str, Any]:
    return {"type": "Action.OpenUrl", "title": _plain(t("teams.open_file", surface.lang, name=att.name)),
            "url": surface.file_url(att)}


def _place_actions(card: dict[str, Any], actions: list[dict[str, Any]]) -> None:
    """A few actions at the bottom of the card; many as rows of buttons, so Teams shows every one."""
    if len(actions) <= MAX_ACTIONS_PER_SET:
        if actions:
            card["actions"] = actions
        return
    for start in range(0, len(actions), MAX_ACTIONS_PER_SET):
        card["body"].append({"type": "ActionSet", "actions": actions[start:start + MAX_ACTIONS_PER_SET]})


def card(reply: Reply, surface: Surface, *, with_choices: bool = True) -> dict[str, Any]:
    """The Adaptive Card for a reply."""
    body: list[dict[str, Any]] = []
    if reply.text.strip():
        body.extend(_text_blocks(reply.text))
    for att in reply.attachments:
        if att.is_image:
            body.append({"type": "Image", "url": surface.file_url(att), "altText": _plain(att.name),
                         "size": "Stretch"})
    if reply.form is not None:
        body.extend(_form_elements(reply.form, surface.lang))
    content: dict[str, Any] = {"type": "AdaptiveCard", "$schema": CARD_SCHEMA, "version": CARD_VERSION,
                               "body": body}
    actions: list[dict[str, Any]] = []
    if reply.form is not None:
        actions.append(_submit(reply.form, surface))
    if with_choices:
        actions.extend(choice_action(c) for c in reply.choices)
    actions.extend(_file_action(a, surface) for a in reply.attachments if not a.is_image)
    _place_actions(content, actions)
    if reply.section:
        body.append(_footer(reply.section, surface.lang))
    if not body:
        body.append({"type": "TextBlock", "text": " ", "wrap": True})
    return content


def card_message(content: dict[str, Any], preview: str = "") -> dict[str, Any]:
    activity: dict[str, Any] = {"type": "message",
                                "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": content}]}
    if preview:
        activity["summary"] = preview
    return activity


def render(reply: Reply, surface: Surface, *, last: bool = True) -> Rendered | None:
    """The Teams message for one reply, or None when the reply has nothing to show.

    Only the last message of a turn may carry suggested actions: Teams shows those of the newest
    message only, so an earlier reply's choices would vanish.
    """
    files = [a for a in reply.attachments if not a.is_image]
    suggest = (last and surface.personal and reply.form is None and not files
               and 0 < len(reply.choices) <= MAX_SUGGESTED and bool(reply.text.strip()))
    needs_card = (reply.form is not None or bool(reply.section) or bool(reply.attachments)
                  or (bool(reply.choices) and not suggest))
    if needs_card:
        activity = card_message(card(reply, surface, with_choices=not suggest), summary(reply))
    elif reply.text.strip():
        activity = {"type": "message", "text": markdown(reply.text), "textFormat": "markdown"}
    else:
        return None
    rendered = Rendered(activity)
    if suggest:
        actions = []
        for choice in reply.choices:
            label = _plain(choice.label)
            actions.append({"type": "imBack", "title": label, "value": label})
            rendered.suggested[label] = choice.value
        activity["suggestedActions"] = {"actions": actions}
    return rendered


def render_all(replies: list[Reply], surface: Surface) -> list[Rendered]:
    shown = [r for r in replies if r.text.strip() or r.form or r.choices or r.attachments]
    rendered = (render(reply, surface, last=i == len(shown) - 1) for i, reply in enumerate(shown))
    return [r for r in rendered if r is not None]


def submitted_card(form_title: str, lang: str) -> dict[str, Any]:
    """What a sent form's card turns into: its title and that it was sent, with no inputs left to send again."""
    return {"type": "AdaptiveCard", "$schema": CARD_SCHEMA, "version": CARD_VERSION, "body": [
        {"type": "TextBlock", "text": escape(form_title) if form_title else " ", "weight": "Bolder",
         "size": "Medium", "wrap": True},
        {"type": "TextBlock", "text": "✓ " + escape(_plain(t("teams.submitted", lang))), "isSubtle": True,
         "wrap": True},
    ]}


def notice_card(text: str) -> dict[str, Any]:
    return {"type": "AdaptiveCard", "$schema": CARD_SCHEMA, "version": CARD_VERSION,
            "body": _text_blocks(text) or [{"type": "TextBlock", "text": " ", "wrap": True}]}
