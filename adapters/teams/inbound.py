"""Reading Teams activities (their JSON) into the core's terms: organisation, conversation, the user's input.

Pure functions over the activity as Teams sends it (camelCase JSON), so they are tested without the SDK.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from adapters.teams.cards import DATA_KEY
from bot.messages import FormSubmission, Incoming

_AT = re.compile(r"<at\b[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
MAX_VALUE = 1000
"""The longest choice value or form id we accept from a card."""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def tenant_id(activity: dict[str, Any]) -> str:
    """The organisation: the Microsoft 365 tenant the conversation belongs to ("" when absent)."""
    conversation = _dict(activity.get("conversation"))
    channel_tenant = _dict(_dict(activity.get("channelData")).get("tenant"))
    tenant = _str(conversation.get("tenantId")) or _str(channel_tenant.get("id"))
    return tenant.strip()


def base_conversation_id(conversation_id: str) -> str:
    """A channel thread's id without its `;messageid=…` part: the channel itself."""
    return conversation_id.split(";messageid=", 1)[0]


def conversation_type(activity: dict[str, Any]) -> str:
    """"personal", "groupChat" or "channel"."""
    conversation = _dict(activity.get("conversation"))
    kind = _str(conversation.get("conversationType"))
    if kind:
        return kind
    if _dict(_dict(activity.get("channelData")).get("channel")).get("id"):
        return "channel"
    return "groupChat" if conversation.get("isGroup") else "personal"


def is_personal(activity: dict[str, Any]) -> bool:
    return conversation_type(activity) == "personal"


def bot_id(activity: dict[str, Any]) -> str:
    return _str(_dict(activity.get("recipient")).get("id"))


def _bot_mentions(activity: dict[str, Any]) -> list[dict[str, Any]]:
    me = bot_id(activity)
    found = []
    for entity in activity.get("entities") or []:
        entity = _dict(entity)
        if entity.get("type") == "mention" and me and _str(_dict(entity.get("mentioned")).get("id")) == me:
            found.append(entity)
    return found


def mentions_bot(activity: dict[str, Any]) -> bool:
    return bool(_bot_mentions(activity))


def clean_text(activity: dict[str, Any]) -> str:
    """The message text without the bot's @-mention; other mentions keep just the name."""
    text = _str(activity.get("text"))
    for entity in _bot_mentions(activity):
        mention = _str(entity.get("text"))
        if mention:
            text = text.replace(mention, " ")
        else:
            name = _str(_dict(entity.get("mentioned")).get("name"))
            text = re.sub(rf"<at>{re.escape(name)}</at>", " ", text, flags=re.IGNORECASE) if name else text
    text = _AT.sub(lambda m: m.group(1), text)
    text = html.unescape(text).replace("\xa0", " ")
    return re.sub(r"[ \t]+", " ", text).strip()


@dataclass(slots=True)
class Submission:
    """What a button or a form on one of our cards sent."""

    kind: str
    """"choice" or "form"."""
    value: str
    """The choice value, or the form id."""
    values: dict[str, Any] = field(default_factory=dict)
    card: str = ""
    title: str = ""


def read_submission(data: Any) -> Submission | None:
    """Our card data (Action.Submit's value, Action.Execute's action.data), or None when it is not ours."""
    data = _dict(data)
    ours = _dict(data.get(DATA_KEY))
    kind = ours.get("kind")
    if kind == "choice":
        value = ours.get("value")
        if isinstance(value, str) and value.strip() and len(value) <= MAX_VALUE:
            return Submission("choice", value)
        return None
    if kind == "form":
        form_id = ours.get("form")
        if not isinstance(form_id, str) or not form_id or len(form_id) > MAX_VALUE:
            return None
        values = {k: v for k, v in data.items() if k != DATA_KEY and k != "msteams"}
        return Submission("form", form_id, values, card=_str(ours.get("card"))[:100],
                          title=_str(ours.get("title"))[:300])
    return None


def execute_data(activity: dict[str, Any]) -> Any:
    """The `data` of an `adaptiveCard/action` invoke's action."""
    return _dict(_dict(activity.get("value")).get("action")).get("data")


def to_incoming(activity: dict[str, Any], org_id: str, *, text: str | None = None,
                submission: Submission | None = None) -> Incoming:
    user = _dict(activity.get("from"))
    user_id = _str(user.get("id"))
    conversation_id = base_conversation_id(_str(_dict(activity.get("conversation")).get("id")))
    choice = form = None
    if submission is not None and submission.kind == "choice":
        choice = submission.value
    elif submission is not None:
        form = FormSubmission(id=submission.value, values=submission.values)
    return Incoming(org_id=org_id, user_id=user_id, user_name=_str(user.get("name")).strip() or user_id,
                    conversation_id=conversation_id, channel="teams", is_group=not is_personal(activity),
                    text=text, choice=choice, form=form)
