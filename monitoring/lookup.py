"""Finding what a monitoring message is about: the contract named in it, its plan, who reports, who may."""

from __future__ import annotations

from rapidfuzz import fuzz

from bot.feature import normalise
from bot.records import Contract, Member, MonitoringPlan
from bot.repository import Repository
from bot.workgroup import may_manage

MIN_SCORE = 80


def match_contracts(contracts: list[Contract], query: str) -> list[Contract]:
    """Contracts whose name or supplier is the query, contains it, or is close to it (best first)."""
    q = normalise(query)
    if not q:
        return []
    exact = [c for c in contracts if q in (normalise(c.name), normalise(c.supplier))]
    if exact:
        return exact
    containing = [c for c in contracts if q in normalise(c.name) or q in normalise(c.supplier)]
    if containing:
        return containing
    scored = []
    for c in contracts:
        score = max(fuzz.WRatio(q, normalise(c.name)) if c.name else 0, fuzz.WRatio(q, normalise(c.supplier)))
        if score >= MIN_SCORE:
            scored.append((score, c))
    scored.sort(key=lambda sc: -sc[0])
    return [c for _, c in scored]


async def plan_for(repo: Repository, contract_id: int) -> MonitoringPlan | None:
    return await repo.find(MonitoringPlan, contract_id=contract_id)


async def reporter_of(repo: Repository, plan: MonitoringPlan, contract: Contract | None) -> Member | None:
    """The plan's reporter, or else the contract manager."""
    for member_id in (plan.reporter_id, contract.contract_manager_id if contract else None):
        if member_id is not None:
            member = await repo.get(Member, member_id)
            if member is not None and member.active:
                return member
    return None


async def may_report(repo: Repository, plan: MonitoringPlan, contract: Contract | None, user_id: str) -> bool:
    """The reporter, the contract manager, and the coordinator and backup may submit figures."""
    ids = [plan.reporter_id, contract.contract_manager_id if contract else None]
    for member_id in ids:
        if member_id is not None:
            member = await repo.get(Member, member_id)
            if member is not None and member.user_id == user_id:
                return True
    if all(i is None for i in ids):
        return True
    return await may_manage(repo, user_id)
