"""One organisation's records as the due computation sees them, and loading them from the repository."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.notify import DigestSection
from bot.records import Action, Contract, ConversationRef, ConversationState, JourneyStep, Meeting, Member, Organisation
from bot.repository import Repository
from scheduler.records import Notification


@dataclass(frozen=True, slots=True)
class SentEntry:
    """One line of the sent log: a notification key and what became of it."""

    key: str
    kind: str
    status: str
    at: datetime | None
    summary: str = ""


@dataclass
class OrgSnapshot:
    org: Organisation
    members: list[Member] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    contracts: list[Contract] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    journey: list[JourneyStep] = field(default_factory=list)
    refs: list[ConversationRef] = field(default_factory=list)
    langs: dict[str, str] = field(default_factory=dict)
    """Chat user id → the language that user chose (ConversationState.lang)."""
    sent: dict[str, SentEntry] = field(default_factory=dict)
    sections: list[DigestSection] = field(default_factory=list)
    """Digest sections of the other features' due sources (see scheduler/sources.py)."""

    def member(self, member_id: int | None) -> Member | None:
        if member_id is None:
            return None
        for m in self.members:
            if m.id == member_id:
                return m
        return None


def sent_entry(n: Notification) -> SentEntry:
    return SentEntry(key=n.key, kind=n.kind, status=n.status, at=n.sent_at or n.created_at, summary=n.summary)


async def load(repo: Repository, defaults: Organisation) -> tuple[OrgSnapshot, list[Notification]]:
    """Everything the due computation reads, plus the notification records themselves."""
    notifications = await repo.list(Notification)
    states = await repo.list(ConversationState)
    snap = OrgSnapshot(
        org=await repo.organisation(defaults),
        members=await repo.list(Member),
        actions=await repo.list(Action),
        contracts=await repo.list(Contract),
        meetings=await repo.list(Meeting),
        journey=await repo.list(JourneyStep),
        refs=await repo.list(ConversationRef),
        langs={s.user_id: s.lang for s in states if s.lang},
        sent={n.key: sent_entry(n) for n in notifications},
    )
    return snap, notifications
