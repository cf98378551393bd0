"""The working group: who is a member, who coordinates, and who may change shared settings."""

from __future__ import annotations

from bot.feature import normalise
from bot.messages import Incoming
from bot.records import Member
from bot.repository import Repository


async def member_for(repo: Repository, incoming: Incoming) -> Member | None:
    """The member this chat user is. A member added by name only is linked on first contact."""
    member = await repo.find(Member, user_id=incoming.user_id)
    if member is not None or not incoming.user_name:
        return member
    name = normalise(incoming.user_name)
    for candidate in await repo.list(Member):
        if candidate.user_id is None and normalise(candidate.name) == name:
            candidate.user_id = incoming.user_id
            candidate.channel = incoming.channel
            return await repo.update(candidate)
    return None


async def holder(repo: Repository, position: str) -> Member | None:
    for member in await repo.list(Member):
        if member.position == position and member.active:
            return member
    return None


async def may_manage(repo: Repository, user_id: str) -> bool:
    """The coordinator and the backup manage the working group and settings.

    Before anyone is named coordinator, whoever sets the bot up may.
    """
    coordinator = await holder(repo, "coordinator")
    if coordinator is None:
        return True
    backup = await holder(repo, "backup")
    return user_id in {m.user_id for m in (coordinator, backup) if m is not None and m.user_id}


async def set_position(repo: Repository, member: Member, position: str | None) -> Member:
    """Make `member` the coordinator or backup; whoever held that position no longer does."""
    if position is not None:
        for other in await repo.list(Member):
            if other.id != member.id and other.position == position:
                other.position = None
                await repo.update(other)
    member.position = position
    return await repo.save(member)
