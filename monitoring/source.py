"""The monitoring cycle as a due source of the scheduler (wired up in app.py): prompts, reminders, digest lines."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.i18n import t
from bot.markdown import Md
from bot.notify import DigestSection, Notice
from bot.records import Organisation
from bot.repository import Repository
from monitoring.due import GRACE, Snapshot, due, load_snapshot, local_today, reporter, user_target
from monitoring.formatting import missing_periods, number, period_label
from monitoring.results import ContractResult, contract_result

MAX_DIGEST_LINES = 5


def digest_text(results: list[ContractResult], lang: str, unreachable: list[tuple[str, str | None]] = ()) -> Md | None:
    """One line per monitored contract: its latest jobs against the ambition, and what is still missing;
    then the contracts whose figures nobody can be asked for (no reporter, or one the bot can't reach)."""
    if not results and not unreachable:
        return None
    lines = [t("monitoring.digest.title", lang)]
    for result in results[:MAX_DIGEST_LINES]:
        latest = result.latest
        if latest is None:
            text = str(t("monitoring.results.nothing_yet", lang))
        else:
            text = str(t("monitoring.results.latest", lang, jobs=number(latest.jobs, lang, 1),
                         period=period_label(latest.period, lang)))
            if result.ambition is not None:
                text += str(t("monitoring.digest.ambition", lang, ambition=number(result.ambition, lang, 1)))
        if result.missing:
            text += str(t("monitoring.digest.missing", lang, periods=missing_periods(result.missing, lang)))
        lines.append(t("monitoring.digest.line", lang, contract=result.contract.label, latest=Md(text)))
    if len(results) > MAX_DIGEST_LINES:
        lines.append(t("monitoring.digest.more", lang, count=len(results) - MAX_DIGEST_LINES))
    for contract, name in unreachable:
        if name:
            lines.append(t("monitoring.digest.unreachable", lang, contract=contract, name=name))
        else:
            lines.append(t("monitoring.digest.no_reporter", lang, contract=contract))
    return Md("\n".join(lines))


class MonitoringSource:
    name = "monitoring"

    async def load(self, repo: Repository, org: Organisation) -> Snapshot:
        return await load_snapshot(repo, org)

    def due(self, now: datetime, records: Snapshot, sent: Mapping[str, datetime],
            grace: timedelta = GRACE) -> list[Notice]:
        return due(now, records, sent, grace)

    def digest(self, now: datetime, records: Snapshot) -> DigestSection | None:
        today = local_today(now, records.org.timezone)
        plans = [p for p in records.plans if p.active and p.contract_id in records.contracts]
        results = [contract_result(records.contracts[p.contract_id], p, records.reports, today) for p in plans]
        unreachable = []
        for plan in plans:
            member = reporter(records, plan)
            if user_target(records.org, member) is None:
                unreachable.append((records.contracts[plan.contract_id].label, member.name if member else None))
        if not results:
            return None
        return lambda lang: digest_text(results, lang, unreachable)
