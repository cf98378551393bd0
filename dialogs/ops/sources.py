"""Option lists for form fields that come from the records (members, roles, contracts, tenders)."""

from __future__ import annotations

from bot.i18n import t
from bot.messages import Choice
from bot.records import ROLES, Contract, Member, Tender
from bot.values import parse_id
from dialogs.registry import REGISTRY, Ctx

MAX_OPTIONS = 100
"""Slack's select menus hold at most 100 options."""


async def active_members(ctx: Ctx) -> list[Member]:
    return [m for m in await ctx.repo.list(Member) if m.active]


def member_label(member: Member, lang: str) -> str:
    roles = ", ".join(str(t(f"role.{r}", lang)) for r in member.roles)
    return f"{member.name} ({roles})" if roles else member.name


@REGISTRY.source("members")
async def members(ctx: Ctx) -> list[Choice]:
    return [Choice(member_label(m, ctx.lang), str(m.id)) for m in await active_members(ctx)][:MAX_OPTIONS]


@REGISTRY.source("roles")
async def roles(ctx: Ctx) -> list[Choice]:
    return [Choice(str(t(f"role.{r}", ctx.lang)), r) for r in ROLES]


@REGISTRY.source("contracts")
async def contracts(ctx: Ctx) -> list[Choice]:
    return [Choice(contract_label(c), str(c.id)) for c in await ctx.repo.list(Contract)][:MAX_OPTIONS]


@REGISTRY.source("tenders")
async def tenders(ctx: Ctx) -> list[Choice]:
    return [Choice(x.title, str(x.id)) for x in await ctx.repo.list(Tender)][:MAX_OPTIONS]


def contract_label(contract: Contract) -> str:
    if contract.name and contract.supplier and contract.name != contract.supplier:
        return f"{contract.name} ({contract.supplier})"
    return contract.label


async def member_by_field(ctx: Ctx, value: str | None) -> Member | None:
    """The active member a form's member field points at (None for empty or unknown)."""
    ident = parse_id(value)
    if ident is None:
        return None
    member = await ctx.repo.get(Member, ident)
    return member if member is not None and member.active else None


async def contract_by_field(ctx: Ctx, value: str | None) -> Contract | None:
    """The contract a form's contract field points at (None for empty or unknown)."""
    ident = parse_id(value)
    return await ctx.repo.get(Contract, ident) if ident is not None else None
