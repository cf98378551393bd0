"""The scheduler's own record: one notification, from "pending" through delivery to "sent" (the sent log)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from bot.messages import Reply
from bot.notify import Target
from bot.records import Record, check_instant, check_one_of
from bot.values import ValidationError

KINDS = ("digest", "nudge", "meeting", "expiry", "extension")
"""The scheduler's own kinds; other features' due sources add theirs (lower-case words joined by '-')."""
SOURCE_KIND = re.compile(r"[a-z]+(?:-[a-z]+)*")
STATUSES = ("pending", "delivering", "sent", "failed", "folded")
"""pending → delivering (claimed by one process) → sent; or failed (permanent), or folded (too old to send
on its own: the next digest mentions it)."""


@dataclass(kw_only=True)
class Notification(Record):
    table: ClassVar[str] = "sched_notification"
    key: str = ""
    kind: str = "digest"
    status: str = "pending"
    target: dict[str, Any] = field(default_factory=dict)
    """{"channel", "to", "user_id", "conversation_id"}"""
    replies: list[dict[str, Any]] = field(default_factory=list)
    summary: str = ""
    """One line (our Markdown) for the digest when this one was folded or failed."""
    due_at: datetime | None = None
    created_at: datetime | None = None
    sent_at: datetime | None = None
    attempts: int = 0
    claimed_by: str | None = None
    claimed_until: datetime | None = None
    error: str | None = None

    def validate(self) -> None:
        if not self.key:
            raise ValidationError("required", "key")
        if self.kind not in KINDS and not (isinstance(self.kind, str) and SOURCE_KIND.fullmatch(self.kind)
                                           and len(self.kind) <= 40):
            check_one_of(self.kind, KINDS, "kind")
        check_one_of(self.status, STATUSES, "status")
        if self.status != "folded":
            if not isinstance(self.target, dict) or not self.target.get("channel"):
                raise ValidationError("required", "target")
            check_one_of(self.target.get("to"), ("user", "group"), "target")
        for name in ("due_at", "created_at", "sent_at", "claimed_until"):
            check_instant(getattr(self, name), name)

    def target_of(self, org_id: str) -> Target:
        t = self.target
        return Target(org_id=org_id, channel=t["channel"], to=t["to"], user_id=t.get("user_id"),
                      conversation_id=t.get("conversation_id"))

    def reply_objects(self) -> list[Reply]:
        return [Reply.from_dict(r) for r in self.replies]


def target_doc(target: Target) -> dict[str, Any]:
    return {"channel": target.channel, "to": target.to, "user_id": target.user_id,
            "conversation_id": target.conversation_id}
