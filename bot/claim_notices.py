"""Telling whoever must confirm it that a chat user waits to be linked as the coordinator or the backup.

A claim (see `bot.workgroup.member_for`) only waits; without a notice nobody knows until they happen to list
the working group. This due source, run by the scheduler (wired up in app.py), sends one direct message with
the confirm and refuse buttons to each linked coordinator and backup, or, while neither is linked, to whoever
added the member, and tells the claimant that the link waits and who confirms it. The key names the claimant and
the claim, so a new claim is announced (also one by a user whose earlier claim was refused) and a claim already
announced is not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.i18n import t
from bot.messages import Choice, Reply
from bot.notify import DigestSection, Notice, Target
from bot.records import Member, Organisation
from bot.repository import Repository

KIND = "workgroup-claim"


@dataclass(slots=True)
class Claims:
    org: Organisation
    org_id: str
    members: list[Member]


def _recipients(claims: Claims, member: Member) -> list[tuple[str, str]]:
    """(user id, channel) of who must confirm: the linked coordinator and backup, else who added the member."""
    managers = [(m.user_id, m.channel) for m in claims.members
                if m.active and m.position in ("coordinator", "backup") and m.user_id and m.channel]
    if managers:
        return managers
    coordinator = next((m for m in claims.members if m.active and m.position == "coordinator"), None)
    added_by = (coordinator.added_by if coordinator else None) or member.added_by
    channel = (member.claim or {}).get("channel")
    return [(added_by, channel)] if added_by and channel else []


def _claim(member: Member) -> str:
    """Names one claim in the notice keys: the member, the claimant and the attempt (a new one after a refusal)."""
    claim = member.claim or {}
    attempt = f":{claim['attempt']}" if claim.get("attempt") else ""
    return f"{member.id}:{claim.get('user_id', '')}{attempt}"


def _notice(claims: Claims, member: Member, user_id: str, channel: str, now: datetime) -> Notice:
    claim = member.claim or {}
    lang = claims.org.language
    text = t("workgroup.claim.notice", lang, user=claim.get("name", ""), id=claim.get("user_id", ""),
             name=member.name, position=t(f"position.{member.position}", lang))
    choices = [Choice(str(t("workgroup.claim.confirm", lang, name=member.name)), f"core:wg:link:{member.id}"),
               Choice(str(t("workgroup.claim.refuse", lang, name=member.name)), f"core:wg:refuse:{member.id}")]
    return Notice(key=f"wg:claim:{_claim(member)}:{user_id}", kind=KIND, at=now,
                  target=Target(org_id=claims.org_id, channel=channel, to="user", user_id=user_id),
                  replies=[Reply(text=text, section="1b", choices=choices)])


def _waiting(claims: Claims, member: Member, now: datetime) -> Notice | None:
    """The claimant's own notice: the link waits, and who confirms it (else they only learn it when refused)."""
    claim = member.claim or {}
    user_id, channel = claim.get("user_id"), claim.get("channel")
    if not user_id or not channel:
        return None
    lang = claims.org.language
    names = [m.name for m in claims.members
             if m.active and m.position in ("coordinator", "backup") and m.user_id and m.channel]
    who = ", ".join(names) if names else t("workgroup.claim.who_added", lang)
    text = t("workgroup.claim.waiting", lang, name=member.name, position=t(f"position.{member.position}", lang),
             who=who)
    return Notice(key=f"wg:claim-wait:{_claim(member)}", kind=KIND, at=now,
                  target=Target(org_id=claims.org_id, channel=channel, to="user", user_id=user_id),
                  replies=[Reply(text=text, section="1b")])


class ClaimSource:
    name = "workgroup"

    async def load(self, repo: Repository, org: Organisation) -> Claims:
        return Claims(org, repo.org_id, await repo.list(Member))

    def due(self, now: datetime, records: Claims, sent: Mapping[str, datetime], grace: timedelta) -> list[Notice]:
        notices = []
        for member in records.members:
            if not member.active or member.user_id or not member.claim or member.position is None:
                continue
            for user_id, channel in _recipients(records, member):
                if user_id != member.claim.get("user_id"):
                    notices.append(_notice(records, member, user_id, channel, now))
            waiting = _waiting(records, member, now)
            if waiting is not None:
                notices.append(waiting)
        return [n for n in notices if n.key not in sent]

    def digest(self, now: datetime, records: Claims) -> DigestSection | None:
        return None
