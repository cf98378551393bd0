"""A neutral Reply as Slack Block Kit: mrkdwn sections, a context line, buttons, modals and the Home view.

Pure functions, no I/O. Every piece of text is escaped for Slack (`&`, `<`, `>`), so text that came
from a user can never become `<!channel>`, `<!here>`, a mention or a disguised link. Everything is
cut to Slack's limits here, so a long answer or a long label never makes Slack refuse a message.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot import sections
from bot.i18n import t
from bot.markdown import InlineStyle, render_inline, to_plain
from bot.messages import Form, FormField, Reply

MAX_SECTION_TEXT = 3000
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_LABEL = 2000
MAX_OPTION_TEXT = 75
MAX_OPTIONS = 100
MAX_VIEW_TITLE = 24
MAX_FALLBACK_TEXT = 3000
MAX_CONTEXT_TEXT = 2000

CHOICE_ACTION = "choice"
"""action_id prefix of a choice button; the rest makes it unique within a message or view."""
FORM_ACTION = "form_open"
FORM_CALLBACK = "partnerbot_form"
VALUE_ACTION = "value"


def escape(text: str) -> str:
    """Literal text for Slack: only `&`, `<` and `>` have a meaning of their own there."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plain(text: str, limit: int = MAX_LABEL) -> dict[str, Any]:
    return {"type": "plain_text", "text": shorten(text, limit) or "-", "emoji": True}


# -- text ------------------------------------------------------------------------------------

_LIST_ITEM = re.compile(r"^(\s*)[-+*]\s+(.*)$")


def _url(url: str) -> str:
    # a `|` or `>` inside <url|text> would end the link early
    return escape(url).replace("|", "%7C")


ZERO_WIDTH_SPACE = "\u200b"
_FORMATTING = re.compile(r"([*_~`])")


def literal(text: str) -> str:
    """Text that Slack shows as it was typed, inside mrkdwn: `escape`, plus a zero-width space on both
    sides of `*`, `_`, `~` and `` ` `` (Slack has no escape for those, and a pair of them would format
    what stands between; the invisible space keeps them from pairing)."""
    return _FORMATTING.sub(ZERO_WIDTH_SPACE + r"\1" + ZERO_WIDTH_SPACE, escape(text))


_MRKDWN = InlineStyle(escape=literal, bold="*{}*", italic="_{}_", trim=True,
                      link=lambda text, url: f"<{_url(url)}|{text.replace('|', '¦')}>")


def mrkdwn_line(line: str) -> str:
    """One line of our Markdown subset as Slack mrkdwn."""
    prefix = ""
    item = _LIST_ITEM.match(line)
    if item:
        prefix, line = item.group(1) + "• ", item.group(2)
    return prefix + render_inline(line, _MRKDWN)


def mrkdwn(text: str) -> str:
    return "\n".join(mrkdwn_line(line) for line in text.replace("\r\n", "\n").split("\n"))


