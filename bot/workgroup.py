"""The working group: who is a member, who coordinates, and who may change shared settings.

Linking a chat user to a member: a member typed in by name is linked to the first chat user with
that name, unless the member is the coordinator or the backup. Those rights are never handed over
by a name alone (names are free text in the web chat): the link waits as a `claim` until the linked
coordinator or backup confirms it, or, while neither is linked, is made at once for the chat user who
added the member in step 1b. A linked member is never linked to anyone else. Whoever must confirm a
waiting claim is told so by bot.claim_notices (a due source the scheduler delivers).
"""

from __future__ import annotations

import secrets

from bot.feature import normalise
from bot.messages import Incoming
from bot.records import Contract, Member
from bot.repository import Repository


async def member_for(repo: Repository, incoming: Incoming) -> Member | None:
    """The member this chat user is. A member added by name only is linked on first contact (see above)."""
    member = await repo.find(Member, user_id=incoming.user_id, active=True)
    if member is not None or not incoming.user_name:
        return member
    name = normalise(incoming.user_name)
    for candidate in await repo.list(Member):
        if candidate.user_id is not None or not candidate.active or normalise(candidate.name) != name:
            continue
        if candidate.position is None or incoming.user_id in await confirmers(repo, candidate):
            return await link(repo, candidate, incoming.user_id, incoming.channel)
        if candidate.claim is None:
            # `attempt` tells this claim from an earlier one of the same user that was refused: it is announced anew
            candidate.claim = {"user_id": incoming.user_id, "channel": incoming.channel, "name": incoming.user_name,
                               "attempt": secrets.token_hex(4)}
            await repo.update(candidate)
        return None
    return None


async def link(repo: Repository, member: Member, user_id: str, channel: str | None) -> Member:
    member.user_id, member.channel, member.claim = user_id, channel, None
    return await repo.update(member)


async def holder(repo: Repository, position: str) -> Member | None:
    for member in await repo.list(Member):
        if member.position == position and member.active:
            return member
    return None


async def managers(repo: Repository) -> set[str]:
    """The chat users who manage the working group: the linked coordinator and backup, or, while neither
    is linked, whoever named the coordinator."""
    coordinator = await holder(repo, "coordinator")
    backup = await holder(repo, "backup")
    linked = {m.user_id for m in (coordinator, backup) if m is not None and m.user_id}
    if linked or coordinator is None:
        return linked
    return {coordinator.added_by} if coordinator.added_by else set()


async def confirmers(repo: Repository, member: Member) -> set[str]:
    """Who may confirm that a chat user is `member` (a coordinator or backup)."""
    return await managers(repo) or ({member.added_by} if member.added_by else set())


async def may_manage(repo: Repository, user_id: str) -> bool:
    """The coordinator and the backup manage the working group and settings.

    Before anyone is named coordinator, whoever sets the bot up may.
    """
    if await holder(repo, "coordinator") is None:
        return True
    return user_id in await managers(repo)


async def may_manage_contract(repo: Repository, user_id: str, contract: Contract) -> bool:
    """The coordinator, the backup, and the contract's own contract manager decide about one contract."""
    if await may_manage(repo, user_id):
        return True
    manager = await repo.get(Member, contract.contract_manager_id) if contract.contract_manager_id else None
    return manager is not None and manager.active and manager.user_id == user_id


async def contract_deciders(repo: Repository, contract: Contract) -> str:
    """The names of who may decide about `contract` ("Anna, Bert, Carla"), for a refusal."""
    names = [m.name for m in await repo.list(Member) if m.active and (
        m.position in ("coordinator", "backup") or m.id == contract.contract_manager_id)]
    return ", ".join(names)


def confirm_change(state: dict, key: str, before: str, after: str) -> bool:
    """Whether a change from `before` to `after` may go ahead: at once when nothing changes, else only when the
    same change (`key`) is sent a second time; `state` is the user's feature state that remembers the first."""
    if before == after or state.get("confirm_change") == f"{key}={after}":
        state.pop("confirm_change", None)
        return True
    state["confirm_change"] = f"{key}={after}"
    return False


async def set_position(repo: Repository, member: Member, position: str | None) -> Member:
    """Make `member` the coordinator or backup; whoever held that position no longer does."""
    if position is not None:
        for other in await repo.list(Member):
            if other.id != member.id and other.position == position:
                other.position = None
                await repo.update(other)
    member.position = position
    return await repo.save(member)


async def remove(repo: Repository, member: Member) -> Member:
    """Take a member out of the group (kept as inactive, so past actions still name them)."""
    member.active, member.position, member.claim = False, None, None
    return await repo.update(member)
