"""Handing a question to people (as in FAQ Plus) and bringing their answer back.

A question the bot cannot answer goes to the organisation's working-group conversation, or to the
coordinator in a direct message when no group conversation is set, through the channel's
notifier. It carries an **Answer** button (`kb:reply:<id>`) that opens a form; the answer goes back
to the asker through the notifier as well. The coordinator (or backup) can then add the question
and answer to the organisation's own knowledge base (`kb:add:<id>`).
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.feature import Turn
from bot.forms import invalid_reply, read_form
from bot.i18n import t
from bot.messages import Choice, Form, FormField, Reply
from bot.notify import DeliveryError, Target
from bot.values import parse_id
from bot.workgroup import holder
from knowledge import own
from knowledge.records import MAX_ANSWER, MAX_QUESTION, HandoffQuestion, OrgEntry
from knowledge.text import says_any

log = logging.getLogger(__name__)
PHRASES = Path(__file__).with_name("data") / "handoff.yaml"
ASK_FORM = "kb:handoff"
REPLY = "kb:reply:"
ADD = "kb:add:"


def wants_person(text: str) -> bool:
    """The message asks for a person ("ik wil een mens spreken", "talk to a person")."""
    return says_any(text, PHRASES)


def ask_form(turn: Turn, question: str | None) -> Reply:
    form = Form(id=ASK_FORM, title=turn.t("kb.handoff.ask_form_title"), submit_label=turn.t("kb.handoff.send"),
                fields=[FormField("question", turn.t("kb.handoff.field_question"), "textarea", required=True,
                                  value=question or None)])
    return Reply(text=turn.t("kb.handoff.ask_form_intro"), form=form)


async def open_ask(turn: Turn, question: str | None) -> Reply:
    """The form to put a question to the working group, or at once why it cannot go anywhere yet."""
    if await _destination(turn) is None:
        return turn.reply("kb.handoff.nobody")
    return ask_form(turn, question)


async def available(turn: Turn) -> bool:
    """Whether a question can reach anyone now (a group conversation, or a coordinator the bot can message)."""
    return await _destination(turn) is not None


async def _destination(turn: Turn) -> tuple[Target, str] | None:
    """Where a question goes: the group conversation, else the coordinator; with whom it reached."""
    org_id = turn.incoming.org_id
    group = turn.org.group_conversation
    if group and group.get("channel") in turn.services.notifiers:
        return Target(org_id=org_id, channel=group["channel"], to="group",
                      conversation_id=str(group["conversation_id"])), ""
    coordinator = await holder(turn.repo, "coordinator")
    if coordinator and coordinator.user_id and coordinator.channel in turn.services.notifiers:
        return Target(org_id=org_id, channel=str(coordinator.channel), to="user", user_id=coordinator.user_id), \
            coordinator.name
    return None


async def forward(turn: Turn, text: str) -> list[Reply]:
    """Store the question and send it to the working group (or coordinator); tell the asker."""
    incoming = turn.incoming
    destination = await _destination(turn)
    if destination is None:
        return [turn.reply("kb.handoff.nobody")]
    target, coordinator = destination
    question = HandoffQuestion(text=text[:MAX_QUESTION], lang=turn.lang, asker_id=incoming.user_id,
                               asker_name=incoming.user_name or incoming.user_id, channel=incoming.channel,
                               conversation_id=incoming.conversation_id,
                               sent_to="group" if target.to == "group" else "coordinator",
                               asked_at=turn.services.clock.now())
    await turn.repo.add(question)
    lang = turn.org.language
    message = Reply(text=t("kb.handoff.group_message", lang, asker=question.asker_name, question=question.text),
                    choices=[Choice(t("kb.handoff.answer_button", lang), f"{REPLY}{question.id}")])
    try:
        await turn.services.deliver(target, [message], f"kb:question:{question.id}")
    except DeliveryError as exc:
        log.warning("hand-off of question %s in org %s failed: %s", question.id, target.org_id, exc)
        return [turn.reply("kb.handoff.failed")]
    if coordinator:
        return [turn.reply("kb.handoff.sent_coordinator", name=coordinator)]
    return [turn.reply("kb.handoff.sent_group")]


async def _question(turn: Turn, value: str, prefix: str) -> HandoffQuestion | None:
    ident = parse_id(value[len(prefix):])
    return await turn.repo.get(HandoffQuestion, ident) if ident is not None else None


def _reply_form(turn: Turn, question: HandoffQuestion) -> Form:
    return Form(id=f"{REPLY}{question.id}", title=turn.t("kb.reply.form_title", asker=question.asker_name),
                submit_label=turn.t("kb.handoff.send"),
                fields=[FormField("answer", turn.t("kb.reply.field_answer"), "textarea", required=True)])


async def open_reply(turn: Turn, value: str) -> list[Reply]:
    """The Answer button: the form to answer the question with."""
    question = await _question(turn, value, REPLY)
    if question is None:
        return [turn.reply("kb.reply.unknown")]
    if question.status == "answered":
        return [turn.reply("kb.reply.already", name=question.answered_by or "")]
    return [Reply(text=turn.t("kb.reply.form_intro", asker=question.asker_name, question=question.text),
                  form=_reply_form(turn, question))]


async def submit_reply(turn: Turn, form_id: str, values: object) -> list[Reply]:
    """Save a member's answer and send it to the asker."""
    question = await _question(turn, form_id, REPLY)
    if question is None:
        return [turn.reply("kb.reply.unknown")]
    if question.status == "answered":
        return [turn.reply("kb.reply.already", name=question.answered_by or "")]
    form = _reply_form(turn, question)
    clean, errors = read_form(form, values, turn.lang)
    if errors:
        return [invalid_reply(form, values, errors, turn.lang)]
    incoming = turn.incoming
    question.status = "answered"
    question.answer = str(clean["answer"])[:MAX_ANSWER]
    question.answered_by = incoming.user_name or incoming.user_id
    question.answered_by_id = incoming.user_id
    question.answered_at = turn.services.clock.now()
    await turn.repo.update(question)
    add = [Choice(turn.t("kb.reply.add_button"), f"{ADD}{question.id}")]
    message = Reply(text=t("kb.reply.to_asker", question.lang, name=question.answered_by, question=question.text,
                           answer=question.answer))
    target = Target(org_id=incoming.org_id, channel=question.channel, to="user", user_id=question.asker_id,
                    conversation_id=question.conversation_id)
    try:
        await turn.services.deliver(target, [message], f"kb:answer:{question.id}")
    except DeliveryError as exc:
        log.warning("answer to question %s in org %s not delivered: %s", question.id, incoming.org_id, exc)
        return [turn.reply("kb.reply.not_delivered", asker=question.asker_name, choices=add)]
    return [turn.reply("kb.reply.delivered", asker=question.asker_name, choices=add)]