def _safe_cut(text: str, limit: int) -> int:
    """Where to cut `text` at most `limit` long: at a line break or space, never inside `&amp;` or `<…>`."""
    cut = limit
    for sep in ("\n", " "):
        found = text.rfind(sep, limit // 2, limit)
        if found > 0:
            cut = found
            break
    for opener, closer in (("&", ";"), ("<", ">")):
        at = text.rfind(opener, 0, cut)
        if at > 0 and text.find(closer, at, cut) < 0:
            cut = at
    return cut


def split_text(text: str, limit: int = MAX_SECTION_TEXT) -> list[str]:
    """mrkdwn text in pieces of at most `limit` characters, cut at line breaks where possible."""
    chunks: list[str] = []
    rest = text.strip("\n")
    while len(rest) > limit:
        cut = _safe_cut(rest, limit)
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest.strip():
        chunks.append(rest)
    return chunks


def fallback_text(reply: Reply) -> str:
    """The message's plain `text` (notifications, screen readers): escaped, short."""
    text = to_plain(reply.text).strip() or (reply.form.title if reply.form else "") or \
        (reply.attachments[0].name if reply.attachments else "") or "Partnerbot"
    return escape(shorten(text, MAX_FALLBACK_TEXT))


# -- blocks of a reply -----------------------------------------------------------------------

def section_line(code: str, lang: str) -> str:
    if sections.is_code(code):
        return sections.label(code, lang, " · ")
    return code


def _choice_buttons(reply: Reply, prefix: str, values: list[str]) -> list[dict[str, Any]]:
    buttons = []
    for index, (choice, value) in enumerate(zip(reply.choices, values, strict=True)):
        buttons.append({"type": "button", "action_id": f"{CHOICE_ACTION}:{prefix}{index}",
                        "text": plain(choice.label, MAX_BUTTON_TEXT), "value": value})
    return buttons


def reply_blocks(reply: Reply, lang: str, *, prefix: str = "", choice_values: list[str] | None = None,
                 form_token: str | None = None) -> list[dict[str, Any]]:
    """The blocks of one reply: text sections, the section code as context, then its buttons.

    `choice_values` replaces values longer than Slack allows (the caller keeps the long ones);
    `form_token` is the value of the button that opens the reply's form as a modal.
    """
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": chunk}}
                                    for chunk in split_text(mrkdwn(reply.text))]
    if reply.section:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": escape(shorten(section_line(reply.section, lang), MAX_CONTEXT_TEXT))}]})
    values = choice_values if choice_values is not None else [c.value for c in reply.choices]
    buttons = _choice_buttons(reply, prefix, values)
    if reply.form is not None and form_token is not None:
        label = t("slack.form.open", lang, title=reply.form.title)
        buttons.insert(0, {"type": "button", "action_id": f"{FORM_ACTION}:{prefix}0", "style": "primary",
                           "text": plain(to_plain(label), MAX_BUTTON_TEXT), "value": form_token})
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    return blocks


@dataclass
class Message:
    """What one chat.postMessage sends."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def to_args(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks} if self.blocks else {"text": self.text}


def messages(reply: Reply, lang: str, *, choice_values: list[str] | None = None,
             form_token: str | None = None) -> list[Message]:
    """One reply as one message, or several when it needs more than 50 blocks (very long text)."""
    blocks = reply_blocks(reply, lang, choice_values=choice_values, form_token=form_token)
    text = fallback_text(reply)
    if not blocks:
        return [Message(text=text)] if not reply.attachments else []
    count = math.ceil(len(blocks) / MAX_MESSAGE_BLOCKS)
    return [Message(text=text if i == 0 else "…", blocks=blocks[i * MAX_MESSAGE_BLOCKS:(i + 1) * MAX_MESSAGE_BLOCKS])
            for i in range(count)]


def home_view(replies: list[Reply], lang: str, *, choice_values: list[list[str]] | None = None,
              form_tokens: list[str | None] | None = None) -> dict[str, Any]:
    """The App Home tab: a header, then each reply's blocks, separated by dividers (at most 100 blocks)."""
    blocks: list[dict[str, Any]] = [{"type": "header", "text": plain(t("slack.home.title", lang), 150)}]
    for index, reply in enumerate(replies):
        part = reply_blocks(reply, lang, prefix=f"{index}.",
                            choice_values=choice_values[index] if choice_values else None,
                            form_token=form_tokens[index] if form_tokens else None)
        if index:
            part.insert(0, {"type": "divider"})
        if len(blocks) + len(part) > MAX_VIEW_BLOCKS - 1:
            blocks.append({"type": "context", "elements": [
                {"type": "mrkdwn", "text": escape(to_plain(t("slack.home.more", lang)))}]})
            break
        blocks.extend(part)
    return {"type": "home", "blocks": blocks}


# -- forms as modals -------------------------------------------------------------------------

