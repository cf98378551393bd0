"""Reading what Slack sends: message text as plain text, which messages to ignore, whose organisation.

Pure helpers, no I/O. Slack encodes mentions, channel links and URLs as `<…>` and escapes `&`, `<`
and `>`; the core wants the text as the user saw it.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

_ENTITY = re.compile(r"<([^<>]*)>")
# message subtypes that are still a person writing to the bot
_USER_SUBTYPES = (None, "file_share", "thread_broadcast")


def _entity(match: re.Match[str]) -> str:
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return "@" + (label or target[1:])
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        if label:
            return label
        name = target[1:].split("^")[0]
        return "@" + name
    return label or target


def plain_text(text: str, *, drop_user: str | None = None) -> str:
    """Slack's encoded message text as the user typed it; mentions of `drop_user` (the bot) removed."""
    if drop_user:
        text = re.sub(rf"<@{re.escape(drop_user)}(?:\|[^>]*)?>", " ", text)
    text = _ENTITY.sub(_entity, text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"[ \t]+", " ", text).strip()


def ignored_message(event: dict[str, Any], bot_user_id: str | None = None) -> bool:
    """Messages the bot must not answer: from bots (itself included), edits, deletes, joins and the like."""
    if event.get("bot_id") or event.get("bot_profile") or event.get("hidden"):
        return True
    if event.get("subtype") not in _USER_SUBTYPES:
        return True
    user = event.get("user")
    return not user or (bot_user_id is not None and user == bot_user_id)


def organisation(enterprise_id: str | None, team_id: str | None) -> str | None:
    """The organisation is the Enterprise Grid org where there is one, else the workspace."""
    return enterprise_id or team_id or None


def submission_key(user: str, view: dict[str, Any]) -> str:
    """What makes a view_submission the same one again: who sent it, the view, its version (`hash`) and what
    was entered; as a short digest, since what was entered may be long."""
    state = json.dumps((view.get("state") or {}).get("values") or {}, sort_keys=True, default=str)
    whole = json.dumps([user, view.get("id"), view.get("hash"), state])
    return hashlib.sha256(whole.encode()).hexdigest()[:40]
