"""What the knowledge base stores per organisation: its own entries and questions handed to people."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from bot import sections
from bot.i18n import LANGUAGES
from bot.messages import CHANNELS
from bot.records import Record, check_instant, check_one_of
from bot.values import ValidationError, check_text

QUESTION_STATUSES = ("open", "answered")
MAX_QUESTION = 300
MAX_ANSWER = 2000
MAX_VARIANTS = 10


@dataclass(kw_only=True)
class OrgEntry(Record):
    """A question and answer the organisation added itself; matched like the built-in entries."""

    table: ClassVar[str] = "kb_entry"
    question: str = ""
    answer: str = ""
    lang: str = "nl"
    section: str | None = None
    added_by: str | None = None
    """The user id of the coordinator who added it."""
    question_id: int | None = None
    """The `HandoffQuestion` it came from, if any."""
    created_at: datetime | None = None
    variants: list[str] = field(default_factory=list)
    """Other ways to ask it (optional)."""
    added_by_name: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None
    """The user id of whoever changed it last."""
    updated_by_name: str | None = None
    revision: int = 0
    """Raised on every add and change, across the organisation's entries (see knowledge.own.next_revision):
    the matcher's cache notices a change by it."""

    def validate(self) -> None:
        self.question = check_text(self.question, "question", max_length=MAX_QUESTION)
        self.answer = check_text(self.answer, "answer", max_length=MAX_ANSWER)
        check_one_of(self.lang, LANGUAGES, "lang")
        if self.section is not None and not sections.is_code(self.section):
            check_one_of(self.section, tuple(sections.codes()), "section")
        if not isinstance(self.variants, list) or not all(isinstance(v, str) for v in self.variants):
            raise ValidationError("required", "variants")
        for name in ("created_at", "updated_at"):
            check_instant(getattr(self, name), name)
        if not isinstance(self.revision, int) or isinstance(self.revision, bool) or self.revision < 0:
            raise ValidationError("required", "revision")


@dataclass(kw_only=True)
class HandoffQuestion(Record):
    """A question the bot could not answer, handed to the working group; and its answer."""

    table: ClassVar[str] = "kb_question"
    text: str = ""
    lang: str = "nl"
    asker_id: str = ""
    asker_name: str = ""
    channel: str = "local"
    conversation_id: str | None = None
    sent_to: str | None = None
    """"group" or "coordinator"."""
    status: str = "open"
    answer: str | None = None
    answered_by: str | None = None
    """The display name of the member who answered."""
    answered_by_id: str | None = None
    asked_at: datetime | None = None
    answered_at: datetime | None = None
    entry_id: int | None = None
    """The `OrgEntry` the coordinator made of it."""

    def validate(self) -> None:
        self.text = check_text(self.text, "text", max_length=MAX_QUESTION)
        check_one_of(self.lang, LANGUAGES, "lang")
        if not self.asker_id:
            raise ValidationError("required", "asker_id")
        check_one_of(self.channel, CHANNELS, "channel")
        if self.sent_to is not None:
            check_one_of(self.sent_to, ("group", "coordinator"), "sent_to")
        check_one_of(self.status, QUESTION_STATUSES, "status")
        if self.answer is not None:
            self.answer = check_text(self.answer, "answer", max_length=MAX_ANSWER)
        for name in ("asked_at", "answered_at"):
            check_instant(getattr(self, name), name)