def _add_form(turn: Turn, question: HandoffQuestion) -> Form:
    return own.entry_form(turn, f"{ADD}{question.id}", turn.t("kb.add.form_title"), question.text, question.answer)


async def _addable(turn: Turn, value: str) -> HandoffQuestion | Reply:
    """The answered question the coordinator may add, or the reason why not."""
    refused = await own.refusal(turn, "kb.add.not_allowed")
    if refused is not None:
        return refused
    question = await _question(turn, value, ADD)
    if question is None:
        return turn.reply("kb.reply.unknown")
    if question.status != "answered":
        return turn.reply("kb.add.not_answered")
    if question.entry_id is not None:
        return turn.reply("kb.add.already")
    return question


async def open_add(turn: Turn, value: str) -> list[Reply]:
    found = await _addable(turn, value)
    if isinstance(found, Reply):
        return [found]
    return [Reply(text=turn.t("kb.add.form_intro"), form=_add_form(turn, found))]


async def submit_add(turn: Turn, form_id: str, values: object) -> OrgEntry | list[Reply]:
    """Add the question and answer to the organisation's own knowledge base."""
    found = await _addable(turn, form_id)
    if isinstance(found, Reply):
        return [found]
    read = own.read_entry(_add_form(turn, found), values, turn.lang)
    if isinstance(read, Reply):
        return [read]
    incoming = turn.incoming
    entry = OrgEntry(**read, lang=found.lang, added_by=incoming.user_id,
                     added_by_name=incoming.user_name or incoming.user_id, question_id=found.id,
                     created_at=turn.services.clock.now(), revision=await own.next_revision(turn))
    await turn.repo.add(entry)
    found.entry_id = entry.id
    await turn.repo.update(found)
    return entry
