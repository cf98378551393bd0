"""The organisation's own answers: anyone may list and read them; the coordinator corrects or removes one.

Values: `kb:own` / `kb:own:<page>` (the list), `kb:show:<id>` (one entry), `kb:edit:<id>` (its form, sent
back as `kb:edit:<id>:<revision>`), `kb:remove:<id>` (asks first) and `kb:remove:<id>:<revision>` (the
confirmation). Ids belong to the organisation's own store, so a value with another organisation's id finds
nothing there. The revision in a form id or confirmation stops a change to an entry that someone else
changed in the meantime, instead of silently overwriting it.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from math import ceil
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot import sections
from bot.feature import Turn, normalise
from bot.forms import invalid_reply, read_form
from bot.markdown import Md
from bot.messages import Choice, Form, FormField, Reply
from bot.records import Member
from bot.values import parse_id
from bot.workgroup import holder, may_manage
from bot.yamldata import load_yaml
from knowledge.records import MAX_QUESTION, MAX_VARIANTS, HandoffQuestion, OrgEntry
from knowledge.render import OWN, label

PHRASES = Path(__file__).with_name("data") / "own.yaml"
SHOW = "kb:show:"
EDIT = "kb:edit:"
REMOVE = "kb:remove:"
PAGE = 6
"""Entries per page of the list (each gets a button; with "more" that stays within Choice limits)."""


@cache
def _phrases() -> dict[str, str]:
    data = load_yaml(PHRASES.read_text("utf-8"))
    return {normalise(p): lang for lang, items in data.items() for p in items}


def asks_for_list(norm: str) -> str | None:
    """The language of the message when it asks for the own answers ("onze antwoorden", "our answers")."""
    return _phrases().get(norm)


# -- the form to add or change an entry (also used by the hand-off's "add") ----------------------------

def _section_options(lang: str) -> list[Choice]:
    return [Choice(sections.label(code, lang), code) for code in sections.codes()]


def entry_form(turn: Turn, form_id: str, title: str, question: str, answer: str | None,
               variants: list[str] | None = None, section: str | None = None) -> Form:
    return Form(id=form_id, title=title, submit_label=turn.t("form.submit"),
                fields=[FormField("question", turn.t("kb.add.field_question"), "text", required=True,
                                  value=question),
                        FormField("answer", turn.t("kb.add.field_answer"), "textarea", required=True,
                                  value=answer),
                        FormField("variants", turn.t("kb.add.field_variants"), "textarea",
                                  hint=turn.t("kb.add.variants_hint"),
                                  value="\n".join(variants) if variants else None),
                        FormField("section", turn.t("kb.add.field_section"), "choice",
                                  options=_section_options(turn.lang), value=section)])


def read_entry(form: Form, values: Any, lang: str) -> dict[str, Any] | Reply:
    """The entry's cleaned values, or the form again with what is wrong (lengths, required, section code)."""
    clean, errors = read_form(form, values, lang)
    if errors:
        return invalid_reply(form, values, errors, lang)
    variants = [line.strip()[:MAX_QUESTION] for line in (clean["variants"] or "").splitlines() if line.strip()]
    return {"question": clean["question"], "answer": clean["answer"], "section": clean["section"],
            "variants": variants[:MAX_VARIANTS]}


async def next_revision(turn: Turn) -> int:
    """Higher than every revision among the organisation's entries and, while the clock runs, than any
    revision a removed entry had: the matcher's cache (keyed on the highest one) then always notices."""
    latest = (await turn.repo.revision(OrgEntry, "revision"))[2] or 0
    return max(latest + 1, int(turn.services.clock.now().timestamp() * 1000))


async def refusal(turn: Turn, key: str) -> Reply | None:
    """None when this user may manage the knowledge base (coordinator or backup), else why not."""
    if await may_manage(turn.repo, turn.incoming.user_id):
        return None
    coordinator = await holder(turn.repo, "coordinator")
    return turn.reply(key, coordinator=coordinator.name if coordinator else "")


