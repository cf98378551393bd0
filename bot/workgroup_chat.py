"""The working group in chat: "werkgroep" / "who is in the working group" lists the members with their
roles, position and whether they are linked to a chat account; the coordinator or backup removes a
member, hands the coordinator role over and confirms who a chat user is (all after a confirmation).

Choice values (owned by the core): `core:wg:list`, `core:wg:remove:<id>` (asks), `core:wg:removed:<id>`
(does it), `core:wg:coordinator:<id>` (hand over, after the question in step 1b), `core:wg:link:<id>` and
`core:wg:refuse:<id>` (a pending claim of a coordinator or backup).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.i18n import t
from bot.markdown import Md
from bot.messages import MAX_CHOICES, Choice, Reply
from bot.records import Member
from bot.values import parse_id
from bot.workgroup import holder, link, may_manage, remove, set_position

if TYPE_CHECKING:
    from bot.feature import Turn

PREFIX = "core:wg:"
SHOWN = 12
"""At most this many members are listed in one message."""


def handover_question(turn: Turn, member: Member, current: Member) -> Reply:
    """ "Carla wordt coördinator; jij blijft lid. Doorgaan?" with yes/no buttons."""
    if current.user_id == turn.incoming.user_id:
        text = turn.t("workgroup.handover.ask_self", name=member.name)
    else:
        text = turn.t("workgroup.handover.ask", name=member.name, current=current.name)
    return Reply(text=text, choices=[Choice(turn.t("workgroup.handover.yes"), f"{PREFIX}coordinator:{member.id}"),
                                     Choice(turn.t("workgroup.no"), f"{PREFIX}list")])


async def listing(turn: Turn, notice: Md | None = None) -> list[Reply]:
    members = await turn.repo.list(Member, active=True)
    lines = [notice] if notice else []
    if not members:
        return [Reply(text=Md("\n".join([*lines, turn.t("workgroup.none")])),
                      choices=[Choice(turn.t("workgroup.add"), "flow:start:1b")])]
    lines.append(turn.t("workgroup.title", count=len(members)))
    for m in members[:SHOWN]:
        parts = [", ".join(str(t(f"role.{r}", turn.lang)) for r in m.roles) or str(turn.t("workgroup.no_roles"))]
        if m.position:
            parts.append(f"**{t('position.' + m.position, turn.lang)}**")
        if m.user_id:
            parts.append(str(turn.t("workgroup.linked")))
        elif m.claim:
            parts.append(str(turn.t("workgroup.claimed", user=m.claim.get("name", ""), id=m.claim.get("user_id", ""))))
        else:
            parts.append(str(turn.t("workgroup.not_linked")))
        lines.append(f"- {turn.t('workgroup.name', name=m.name)} — {' · '.join(parts)}")
    if len(members) > SHOWN:
        lines.append(turn.t("workgroup.more", count=len(members) - SHOWN))
    choices: list[Choice] = []
    if await may_manage(turn.repo, turn.incoming.user_id):
        for m in members:
            if m.claim:
                choices += [Choice(turn.t("workgroup.claim.confirm", name=m.name), f"{PREFIX}link:{m.id}"),
                            Choice(turn.t("workgroup.claim.refuse", name=m.name), f"{PREFIX}refuse:{m.id}")]
        removable = [Choice(turn.t("workgroup.remove", name=m.name), f"{PREFIX}remove:{m.id}")
                     for m in members if m.position != "coordinator"]
        choices += removable
        lines.append(turn.t("workgroup.manage_hint" if removable else "workgroup.switch_hint"))
    choices = [*choices[:MAX_CHOICES - 1], Choice(turn.t("workgroup.add"), "flow:start:1b")]
    return [Reply(text=Md("\n".join(lines)), choices=choices)]


async def on_choice(turn: Turn, value: str) -> list[Reply] | None:
    action, _, rest = value.removeprefix(PREFIX).partition(":")
    if action == "list":
        return await listing(turn)
    ident = parse_id(rest)
    member = await turn.repo.get(Member, ident) if ident is not None else None
    if member is None or not member.active or action not in ("remove", "removed", "coordinator", "link", "refuse"):
        return await listing(turn, turn.t("workgroup.gone"))
    if not await may_manage(turn.repo, turn.incoming.user_id):
        coordinator = await holder(turn.repo, "coordinator")
        return [turn.reply("workgroup.not_allowed", coordinator=coordinator.name if coordinator else "-")]
    if action == "remove":
        if member.position == "coordinator":
            return await listing(turn, turn.t("workgroup.remove_coordinator", name=member.name))
        return [Reply(text=turn.t("workgroup.remove_ask", name=member.name),
                      choices=[Choice(turn.t("workgroup.remove_yes"), f"{PREFIX}removed:{member.id}"),
                               Choice(turn.t("workgroup.no"), f"{PREFIX}list")])]
    if action == "removed":
        if member.position == "coordinator":
            return await listing(turn, turn.t("workgroup.remove_coordinator", name=member.name))
        await remove(turn.repo, member)
        return await listing(turn, turn.t("workgroup.removed", name=member.name))
    if action == "coordinator":
        current = await holder(turn.repo, "coordinator")
        await set_position(turn.repo, member, "coordinator")
        key = "workgroup.handover.done" if current and current.id != member.id else "workgroup.handover.named"
        return await listing(turn, turn.t(key, name=member.name, current=current.name if current else ""))
    claim = member.claim
    if not claim:
        return await listing(turn, turn.t("workgroup.gone"))
    if action == "link" and member.user_id is None:
        await link(turn.repo, member, claim["user_id"], claim.get("channel"))
        return await listing(turn, turn.t("workgroup.claim.linked", name=member.name, user=claim.get("name", "")))
    member.claim = None
    await turn.repo.update(member)
    return await listing(turn, turn.t("workgroup.claim.refused", name=member.name, user=claim.get("name", "")))
