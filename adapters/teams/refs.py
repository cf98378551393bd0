"""Where the bot can reach people later: one ConversationRef per Teams user (their personal chat) and per
group conversation (a team channel or group chat), in the organisation's own store.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.notify import Target
from bot.records import ConversationRef
from bot.repository import Repository

CHANNEL = "teams"


async def find(repo: Repository, kind: str, *, user_id: str | None = None,
               conversation_id: str | None = None) -> ConversationRef | None:
    if kind == "user":
        return await repo.find(ConversationRef, channel=CHANNEL, kind="user", user_id=user_id) if user_id else None
    if not conversation_id:
        return None
    return await repo.find(ConversationRef, channel=CHANNEL, kind="group", conversation_id=conversation_id)


async def for_target(repo: Repository, target: Target) -> ConversationRef | None:
    if target.to == "user":
        return await find(repo, "user", user_id=target.user_id)
    return await find(repo, "group", conversation_id=target.conversation_id)


async def remember(repo: Repository, *, kind: str, user_id: str | None, conversation_id: str, name: str,
                   reference: dict[str, Any], now: datetime) -> tuple[ConversationRef, bool]:
    """Store or refresh the reference; True when it is new or was inactive (the bot was just (re)added).

    Nothing is written when nothing changed, so an ordinary message costs no write.
    """
    ref = await find(repo, kind, user_id=user_id, conversation_id=conversation_id)
    fresh = ref is None or not ref.active
    if ref is None:
        ref = ConversationRef(channel=CHANNEL, kind=kind, user_id=user_id if kind == "user" else None,
                              conversation_id=conversation_id)
    elif ref.active and ref.reference == reference and ref.conversation_id == conversation_id \
            and (ref.name == name or not name):
        return ref, False
    ref.conversation_id = conversation_id
    ref.name = name or ref.name
    ref.reference = reference
    ref.active = True
    ref.inactive_reason = None
    ref.updated_at = now
    await repo.save(ref)
    return ref, fresh


async def deactivate(repo: Repository, ref: ConversationRef, reason: str, now: datetime) -> None:
    """The bot can no longer post there (removed, conversation gone): remember why, stop trying."""
    if not ref.active and ref.inactive_reason == reason:
        return
    ref.active = False
    ref.inactive_reason = reason
    ref.updated_at = now
    await repo.save(ref)
