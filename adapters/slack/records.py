"""What the Slack adapter keeps per organisation: forms (and over-long button values) behind a short token.

A button's value may hold 2000 characters and a modal's private_metadata 3000, so a form definition
(and where its answer should go) is kept here and the button carries only the token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from bot.records import Record
from bot.values import ValidationError


@dataclass(kw_only=True)
class SlackStash(Record):
    table: ClassVar[str] = "slack_stash"
    token: str = ""
    kind: str = "form"
    """"form" (a form and where to answer) or "value" (a long choice value)."""
    data: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None

    def validate(self) -> None:
        if not self.token:
            raise ValidationError("required", "token")
        if self.kind not in ("form", "value"):
            raise ValidationError("one_of", "kind", value=self.kind, allowed="form, value")
        if not isinstance(self.data, dict):
            raise ValidationError("required", "data")
