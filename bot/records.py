"""Domain records shared by every feature, each validated before it is written.

A record is a dataclass with a `table` name. `bot.repository` stores them; nothing here touches
storage. Feature packages may define their own records the same way (subclass `Record`).
Dates are `date`, instants are timezone-aware `datetime`; both are stored as ISO text.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any, ClassVar, TypeVar, Union

from bot.privacy import find_personal_data
from bot.values import ValidationError, check_text, check_timezone

# Roles from Bijlage II of the handbook (keys; labels are in bot/texts.yaml under role.*).
ROLES = (
    "sroi_coordinator", "project_coordinator", "hr_expert", "procurement_expert", "category_manager",
    "contract_manager", "executive", "internal_client", "supplier_contact",
)
POSITIONS = ("coordinator", "backup")
ACTION_STATUSES = ("open", "done")
JOURNEY_STATUSES = ("not_started", "in_progress", "done", "skipped")
MEETING_FREQUENCIES = ("once", "weekly", "biweekly", "monthly", "quarterly", "halfyearly", "yearly")
TENDER_KINDS = ("works", "services", "supplies")
# Step 4a of the handbook: how often the partners look at the results, and what the supplier reports.
MONITORING_FREQUENCIES = ("month", "quarter", "halfyear")
MONITORING_FIGURES = ("paid_hours", "people", "target_group", "costs", "evidence")
"""paid_hours: actual paid hours of people from the target group the organisation chose (1c; those in the
doelgroepregister count for the banenafspraak, see the monitoring form's `in_register`); people: how many people;
target_group: the kind of target group (with declaration); costs: costs of the social return effort;
evidence: proof such as employment contracts, payroll overviews or invoices. Always aggregated (AVG)."""
LANGUAGES = ("nl", "en")

R = TypeVar("R", bound="Record")


@dataclass(kw_only=True)
class Record:
    table: ClassVar[str] = ""
    id: int | None = None

    def validate(self) -> None:
        """Raise `ValidationError` when a value is not acceptable."""

    def to_doc(self) -> dict[str, Any]:
        doc = {}
        for f in dataclasses.fields(self):
            if f.name != "id":
                doc[f.name] = to_json(getattr(self, f.name))
        return doc

    @classmethod
    def from_doc(cls: type[R], doc: dict[str, Any], doc_id: int | None = None) -> R:
        kinds = _field_kinds(cls)
        values = {}
        for name, kind in kinds.items():
            if name == "id" or name not in doc:
                continue
            values[name] = _from_json(doc[name], kind)
        return cls(id=doc_id, **values)


def to_json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


def _from_json(value: Any, kind: type | None) -> Any:
    if value is None:
        return None
    if kind is datetime and isinstance(value, str):
        return datetime.fromisoformat(value)
    if kind is date and isinstance(value, str):
        return date.fromisoformat(value)
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


@cache
def _field_kinds(cls: type) -> dict[str, type | None]:
    hints = typing.get_type_hints(cls)
    kinds: dict[str, type | None] = {}
    for f in dataclasses.fields(cls):
        hint = hints.get(f.name)
        args = typing.get_args(hint) if typing.get_origin(hint) in (Union, types.UnionType) else (hint,)
        kinds[f.name] = datetime if datetime in args else date if date in args else None
    return kinds


def _require_type(value: Any, kind: type | tuple[type, ...], key: str, name: str) -> None:
    if value is not None and not isinstance(value, kind):
        raise ValidationError(key, name)


def check_non_negative(value: Any, name: str) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise ValidationError("number", name)
    if value < 0:
        raise ValidationError("non_negative", name)


def check_date(value: Any, name: str) -> None:
    if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
        raise ValidationError("date", name)


def check_instant(value: Any, name: str) -> None:
    if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
        raise ValidationError("datetime", name)


def check_one_of(value: Any, allowed: tuple[str, ...], name: str) -> None:
    if value not in allowed:
        raise ValidationError("one_of", name, value=str(value), allowed=", ".join(allowed))


@dataclass(kw_only=True)
class Organisation(Record):
    """One per store: the organisation's settings."""

    table: ClassVar[str] = "organisation"
    org_id: str = ""
    name: str = ""
    language: str = "nl"
    timezone: str = "Europe/Amsterdam"
    group_conversation: dict[str, Any] | None = None
    """Where the working group talks: {"channel", "conversation_id", "name"}."""
    digest_weekday: int = 0
    """0 = Monday … 6 = Sunday."""
    digest_time: str = "09:00"
    created_at: datetime | None = None

    def validate(self) -> None:
        self.name = check_text(self.name, "name", required=False, max_length=120)
        check_one_of(self.language, LANGUAGES, "language")
        check_timezone(self.timezone, "timezone")
        if not isinstance(self.digest_weekday, int) or not 0 <= self.digest_weekday <= 6:
            raise ValidationError("weekday", "digest_weekday")
        from bot.values import parse_time

        parse_time(self.digest_time, "digest_time")
        if self.group_conversation is not None:
            gc = self.group_conversation
            if not isinstance(gc, dict) or not gc.get("channel") or not gc.get("conversation_id"):
                raise ValidationError("required", "group_conversation")
        check_instant(self.created_at, "created_at")


@dataclass(kw_only=True)
class Member(Record):
    """A member of the working group. `user_id` links the member to a chat user, once known."""

    table: ClassVar[str] = "member"
    name: str = ""
    user_id: str | None = None
    channel: str | None = None
    roles: list[str] = field(default_factory=list)
    position: str | None = None
    """"coordinator", "backup" or None; at most one of each (see `bot.workgroup`)."""
    active: bool = True
    added_by: str | None = None
    """The chat user who added this member (in step 1b)."""
    claim: dict[str, str] | None = None
    """A chat user with this member's name who waits for the coordinator to confirm the link
    ({"user_id", "channel", "name"}); only for a coordinator or backup (see `bot.workgroup.member_for`)."""

    def validate(self) -> None:
        self.name = check_text(self.name, "name", max_length=120)
        if not isinstance(self.roles, list):
            raise ValidationError("one_of", "roles", value=str(self.roles), allowed=", ".join(ROLES))
        for role in self.roles:
            check_one_of(role, ROLES, "roles")
        if self.position is not None:
            check_one_of(self.position, POSITIONS, "position")
        if self.channel is not None:
            check_one_of(self.channel, ("teams", "slack", "local"), "channel")


@dataclass(kw_only=True)
class Action(Record):
    table: ClassVar[str] = "action"
    title: str = ""
    owner_id: int | None = None
    """A `Member` id."""
    deadline: date | None = None
    status: str = "open"
    section: str | None = None
    contract_id: int | None = None
    meeting_id: int | None = None
    snoozed_until: date | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    done_at: datetime | None = None

    def validate(self) -> None:
        self.title = check_text(self.title, "title", max_length=300)
        _require_type(self.owner_id, int, "member_unknown", "owner_id")
        check_date(self.deadline, "deadline")
        check_date(self.snoozed_until, "snoozed_until")
        check_one_of(self.status, ACTION_STATUSES, "status")
        for name in ("created_at", "updated_at", "done_at"):
            check_instant(getattr(self, name), name)


@dataclass(kw_only=True)
class Contract(Record):
    table: ClassVar[str] = "contract"
    name: str = ""
    supplier: str = ""
    category: str = ""
    yearly_value: float | None = None
    start: date | None = None
    end: date | None = None
    extension_decision: date | None = None
    """The date by which the organisation decides whether to extend the contract."""
    has_sroi_clause: bool = False
    sroi_percentage: float | None = None
    contract_manager_id: int | None = None

    def validate(self) -> None:
        self.name = check_text(self.name, "name", required=False, max_length=200)
        self.supplier = check_text(self.supplier, "supplier", max_length=200)
        self.category = check_text(self.category, "category", required=False, max_length=120)
        check_non_negative(self.yearly_value, "yearly_value")
        for name in ("start", "end", "extension_decision"):
            check_date(getattr(self, name), name)
        if self.start and self.end and self.end < self.start:
            raise ValidationError("date_order", "end")
        if self.end and self.extension_decision and self.extension_decision > self.end:
            raise ValidationError("decision_after_end", "extension_decision")
        if not isinstance(self.has_sroi_clause, bool):
            raise ValidationError("boolean", "has_sroi_clause")
        check_non_negative(self.sroi_percentage, "sroi_percentage")
        if self.sroi_percentage is not None and self.sroi_percentage > 100:
            raise ValidationError("percentage", "sroi_percentage")
        _require_type(self.contract_manager_id, int, "member_unknown", "contract_manager_id")

    @property
    def label(self) -> str:
        return self.name or self.supplier


@dataclass(kw_only=True)
class Tender(Record):
    table: ClassVar[str] = "tender"
    title: str = ""
    category: str = ""
    estimated_value: float | None = None
    duration_months: int | None = None
    labour_share: float | None = None
    """The share of labour costs in the contract value, in percent (0–100)."""
    planned_publication: date | None = None
    kind: str | None = None
    """"works", "services" or "supplies" (handbook 2Ac: supplies suit social return least)."""

    def validate(self) -> None:
        self.title = check_text(self.title, "title", max_length=200)
        self.category = check_text(self.category, "category", required=False, max_length=120)
        if self.kind is not None:
            check_one_of(self.kind, TENDER_KINDS, "kind")
        check_non_negative(self.estimated_value, "estimated_value")
        check_non_negative(self.duration_months, "duration_months")
        check_non_negative(self.labour_share, "labour_share")
        if self.labour_share is not None and self.labour_share > 100:
            raise ValidationError("percentage", "labour_share")
        check_date(self.planned_publication, "planned_publication")


@dataclass(kw_only=True)
class Meeting(Record):
    """A recurring progress meeting of a contract or of the partnership as a whole."""

    table: ClassVar[str] = "meeting"
    title: str = ""
    contract_id: int | None = None
    partnership: str | None = None
    frequency: str = "monthly"
    next_date: datetime | None = None
    time_set: bool = True
    """False when only a date was agreed: `next_date` then carries a placeholder time that is never shown."""
    series_start: datetime | None = None
    """The agreed first meeting: every later date is counted from it (see scheduler.calendar.meeting_on), so
    one moved off a weekend does not shift the rest. None for meetings stored before it was kept."""
    participant_ids: list[int] = field(default_factory=list)

    def validate(self) -> None:
        self.title = check_text(self.title, "title", max_length=200)
        check_one_of(self.frequency, MEETING_FREQUENCIES, "frequency")
        check_instant(self.next_date, "next_date")
        check_instant(self.series_start, "series_start")
        if not isinstance(self.participant_ids, list) or not all(
                isinstance(p, int) and not isinstance(p, bool) for p in self.participant_ids):
            raise ValidationError("member_unknown", "participant_ids")


@dataclass(kw_only=True)
class JourneyStep(Record):
    """Progress on one section of the step plan, with what the user captured there."""

    table: ClassVar[str] = "journey"
    section: str = ""
    status: str = "not_started"
    answers: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None

    def validate(self) -> None:
        self.section = check_text(self.section, "section", max_length=40)
        check_one_of(self.status, JOURNEY_STATUSES, "status")
        if not isinstance(self.answers, dict):
            raise ValidationError("required", "answers")
        check_instant(self.updated_at, "updated_at")


@dataclass(kw_only=True)
class JourneyPosition(Record):
    """Where the organisation's walk-through stands (one per store), so any member can resume it."""

    table: ClassVar[str] = "journey_position"
    section: str = ""
    node: str = ""
    user_id: str | None = None
    """Who moved it last."""
    updated_at: datetime | None = None

    def validate(self) -> None:
        self.section = check_text(self.section, "section", max_length=40)
        self.node = check_text(self.node, "node", required=False, max_length=60)
        check_instant(self.updated_at, "updated_at")


@dataclass(kw_only=True)
class MonitoringPlan(Record):
    """Step 4a: how the results of one contract are followed (used by the monitoring feature)."""

    table: ClassVar[str] = "monitoring_plan"
    contract_id: int | None = None
    frequency: str = "quarter"
    reporter_id: int | None = None
    """The `Member` who collects the figures; by default the contract's manager."""
    supplier_contact: str = ""
    figures: list[str] = field(default_factory=list)
    """Keys from `MONITORING_FIGURES`."""
    ambition_hours_per_week: float | None = None
    ambition_jobs: float | None = None
    start_period: date | None = None
    """The first day of the first reporting period."""
    active: bool = True

    def settings(self) -> str:
        """What was agreed, as one comparable string: a changed plan is confirmed before it replaces the old one."""
        return repr((self.frequency, self.reporter_id, self.supplier_contact, sorted(self.figures),
                     self.ambition_hours_per_week, self.ambition_jobs, str(self.start_period)))

    def validate(self) -> None:
        if not isinstance(self.contract_id, int) or isinstance(self.contract_id, bool):
            raise ValidationError("required", "contract_id")
        check_one_of(self.frequency, MONITORING_FREQUENCIES, "frequency")
        _require_type(self.reporter_id, int, "member_unknown", "reporter_id")
        self.supplier_contact = check_text(self.supplier_contact, "supplier_contact", required=False,
                                           max_length=120)
        if not isinstance(self.figures, list):
            raise ValidationError("one_of", "figures", value=str(self.figures),
                                  allowed=", ".join(MONITORING_FIGURES))
        for figure in self.figures:
            check_one_of(figure, MONITORING_FIGURES, "figures")
        check_non_negative(self.ambition_hours_per_week, "ambition_hours_per_week")
        check_non_negative(self.ambition_jobs, "ambition_jobs")
        check_date(self.start_period, "start_period")
        if not isinstance(self.active, bool):
            raise ValidationError("boolean", "active")


@dataclass(kw_only=True)
class Evaluation(Record):
    """Step 4b: the working group's answers to the evaluation questions, for one contract or overall."""

    table: ClassVar[str] = "evaluation"
    contract_id: int | None = None
    date: date | None = None
    answers: dict[str, str] = field(default_factory=dict)
    user_id: str | None = None

    def validate(self) -> None:
        _require_type(self.contract_id, int, "required", "contract_id")
        check_date(self.date, "date")
        if not isinstance(self.answers, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in self.answers.items()):
            raise ValidationError("required", "answers")
        for key, value in self.answers.items():
            self.answers[key] = check_text(value, key, required=False, max_length=2000)
            # what the forms check already, kept here too: an evaluation is about people who must stay anonymous
            kind = find_personal_data(self.answers[key], self.date or date.min, names=True)
            if kind:
                raise ValidationError("personal_data", key, kind=kind)


@dataclass(kw_only=True)
class ConversationState(Record):
    """Per user: language and where the user is in a dialog (`active` names the feature)."""

    table: ClassVar[str] = "conversation_state"
    user_id: str = ""
    lang: str | None = None
    active: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None

    def validate(self) -> None:
        if not self.user_id:
            raise ValidationError("required", "user_id")
        if self.lang is not None:
            check_one_of(self.lang, LANGUAGES, "lang")
        if not isinstance(self.data, dict):
            raise ValidationError("required", "data")


@dataclass(kw_only=True)
class OutboxItem(Record):
    """A notification delivered on the local channel (read back by GET /api/local/notifications)."""

    table: ClassVar[str] = "local_outbox"
    key: str = ""
    to: str = "user"
    user_id: str | None = None
    conversation_id: str | None = None
    reply: dict[str, Any] = field(default_factory=dict)
    sent_at: datetime | None = None

    def validate(self) -> None:
        if not self.key:
            raise ValidationError("required", "key")
        check_one_of(self.to, ("user", "group"), "to")
        check_instant(self.sent_at, "sent_at")


@dataclass(kw_only=True)
class ConversationRef(Record):
    """How to reach a user or a channel later (proactive messages), stored by the channel adapters.

    `reference` is the channel's own data (a Teams ConversationReference, a Slack channel id).
    `active` turns False when the channel says the bot can no longer post there (removed, gone);
    the scheduler reports those to the coordinator instead of retrying.
    """

    table: ClassVar[str] = "conversation_ref"
    channel: str = ""
    kind: str = "user"
    """"user" (a direct chat) or "group" (a channel or group chat)."""
    user_id: str | None = None
    conversation_id: str = ""
    name: str = ""
    reference: dict[str, Any] = field(default_factory=dict)
    active: bool = True
    updated_at: datetime | None = None
    inactive_reason: str | None = None

    def validate(self) -> None:
        check_one_of(self.channel, ("teams", "slack", "local"), "channel")
        check_one_of(self.kind, ("user", "group"), "kind")
        if not self.conversation_id:
            raise ValidationError("required", "conversation_id")
        if not isinstance(self.reference, dict):
            raise ValidationError("required", "reference")
        check_instant(self.updated_at, "updated_at")
