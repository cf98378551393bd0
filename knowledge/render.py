"""Turning an `Outcome` into the bot's reply: the answer with its source and next moves, "did you
mean…?" with the best guesses, or an honest "I don't know" that offers the hand-off."""

from __future__ import annotations

from bot import sections
from bot.i18n import t
from bot.markdown import Md
from bot.messages import MAX_CHOICES, Choice, Reply
from knowledge.base import KnowledgeBase, OrgKnowledge, Outcome
from knowledge.content import Entry

NEXT_MOVES = 3
"""At most this many choices follow an answer (walk-through first, then related questions)."""
LABEL_LENGTH = 75
"""Slack cuts button texts at 75 characters; an organisation's own question can be longer."""
HANDOFF = "kb:handoff"
OWN = "kb:own"
"""The list of the organisation's own answers (knowledge.own)."""
RESUME = "flow:resume"
MENU = "core:help"


def answer_value(entry_id: str) -> str:
    return f"kb:answer:{entry_id}"


def label(text: str) -> str:
    return text if len(text) <= LABEL_LENGTH else text[:LABEL_LENGTH - 1].rstrip() + "…"


def walkthrough_label(code: str, lang: str) -> str:
    if code == "route":
        return t("kb.walkthrough_route", lang)
    return t("kb.walkthrough", lang, step=code)


def answer_reply(entry: Entry, lang: str, kb: KnowledgeBase, org: OrgKnowledge | None = None,
                 resume: bool = False) -> Reply:
    """The entry's answer, where it comes from, and up to three next moves.

    Mid walk-through (`resume`) the way back replaces the offer to start another walk-through.
    """
    if entry.source == "org":
        source = t("kb.source_org", lang)
    else:
        code = entry.section or ""
        source = t("kb.source", lang, section=sections.title(code, lang) if sections.is_code(code) else code)
    choices: list[Choice] = []
    if entry.source == "org":  # where it can be checked, and corrected by the coordinator
        choices.append(Choice(t("kb.own.button", lang), OWN))
    if entry.walkthrough and not resume:
        choices.append(Choice(walkthrough_label(entry.walkthrough, lang), f"flow:start:{entry.walkthrough}"))
    for rel in entry.related:
        if len(choices) >= NEXT_MOVES:
            break
        other = kb.entry(rel, org)
        if other is not None:
            choices.append(Choice(label(other.text("title", lang)), answer_value(other.id)))
    return _with_resume(Reply(text=Md(f"{entry.text('answer', lang)}\n\n{source}"), section=entry.section,
                              choices=choices), lang, resume)


def suggest_reply(outcome: Outcome, lang: str, resume: bool = False, handoff: bool = True) -> Reply:
    """The best guesses; "none of these, ask the working group" only when a question can reach someone."""
    choices = [Choice(label(s.entry.text("title", lang)), answer_value(s.entry.id)) for s in outcome.alternatives]
    if handoff:
        choices.append(Choice(t("kb.none_of_these", lang), HANDOFF))
    return _with_resume(Reply(text=t("kb.did_you_mean", lang), choices=choices), lang, resume)


def unknown_reply(lang: str, resume: bool = False, handoff: bool = True) -> Reply:
    """"I don't know", with the offer to ask the working group; without anyone to reach, no such offer."""
    if not handoff:
        return _with_resume(Reply(text=t("kb.unknown_nobody", lang), choices=[Choice(t("fallback.menu", lang), MENU)]),
                            lang, resume)
    return _with_resume(Reply(text=t("kb.unknown", lang), choices=[Choice(t("kb.unknown_choice", lang), HANDOFF)]),
                        lang, resume)


def off_topic_reply(lang: str, resume: bool = False) -> Reply:
    """Honest about a question outside the topic, without offering to bother the working group with it."""
    return _with_resume(Reply(text=t("kb.off_topic", lang), choices=[Choice(t("fallback.menu", lang), MENU)]),
                        lang, resume)


def outcome_reply(outcome: Outcome, kb: KnowledgeBase, org: OrgKnowledge | None = None,
                  resume: bool = False, handoff: bool = True) -> Reply:
    """`handoff`: whether a question can be passed on to someone (else the hand-off is not offered)."""
    if outcome.entry is not None:
        return answer_reply(outcome.entry, outcome.lang, kb, org, resume)
    if outcome.suggests:
        return suggest_reply(outcome, outcome.lang, resume, handoff)
    if outcome.off_topic:
        return off_topic_reply(outcome.lang, resume)
    return unknown_reply(outcome.lang, resume, handoff)


def _with_resume(reply: Reply, lang: str, resume: bool) -> Reply:
    """Mid walk-through, every knowledge-base reply offers the way back."""
    if resume and len(reply.choices) < MAX_CHOICES:
        reply.choices.append(Choice(t("kb.resume", lang), RESUME))
    return reply
