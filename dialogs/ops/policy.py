"""Step 5: the policy outline (5a), the social return specialist (5b)."""

from __future__ import annotations

from typing import Any

from bot.i18n import t
from bot.markdown import Md
from bot.records import Member, MonitoringPlan
from dialogs import documents
from dialogs.ops.contracts import from_goals
from dialogs.ops.sources import contract_by_field, contract_label, member_by_field
from dialogs.ops.workgroup import checklist
from dialogs.plan import Node
from dialogs.registry import REGISTRY, Ctx, Outcome


@REGISTRY.prefill("policy")
async def policy_prefill(ctx: Ctx) -> dict[str, Any]:
    """A first draft from what the walk captured: goals (1c), monitoring plans (4a) and roles (1b)."""
    values = await from_goals(ctx)
    plans = []
    for plan in await ctx.repo.list(MonitoringPlan, active=True):
        contract = await contract_by_field(ctx, str(plan.contract_id))
        frequency = ctx.label("4a", "plan", "frequency", plan.frequency)
        if contract is not None:
            plans.append(documents.fill("flow.op.policy.plan_line", ctx.lang, name=contract_label(contract),
                                        frequency=frequency))
    if plans:
        values["monitoring"] = "\n".join(plans)
    roles = [f"{m.name}: {', '.join(str(t('role.' + r, ctx.lang)) for r in m.roles)}"
             for m in await ctx.repo.list(Member, active=True) if m.roles]
    if roles:
        values["roles"] = "\n".join(roles)
    return values


@REGISTRY.save("policy_outline")
async def policy_outline(ctx: Ctx, node: Node, values: dict[str, Any]) -> Outcome:
    parts = {k: [line for line in v.splitlines() if line.strip()] if isinstance(v, str) and "\n" in v else v
             for k, v in values.items()}
    doc = documents.policy(parts, ctx.lang)
    name = "beleidskader-social-return.md" if ctx.lang == "nl" else "social-return-policy-outline.md"
    return Outcome(text=ctx.t("op.policy.ready"), attachments=[documents.attachment(doc, name, ctx.lang)])


@REGISTRY.save("specialist")
async def specialist(ctx: Ctx, node: Node, values: dict[str, Any]) -> Outcome:
    """Who is the social return specialist (they get the SROI coordinator role) and which tasks are covered."""
    member = await member_by_field(ctx, values.get("member"))
    parts = []
    if member is not None:
        if "sroi_coordinator" not in member.roles:
            member.roles = [*member.roles, "sroi_coordinator"]
            await ctx.repo.update(member)
        parts.append(ctx.t("op.specialist.named", name=member.name))
    tasks = await checklist(ctx, node, values)
    if tasks.text:
        parts.append(tasks.text)
    return Outcome(text=Md("\n".join(parts)))