# -- listing and showing --------------------------------------------------------------------------------

def _date(turn: Turn, at: datetime | None) -> str:
    if at is None:
        return "?"
    day = at.astimezone(ZoneInfo(turn.org.timezone)).date()
    return day.strftime("%d-%m-%Y") if turn.lang == "nl" else day.isoformat()


async def _names(turn: Turn) -> dict[str, str]:
    return {m.user_id: m.name for m in await turn.repo.list(Member) if m.user_id}


def _who(names: dict[str, str], user_id: str | None, name: str | None) -> str:
    return name or names.get(user_id or "") or user_id or "?"


def _back(turn: Turn) -> Choice:
    return Choice(turn.t("kb.own.back"), OWN)


async def list_reply(turn: Turn, page: int = 1) -> Reply:
    """The own entries, newest first, a page at a time."""
    entries = sorted(await turn.repo.list(OrgEntry), key=lambda e: e.id or 0, reverse=True)
    if not entries:
        return turn.reply("kb.own.empty")
    page = min(max(page, 1), ceil(len(entries) / PAGE))
    start = (page - 1) * PAGE
    shown = entries[start:start + PAGE]
    names = await _names(turn)
    lines = [turn.t("kb.own.title", total=len(entries))]
    for n, e in enumerate(shown, start + 1):
        lines.append(turn.t("kb.own.line", n=n, question=e.question, section=e.section or "–",
                            who=_who(names, e.added_by, e.added_by_name), date=_date(turn, e.created_at)))
    rest = len(entries) - start - len(shown)
    if rest:
        lines.append(turn.t("kb.own.more", n=rest))
    manager = await may_manage(turn.repo, turn.incoming.user_id)
    lines.append(turn.t("kb.own.pick_manage" if manager else "kb.own.pick_view"))
    choices = [Choice(label(f"{n}. {e.question}"), f"{SHOW}{e.id}") for n, e in enumerate(shown, start + 1)]
    if rest:
        choices.append(Choice(turn.t("kb.own.next"), f"{OWN}:{page + 1}"))
    return Reply(text=Md("\n".join(lines)), choices=choices)


async def _entry(turn: Turn, raw: str) -> OrgEntry | None:
    ident = parse_id(raw)
    return await turn.repo.get(OrgEntry, ident) if ident is not None else None


def _unknown(turn: Turn) -> list[Reply]:
    return [turn.reply("kb.own.unknown", choices=[_back(turn)])]


async def show(turn: Turn, raw: str) -> list[Reply]:
    entry = await _entry(turn, raw)
    if entry is None:
        return _unknown(turn)
    names = await _names(turn)
    code = entry.section
    text = turn.t("kb.own.detail", question=entry.question, answer=entry.answer,
                  variants="; ".join(entry.variants) or "–",
                  section=sections.label(code, turn.lang) if code and sections.is_code(code) else "–",
                  who=_who(names, entry.added_by, entry.added_by_name), date=_date(turn, entry.created_at))
    if entry.updated_at is not None:
        text = Md(text + "\n" + turn.t("kb.own.changed_by", who=_who(names, entry.updated_by, entry.updated_by_name),
                                       date=_date(turn, entry.updated_at)))
    choices = [_back(turn)]
    if await may_manage(turn.repo, turn.incoming.user_id):
        choices[:0] = [Choice(turn.t("kb.own.edit"), f"{EDIT}{entry.id}"),
                       Choice(turn.t("kb.own.remove"), f"{REMOVE}{entry.id}")]
    return [Reply(text=text, section=code, choices=choices)]


# -- changing and removing (coordinator or backup only) ----------------------------------------------------

def _edit_form(turn: Turn, entry: OrgEntry) -> Form:
    return entry_form(turn, f"{EDIT}{entry.id}:{entry.revision}", turn.t("kb.own.form_title"), entry.question,
                      entry.answer, entry.variants, entry.section)