def _number(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    return str(int(number)) if number.is_integer() else str(number)


def _date(value: Any) -> str | None:
    if isinstance(value, date):
        return value.isoformat()[:10]
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        return None


def _option(field_: FormField, index: int) -> dict[str, Any]:
    # the option's value is its position: Slack allows 150 characters, ours may be longer
    return {"text": plain(field_.options[index].label, MAX_OPTION_TEXT), "value": str(index)}


def _element(field_: FormField) -> dict[str, Any]:
    value = field_.value
    kind = field_.type
    if kind in ("text", "textarea"):
        element: dict[str, Any] = {"type": "plain_text_input", "action_id": VALUE_ACTION,
                                   "multiline": kind == "textarea", "max_length": 2000 if kind == "textarea" else 300}
        if isinstance(value, str | int | float) and str(value).strip():
            element["initial_value"] = str(value)[: element["max_length"]]
        return element
    if kind == "number":
        element = {"type": "number_input", "action_id": VALUE_ACTION, "is_decimal_allowed": True}
        if _number(value) is not None:
            element["initial_value"] = _number(value)
        return element
    if kind == "date":
        element = {"type": "datepicker", "action_id": VALUE_ACTION}
        if value not in (None, "") and _date(value) is not None:
            element["initial_date"] = _date(value)
        return element
    options = [_option(field_, i) for i in range(min(len(field_.options), MAX_OPTIONS))]
    values = [o.value for o in field_.options[:MAX_OPTIONS]]
    picked = value if isinstance(value, list) else [value] if value is not None else []
    initial = [options[values.index(str(v))] for v in picked if str(v) in values]
    if kind == "choice":
        element = {"type": "static_select", "action_id": VALUE_ACTION, "options": options}
        if initial:
            element["initial_option"] = initial[0]
    else:
        element = {"type": "multi_static_select", "action_id": VALUE_ACTION, "options": options}
        if initial:
            element["initial_options"] = initial
    return element


def field_block_id(index: int) -> str:
    return f"field_{index}"


MAX_PROBLEM_BLOCKS = 3


def modal_view(form: Form, lang: str, private_metadata: str, problems: str | None = None) -> dict[str, Any]:
    """A form as a modal; a field's input block id is its position, mapped back by `form_values`.

    `problems` (our Markdown, e.g. the text of a refused submission) is shown at the top of the modal.
    """
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": chunk}}
                                    for chunk in split_text(mrkdwn(problems or ""))[:MAX_PROBLEM_BLOCKS]]
    title = shorten(form.title, MAX_VIEW_TITLE)
    if title != " ".join(form.title.split()):
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"*{escape(shorten(form.title, 2900))}*"}})
    for index, field_ in enumerate(form.fields[: MAX_VIEW_BLOCKS - len(blocks)]):
        block: dict[str, Any] = {"type": "input", "block_id": field_block_id(index), "optional": not field_.required,
                                 "label": plain(field_.label, MAX_LABEL), "element": _element(field_)}
        if field_.hint:
            block["hint"] = plain(field_.hint, MAX_LABEL)
        blocks.append(block)
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": plain(title, MAX_VIEW_TITLE),
        "submit": plain(form.submit_label or t("form.submit", lang), MAX_VIEW_TITLE),
        "close": plain(t("form.cancel", lang), MAX_VIEW_TITLE),
        "private_metadata": private_metadata,
        "blocks": blocks,
    }


def _picked(field_: FormField, raw: dict[str, Any]) -> Iterator[str]:
    selected = raw.get("selected_options") or ([raw["selected_option"]] if raw.get("selected_option") else [])
    for option in selected:
        try:
            yield field_.options[int(option.get("value", ""))].value
        except (ValueError, IndexError, TypeError, AttributeError):
            continue


def form_values(form: Form, state_values: dict[str, Any]) -> dict[str, Any]:
    """A view_submission's `view.state.values` as {field name: value}, the way the local API sends them."""
    values: dict[str, Any] = {}
    for index, field_ in enumerate(form.fields):
        raw = (state_values.get(field_block_id(index)) or {}).get(VALUE_ACTION)
        if not isinstance(raw, dict):
            continue
        if field_.type == "choice":
            picked = list(_picked(field_, raw))
            values[field_.name] = picked[0] if picked else None
        elif field_.type == "multichoice":
            values[field_.name] = list(_picked(field_, raw))
        elif field_.type == "date":
            values[field_.name] = raw.get("selected_date")
        else:
            values[field_.name] = raw.get("value")
    return values
