"""The monitoring feature: set up a plan per contract, report figures, see results, evaluate (step 4).

Text commands (data/commands.yaml): "monitoring", "resultaten <contract>", "monitoring instellen voor
<contract>", "cijfers doorgeven <contract>", "evaluatie <contract>", "monitoring stoppen voor <contract>".
Buttons and forms carry the `mon:` prefix.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.feature import Dispatching, Turn
from bot.forms import invalid_reply
from bot.i18n import t
from bot.markdown import Md
from bot.messages import Choice, Reply
from bot.records import Contract, Evaluation, MonitoringPlan
from bot.values import parse_id
from monitoring import setup
from monitoring.due import REMIND_LATER_DAYS, load_snapshot, local_at, local_today, next_prompt, reportable
from monitoring.evaluation import FORM_PREFIX as EVAL_PREFIX
from monitoring.evaluation import WHOLE, evaluation_form, read_evaluation
from monitoring.figures import FORM_PREFIX as REPORT_PREFIX
from monitoring.figures import check, prompt_reply, read_report, report_form
from monitoring.formatting import day, missing_periods, period_label
from monitoring.lookup import match_contracts, may_report, plan_for, reporter_of
from monitoring.periods import Period, period_starting
from monitoring.presentation import contract_reply, organisation_reply, summary
from monitoring.records import MonitoringReport, PromptState
from monitoring.results import contract_result, organisation_result

MAX_CONTRACT_CHOICES = 6
STATE = "monitoring"


@cache
def _prefixes() -> list[tuple[str, str]]:
    """(phrase, command) pairs, longest phrase first."""
    data = yaml.safe_load(Path(__file__).with_name("data").joinpath("commands.yaml").read_text("utf-8"))
    pairs = [(phrase, kind) for kind, phrases in data.items() if kind != "overview" for phrase in phrases]
    return sorted(pairs, key=lambda p: -len(p[0]))


@cache
def _overview_phrases() -> frozenset[str]:
    data = yaml.safe_load(Path(__file__).with_name("data").joinpath("commands.yaml").read_text("utf-8"))
    return frozenset(data["overview"])


def parse_command(norm: str) -> tuple[str, str] | None:
    """(command, contract query) for a monitoring command, or None."""
    if norm in _overview_phrases():
        return "overview", ""
    for phrase, kind in _prefixes():
        if norm == phrase:
            return kind, ""
        if norm.startswith(phrase + " "):
            return kind, norm[len(phrase) + 1:]
    return None


class MonitoringFeature(Dispatching):
    name = "monitoring"
    prefixes = ("mon:",)

    def help_choices(self, lang: str) -> list[Choice]:
        return [Choice(str(t("monitoring.help", lang)), "mon:overview")]

    # -- dispatch ------------------------------------------------------------------------------
    async def on_text(self, turn: Turn) -> list[Reply] | None:
        command = parse_command(turn.norm)
        if command is None:
            return None
        return await self._command(turn, *command)

    async def on_form(self, turn: Turn, form_id: str, values: Any) -> list[Reply] | None:
        if form_id.startswith(REPORT_PREFIX):
            return await self._submit_report(turn, parse_id(form_id[len(REPORT_PREFIX):]), values)
        if form_id.startswith(setup.FORM_PREFIX):
            contract = await self._contract(turn, form_id[len(setup.FORM_PREFIX):])
            return await setup.save(turn, contract, values) if contract else [turn.reply("monitoring.not_found")]
        if form_id.startswith(EVAL_PREFIX):
            return await self._submit_evaluation(turn, form_id[len(EVAL_PREFIX):], values)
        return None

    async def on_choice(self, turn: Turn, value: str) -> list[Reply] | None:
        parts = value.split(":")
        action = parts[1] if len(parts) > 1 else ""
        args = parts[2:]
        if action == "overview":
            return await self._overview(turn)
        if action == "confirm":
            return await self._confirm(turn)
        if action == "correct":
            return await self._correct(turn)
        if action == "eval" and args:
            return await self._open_evaluation(turn, args[0])
        if action in ("results", "setup", "stop") and args:
            contract = await self._contract(turn, args[0])
            if contract is None:
                return [turn.reply("monitoring.not_found")]
            return await self._command_for(turn, action, contract)
        if action in ("report", "same", "same-ok", "later") and args:
            plan = await turn.repo.get(MonitoringPlan, parse_id(args[0]) or 0)
            if plan is None:
                return [turn.reply("monitoring.not_found")]
            period = self._period(plan, args[1]) if len(args) > 1 else None
            ended = period is not None and period.end < self._today(turn)
            if (len(args) > 1 and period is None) or (action != "report" and not ended):
                return [turn.reply("monitoring.not_found")]
            handler = {"report": self._open_report, "same": self._same, "same-ok": self._same_ok,
                       "later": self._later}[action]
            return await handler(turn, plan, period)
        return [turn.reply("monitoring.not_found")]

    async def _command(self, turn: Turn, kind: str, query: str) -> list[Reply] | None:
        if kind == "overview":
            return await self._overview(turn)
        contracts = await turn.repo.list(Contract)
        if kind in ("evaluation",) and not query:
            return await self._open_evaluation(turn, WHOLE) if not contracts else \
                [await self._which(turn, kind, contracts, with_whole=True)]
        if not query:
            if not contracts:
                return [self._no_contracts(turn)]
            if len(contracts) == 1:
                return await self._command_for(turn, kind, contracts[0])
            return [await self._which(turn, kind, contracts)]
        found = match_contracts(contracts, query)
        if not found:
            if kind in ("setup", "stop"):
                return [self._unknown(turn, query, contracts)]
            return None  # e.g. "resultaten delen" is a question for the knowledge base
        if len(found) > 1:
            return [await self._which(turn, kind, found)]
        return await self._command_for(turn, kind, found[0])

    async def _command_for(self, turn: Turn, kind: str, contract: Contract) -> list[Reply]:
        if kind == "setup":
            return await setup.show(turn, contract)
        if kind == "stop":
            return await setup.stop(turn, contract)
        if kind == "evaluation":
            return await self._open_evaluation(turn, str(contract.id))
        plan = await plan_for(turn.repo, contract.id or 0)
        if plan is None:
            return [setup.no_plan(turn, contract)]
        if kind == "report":
            return await self._open_report(turn, plan, None)
        return await self._results(turn, contract, plan)

    # -- finding contracts ---------------------------------------------------------------------
    @staticmethod
    async def _contract(turn: Turn, text: str) -> Contract | None:
        contract_id = parse_id(text)
        return await turn.repo.get(Contract, contract_id) if contract_id is not None else None

    @staticmethod
    def _no_contracts(turn: Turn) -> Reply:
        return Reply(text=turn.t("monitoring.contract.none"), section="2B",
                     choices=[Choice(str(turn.t("monitoring.contract.open_2B")), "flow:start:2B")])

    @staticmethod
    def _unknown(turn: Turn, query: str, contracts: list[Contract]) -> Reply:
        if not contracts:
            return MonitoringFeature._no_contracts(turn)
        choices = [Choice(c.label, f"mon:setup:{c.id}") for c in contracts[:MAX_CONTRACT_CHOICES]]
        choices.append(Choice(str(turn.t("monitoring.contract.open_2B")), "flow:start:2B"))
        return Reply(text=turn.t("monitoring.contract.unknown", query=query), section="4a", choices=choices)

    @staticmethod
    async def _which(turn: Turn, kind: str, contracts: list[Contract], with_whole: bool = False) -> Reply:
        action = {"setup": "setup", "stop": "stop", "evaluation": "eval"}.get(kind, "results")
        if kind == "report":
            plans = {p.contract_id: p for p in await turn.repo.list(MonitoringPlan)}
            choices = [Choice(c.label, f"mon:report:{plans[c.id].id}") for c in contracts if c.id in plans]
            if not choices:
                choices = [Choice(c.label, f"mon:setup:{c.id}") for c in contracts]
        else:
            choices = [Choice(c.label, f"mon:{action}:{c.id}") for c in contracts]
        choices = choices[:MAX_CONTRACT_CHOICES]
        if with_whole:
            choices.append(Choice(str(turn.t("monitoring.evaluation.whole")), f"mon:eval:{WHOLE}"))
        return Reply(text=turn.t("monitoring.contract.which"), section="4a", choices=choices)

    # -- reporting -----------------------------------------------------------------------------
    @staticmethod
    def _today(turn: Turn) -> date:
        return local_today(turn.services.clock.now(), turn.org.timezone)

    def _period(self, plan: MonitoringPlan, key: str) -> Period | None:
        try:
            start = date.fromisoformat(key)
        except ValueError:
            return None
        return period_starting(plan.start_period, plan.frequency, start) if plan.start_period else None

    async def _open_report(self, turn: Turn, plan: MonitoringPlan, period: Period | None) -> list[Reply]:
        contract = await turn.repo.get(Contract, plan.contract_id or 0)
        label = contract.label if contract else "?"
        today = self._today(turn)
        periods = reportable(plan, today)
        if not periods:
            upcoming = next_prompt(plan, today)
            when = day(upcoming[0], turn.lang) if upcoming else "?"
            return [Reply(text=turn.t("monitoring.prompt.none_ended", contract=label, date=when), section="4a")]
        reports = {r.period_start: r for r in await turn.repo.list(MonitoringReport, plan_id=plan.id)}
        if period not in periods:  # "cijfers X": the latest period still open, else the latest one
            period = next((p for p in periods if p.start not in reports), periods[0])
        has_previous = await self._previous(turn, plan, period.start) is not None
        reply = prompt_reply(plan, label, period, periods, has_previous, turn.lang, "monitoring.prompt.ask")
        known = reports.get(period.start)
        if known is not None:  # a correction starts from what was reported, and says so
            reply.text = turn.t("monitoring.prompt.ask_reported", period=period_label(period, turn.lang),
                                contract=label)
            reply.form = report_form(plan, periods, period, turn.lang, values=_form_values(known))
            reply.choices = []  # "no change" and "remind me later" are for a period still to report
        return [reply]

    @staticmethod
    async def _previous(turn: Turn, plan: MonitoringPlan, before: date) -> MonitoringReport | None:
        reports = [r for r in await turn.repo.list(MonitoringReport, plan_id=plan.id)
                   if r.period_start and r.period_start < before]
        return max(reports, key=lambda r: r.period_start or date.min, default=None)

    async def _refused(self, turn: Turn, plan: MonitoringPlan, contract: Contract | None) -> Reply | None:
        if await may_report(turn.repo, plan, contract, turn.incoming.user_id):
            return None
        reporter = await reporter_of(turn.repo, plan, contract)
        return turn.reply("monitoring.not_allowed", contract=contract.label if contract else "?",
                          reporter=reporter.name if reporter else "?")

    async def _submit_report(self, turn: Turn, plan_id: int | None, values: Any,
                             confirmed: bool = False) -> list[Reply]:
        plan = await turn.repo.get(MonitoringPlan, plan_id or 0)
        if plan is None:
            return [turn.reply("monitoring.not_found")]
        contract = await turn.repo.get(Contract, plan.contract_id or 0)
        refused = await self._refused(turn, plan, contract)
        if refused:
            return [refused]
        today = self._today(turn)
        periods = reportable(plan, today)
        if not periods:
            return await self._open_report(turn, plan, None)
        form = report_form(plan, periods, periods[0], turn.lang)
        reading = read_report(form, values, turn.lang, plan, periods, turn.incoming.user_id,
                              turn.services.clock.now(), today)
        if reading.errors:
            return [invalid_reply(form, values, reading.errors, turn.lang, section="4a")]
        assert reading.report is not None
        if reading.warnings and not confirmed:
            turn.data(STATE)["pending"] = {"plan": plan.id, "values": _plain_values(values, form)}
            text = Md("\n".join(reading.warnings))
            return [Reply(text=text, section="4a", choices=[
                Choice(str(turn.t("monitoring.confirm.save")), "mon:confirm"),
                Choice(str(turn.t("monitoring.confirm.correct")), "mon:correct")])]
        return [await self._store(turn, reading.report, contract)]

    async def _store(self, turn: Turn, report: MonitoringReport, contract: Contract | None) -> Reply:
        """Save the report; a second report for the same period replaces the first."""
        self._forget_pending(turn)
        repo = turn.repo
        added = await repo.add_once(report, plan_id=report.plan_id, period_start=report.period_start)
        replaced = added is None
        if replaced:
            existing = await repo.find(MonitoringReport, plan_id=report.plan_id, period_start=report.period_start)
            assert existing is not None
            report.id = existing.id
            await repo.update(report)
        assert report.period_start is not None and report.period_end is not None
        period = Period.between(report.period_start, report.period_end)
        label = contract.label if contract else "?"
        text = turn.t("monitoring.replaced" if replaced else "monitoring.saved", contract=label,
                      period=period_label(period, turn.lang), summary=summary(report, period, turn.lang))
        return Reply(text=text, section="4a", choices=[
            Choice(str(turn.t("monitoring.results.open", contract=label)), f"mon:results:{report.contract_id}")])

    async def _confirm(self, turn: Turn) -> list[Reply]:
        pending = turn.state.data.get(STATE, {}).get("pending")
        if not pending:
            return [turn.reply("monitoring.confirm.expired")]
        return await self._submit_report(turn, pending.get("plan"), pending.get("values"), confirmed=True)

    @staticmethod
    def _forget_pending(turn: Turn) -> dict[str, Any] | None:
        """Drop (and return) the figures waiting for a confirmation; leave no empty state behind."""
        mine = turn.state.data.get(STATE)
        if not mine:
            return None
        pending = mine.pop("pending", None)
        if not mine:
            turn.state.data.pop(STATE)
        return pending

    async def _correct(self, turn: Turn) -> list[Reply]:
        pending = self._forget_pending(turn)
        plan = await turn.repo.get(MonitoringPlan, pending.get("plan") or 0) if pending else None
        if plan is None:
            return [turn.reply("monitoring.confirm.expired")]
        replies = await self._open_report(turn, plan, self._period(plan, str(pending["values"].get("period"))))
        if replies and replies[0].form is not None:
            for f in replies[0].form.fields:
                if f.name in pending["values"]:
                    f.value = pending["values"][f.name]
        return replies

    async def _same(self, turn: Turn, plan: MonitoringPlan, period: Period | None) -> list[Reply]:
        assert period is not None
        previous = await self._previous(turn, plan, period.start)
        if previous is None or previous.period_start is None or previous.period_end is None:
            replies = await self._open_report(turn, plan, period)
            replies[0].text = turn.t("monitoring.same.nothing")
            return replies
        before = Period.between(previous.period_start, previous.period_end)
        carried = _carried_over(previous, plan, period, "", turn.services.clock.now())
        text = turn.t("monitoring.same.confirm", previous=period_label(before, turn.lang),
                      period=period_label(period, turn.lang), summary=summary(carried, period, turn.lang))
        return [Reply(text=text, section="4a", choices=[
            Choice(str(turn.t("monitoring.same.copy")), f"mon:same-ok:{plan.id}:{period.key}"),
            Choice(str(turn.t("monitoring.same.form")), f"mon:report:{plan.id}:{period.key}")])]

    async def _same_ok(self, turn: Turn, plan: MonitoringPlan, period: Period | None) -> list[Reply]:
        assert period is not None
        contract = await turn.repo.get(Contract, plan.contract_id or 0)
        refused = await self._refused(turn, plan, contract)
        if refused:
            return [refused]
        previous = await self._previous(turn, plan, period.start)
        if previous is None:
            return await self._same(turn, plan, period)
        copy = _carried_over(previous, plan, period, turn.incoming.user_id, turn.services.clock.now())
        form = report_form(plan, reportable(plan, self._today(turn)), period, turn.lang)
        errors, _ = check(copy, period, turn.lang, {f.name: f.label for f in form.fields})
        if errors:
            values = {name: getattr(copy, name) for name in ("hours", "people", "in_register", "placements",
                                                             "training_places", "evidence", "costs")}
            values["period"] = period.key
            return [invalid_reply(form, values, errors, turn.lang, section="4a")]
        return [await self._store(turn, copy, contract)]

    async def _later(self, turn: Turn, plan: MonitoringPlan, period: Period | None) -> list[Reply]:
        """Ask again in a few days: only whoever is asked for the figures (or may report them) puts it off."""
        assert period is not None
        contract = await turn.repo.get(Contract, plan.contract_id or 0)
        reporter = await reporter_of(turn.repo, plan, contract)
        if not await may_report(turn.repo, plan, contract, turn.incoming.user_id):
            return [turn.reply("monitoring.later.not_yours", contract=contract.label if contract else "?",
                               reporter=reporter.name if reporter else "?")]
        today = self._today(turn)
        again = today + timedelta(days=REMIND_LATER_DAYS)
        state = await turn.repo.find(PromptState, plan_id=plan.id, period_start=period.start) \
            or PromptState(plan_id=plan.id, period_start=period.start)
        state.snoozed_until = local_at(again, turn.org.timezone)
        state.updated_at = turn.services.clock.now()
        await turn.repo.save(state)
        if reporter is not None and reporter.user_id != turn.incoming.user_id:
            return [turn.reply("monitoring.later.saved_other", date=day(again, turn.lang), reporter=reporter.name)]
        return [turn.reply("monitoring.later.saved", date=day(again, turn.lang))]

    # -- results -------------------------------------------------------------------------------
    async def _results(self, turn: Turn, contract: Contract, plan: MonitoringPlan) -> list[Reply]:
        reports = await turn.repo.list(MonitoringReport, plan_id=plan.id)
        result = contract_result(contract, plan, reports, self._today(turn))
        evaluations = await turn.repo.list(Evaluation, contract_id=contract.id)
        latest = max(evaluations, key=lambda e: (e.date or date.min, e.id or 0), default=None)
        return [await contract_reply(result, latest, self._today(turn), turn.lang)]

    async def _overview(self, turn: Turn) -> list[Reply]:
        snap = await load_snapshot(turn.repo, turn.org)
        today = self._today(turn)
        results = [contract_result(snap.contracts[p.contract_id], p, snap.reports, today)
                   for p in snap.plans if p.contract_id in snap.contracts]
        if not results:
            planned = {p.contract_id for p in snap.plans}
            choices = [Choice(str(turn.t("monitoring.results.setup", contract=c.label)), f"mon:setup:{c.id}")
                       for c in snap.contracts.values() if c.id not in planned][:MAX_CONTRACT_CHOICES]
            if not choices:
                choices = [Choice(str(turn.t("monitoring.contract.open_2B")), "flow:start:2B")]
            choices.append(Choice(str(turn.t("monitoring.results.step_4a")), "flow:start:4a"))
            return [Reply(text=turn.t("monitoring.results.empty"), section="4a", choices=choices)]
        return [await organisation_reply(organisation_result(results), turn.lang)]

    # -- evaluation ----------------------------------------------------------------------------
    async def _eval_contract(self, turn: Turn, suffix: str) -> tuple[bool, Contract | None]:
        """(known, contract): the contract an evaluation form is about, None for the whole approach."""
        if suffix == WHOLE:
            return True, None
        contract = await self._contract(turn, suffix)
        return contract is not None, contract

    async def _open_evaluation(self, turn: Turn, suffix: str) -> list[Reply]:
        known, contract = await self._eval_contract(turn, suffix)
        if not known:
            return [turn.reply("monitoring.not_found")]
        text = turn.t("monitoring.evaluation.intro", contract=contract.label) if contract else \
            turn.t("monitoring.evaluation.intro_org")
        return [Reply(text=text, section="4b", form=evaluation_form(contract.id if contract else None, turn.lang))]

    async def _submit_evaluation(self, turn: Turn, suffix: str, values: Any) -> list[Reply]:
        known, contract = await self._eval_contract(turn, suffix)
        if not known:
            return [turn.reply("monitoring.not_found")]
        contract_id = contract.id if contract else None
        form = evaluation_form(contract_id, turn.lang)
        evaluation, errors = read_evaluation(form, values, turn.lang, contract_id, self._today(turn))
        if errors or evaluation is None:
            return [invalid_reply(form, values, errors, turn.lang, section="4b")]
        evaluation.user_id = turn.incoming.user_id
        await turn.repo.add(evaluation)
        choices = [Choice(str(turn.t("monitoring.results.open", contract=contract.label)),
                          f"mon:results:{contract.id}")] if contract else []
        return [Reply(text=turn.t("monitoring.evaluation.saved"), section="4b", choices=choices)]

    # -- home ----------------------------------------------------------------------------------
    async def home(self, turn: Turn) -> list[Reply]:
        """The user's monitored contracts (as reporter or contract manager) and their next prompt."""
        member = turn.member
        if member is None:
            return []
        snap = await load_snapshot(turn.repo, turn.org)
        today = self._today(turn)
        lines: list[str] = [turn.t("monitoring.home.title")]
        choices: list[Choice] = []
        for plan in snap.plans:
            contract = snap.contracts.get(plan.contract_id or 0)
            if not plan.active or contract is None or member.id not in (plan.reporter_id, contract.contract_manager_id):
                continue
            upcoming = next_prompt(plan, today)
            if upcoming is None:
                continue
            lines.append(turn.t("monitoring.home.line", contract=contract.label,
                                frequency=turn.t(f"monitoring.frequency.{plan.frequency}"),
                                date=day(upcoming[0], turn.lang)))
            missing = contract_result(contract, plan, snap.reports, today).missing
            if missing:
                lines.append(turn.t("monitoring.home.open", periods=missing_periods(missing, turn.lang)))
                choices.append(Choice(str(turn.t("monitoring.results.report")) + f": {contract.label}",
                                      f"mon:report:{plan.id}"))
            else:
                choices.append(Choice(str(turn.t("monitoring.results.open", contract=contract.label)),
                                      f"mon:results:{contract.id}"))
        if len(lines) == 1:
            return []
        return [Reply(text=Md("\n".join(lines)), section="4a", choices=choices[:MAX_CONTRACT_CHOICES])]


