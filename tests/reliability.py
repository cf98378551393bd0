"""Shared pieces of the reliability suite (tests/test_reliability_*.py): an organisation with records of
every kind, the choice values and form ids the bot really offers, and a watch on failed turns."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from bot.messages import FormSubmission, Incoming, Reply
from bot.records import Action, Contract, Member, MonitoringPlan
from bot.repository import Repository
from bot.services import Services
from knowledge.records import HandoffQuestion

COORDINATOR = "coord"
BACKUP = "backup"
MEMBER = "member"
OUTSIDER = "outsider"


async def populate(repo: Repository, now: datetime) -> dict[str, Any]:
    """A working group (coordinator, backup, a member), an action, a contract with a monitoring plan and an
    answered hand-off question: a record behind every kind of button the bot shows."""
    coordinator = await repo.add(Member(name="Carla Coördinator", user_id=COORDINATOR, channel="local",
                                        roles=["sroi_coordinator"], position="coordinator"))
    backup = await repo.add(Member(name="Bas Backup", user_id=BACKUP, channel="local", roles=["hr_expert"],
                                   position="backup"))
    member = await repo.add(Member(name="Mia Lid", user_id=MEMBER, channel="local", roles=["contract_manager"]))
    today = now.date()
    action = await repo.add(Action(title="Leverancier bellen", owner_id=member.id, deadline=today + timedelta(days=3),
                                   created_at=now, section="1d"))
    contract = await repo.add(Contract(name="Schoonmaak", supplier="Schoon BV", yearly_value=250_000.0,
                                       start=date(2025, 1, 1), end=date(2028, 1, 1),
                                       contract_manager_id=member.id))
    plan = await repo.add(MonitoringPlan(contract_id=contract.id, frequency="quarter", reporter_id=member.id,
                                         figures=["paid_hours", "people"], start_period=date(2026, 1, 1)))
    question = await repo.add(HandoffQuestion(text="Mag een BV meedoen?", lang="nl", asker_id=MEMBER,
                                              asker_name="Mia Lid", channel="local", conversation_id="local:member",
                                              sent_to="group", asked_at=now, status="answered", answer="Ja.",
                                              answered_by="Carla", answered_by_id=COORDINATOR, answered_at=now))
    return {"coordinator": coordinator.id, "backup": backup.id, "member": member.id, "action": action.id,
            "contract": contract.id, "plan": plan.id, "question": question.id}


def incoming(org: str, user: str, *, text: str | None = None, choice: str | None = None,
             form: tuple[str, dict[str, Any]] | None = None, channel: str = "local") -> Incoming:
    return Incoming(org_id=org, user_id=user, user_name=user.capitalize(), conversation_id=f"{channel}:{user}",
                    channel=channel, text=text, choice=choice,
                    form=FormSubmission(id=form[0], values=form[1]) if form else None)


SEED_TEXTS = ("help", "start", "volgende", "acties", "alle acties", "nieuwe actie", "monitoring",
              "resultaten schoonmaak", "cijfers doorgeven schoonmaak", "evaluatie schoonmaak", "instellingen",
              "digest instellingen", "overzicht", "ik wil een mens spreken", "stap 2B", "stap 4a", "stap 1b")


async def offered(services: Services, org: str, user: str, ids: dict[str, Any]) -> tuple[set[str], dict[str, set[str]]]:
    """Every choice value and form id (with its field names) the bot shows this user for the seed messages,
    plus the buttons that carry record ids (done, report, reply, add)."""
    assert services.router is not None
    choices = {f"sched:done:{ids['action']}", f"sched:deadline:{ids['action']}", f"mon:report:{ids['plan']}",
               f"mon:results:{ids['contract']}", f"mon:setup:{ids['contract']}", f"kb:reply:{ids['question']}",
               f"kb:add:{ids['question']}", "mon:confirm", "mon:correct", "kb:handoff", "core:overview"}
    forms: dict[str, set[str]] = {}
    seen: list[Reply] = []
    for text in SEED_TEXTS:
        seen += await services.router.handle(incoming(org, user, text=text))
    for value in sorted(choices):
        seen += await services.router.handle(incoming(org, user, choice=value))
    for reply in seen:
        choices.update(c.value for c in reply.choices)
        if reply.form is not None:
            forms.setdefault(reply.form.id, set()).update(f.name for f in reply.form.fields)
    return choices, forms


class FailedTurns(logging.Handler):
    """Collects the router's "turn failed" records (an exception a feature let through)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.failures: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += f": {type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
        self.failures.append(text)


@contextlib.contextmanager
def watch_failures(*names: str) -> Iterator[FailedTurns]:
    handler = FailedTurns()
    loggers = [logging.getLogger(n) for n in names or ("partnerbot.turn",)]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