async def _managed(turn: Turn, raw: str) -> tuple[OrgEntry, int | None] | list[Reply]:
    """The entry named by `<id>` or `<id>:<revision>` with that revision, if this user may change it."""
    refused = await refusal(turn, "kb.own.not_allowed")
    if refused is not None:
        return [refused]
    ident, _, revision = raw.partition(":")
    entry = await _entry(turn, ident)
    if entry is None:
        return _unknown(turn)
    if not revision:
        return entry, None
    parsed = parse_id(revision)
    return entry, -1 if parsed is None else parsed


def _changed(turn: Turn, entry: OrgEntry) -> list[Reply]:
    return [turn.reply("kb.own.changed", choices=[Choice(turn.t("kb.own.view"), f"{SHOW}{entry.id}"), _back(turn)])]


async def open_edit(turn: Turn, raw: str) -> list[Reply]:
    found = await _managed(turn, raw)
    if isinstance(found, list):
        return found
    entry = found[0]
    return [Reply(text=turn.t("kb.own.form_intro"), form=_edit_form(turn, entry))]


async def submit_edit(turn: Turn, raw: str, values: Any) -> list[Reply]:
    """Save the corrected entry; nothing is stored unless every value is valid."""
    found = await _managed(turn, raw)
    if isinstance(found, list):
        return found
    entry, revision = found
    if revision != entry.revision:
        return _changed(turn, entry)
    read = read_entry(_edit_form(turn, entry), values, turn.lang)
    if isinstance(read, Reply):
        return [read]
    for name, value in read.items():
        setattr(entry, name, value)
    incoming = turn.incoming
    entry.updated_at = turn.services.clock.now()
    entry.updated_by = incoming.user_id
    entry.updated_by_name = incoming.user_name or incoming.user_id
    entry.revision = await next_revision(turn)
    expected = {"revision": revision} if revision else {}  # entries from before revisions have none stored
    if not await turn.repo.update_if(entry, **expected):
        return _changed(turn, entry) if await turn.repo.get(OrgEntry, entry.id or 0) else _unknown(turn)
    return [turn.reply("kb.own.saved", choices=[Choice(turn.t("kb.own.view"), f"{SHOW}{entry.id}"), _back(turn)])]


async def remove(turn: Turn, raw: str) -> list[Reply]:
    """Without a revision: ask first. With it (the confirmation): remove the entry."""
    found = await _managed(turn, raw)
    if isinstance(found, list):
        return found
    entry, revision = found
    if revision is None:
        return [turn.reply("kb.own.remove_confirm", question=entry.question,
                           choices=[Choice(turn.t("kb.own.remove_yes"), f"{REMOVE}{entry.id}:{entry.revision}"),
                                    Choice(turn.t("kb.own.remove_no"), f"{SHOW}{entry.id}")])]
    if revision != entry.revision:
        return _changed(turn, entry)
    await turn.repo.delete(OrgEntry, entry.id or 0)
    source = await turn.repo.find(HandoffQuestion, entry_id=entry.id)
    if source is not None:  # the hand-off question may be added again
        source.entry_id = None
        await turn.repo.update(source)
    return [turn.reply("kb.own.removed", question=entry.question, choices=[_back(turn)])]


async def choice(turn: Turn, value: str) -> list[Reply] | None:
    """Handle one of this module's button values; None when the value is not one of them."""
    if value == OWN or value.startswith(f"{OWN}:"):
        page = value[len(OWN) + 1:]
        return [await list_reply(turn, parse_id(page) or 1)]
    if value.startswith(SHOW):
        return await show(turn, value.removeprefix(SHOW))
    if value.startswith(EDIT):
        return await open_edit(turn, value.removeprefix(EDIT))
    if value.startswith(REMOVE):
        return await remove(turn, value.removeprefix(REMOVE))
    return None