def _plain_values(values: Any, form: Any) -> dict[str, Any]:
    """The submitted values worth keeping until the user confirms: known fields, plain JSON values."""
    if not isinstance(values, dict):
        return {}
    names = {f.name for f in form.fields}
    return {k: v for k, v in values.items() if k in names and isinstance(v, str | int | float | list)}


def _form_values(report: MonitoringReport) -> dict[str, Any]:
    """A stored report as the values of its form (whole numbers without ".0")."""
    names = ("hours", "people", "in_register", "placements", "training_places", "evidence", "costs", "remarks")
    values = {name: getattr(report, name) for name in names}
    return {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in values.items()}


def _carried_over(previous: MonitoringReport, plan: MonitoringPlan, period: Period, user_id: str,
                  now: datetime) -> MonitoringReport:
    """ "No change": what carries over from `previous` into `period` — the standing situation (hours, people,
    of whom in the register, standing work-experience or training places). Flows of one period do not: new
    placements are 0, and costs and evidence belong to the period they were reported for."""
    return MonitoringReport(
        plan_id=plan.id, contract_id=plan.contract_id, period_start=period.start, period_end=period.end,
        hours=previous.hours, people=previous.people, in_register=previous.in_register,
        placements=0 if previous.placements is not None else None, training_places=previous.training_places,
        copied_from=previous.period_start, submitted_by=user_id, submitted_at=now)
