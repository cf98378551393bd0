"""The core's own commands: help, switching language, the organisation's settings, the working group."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import workgroup_chat
from bot.forms import invalid_reply, read_form
from bot.home import overview
from bot.i18n import LANGUAGES, t
from bot.messages import MAX_CHOICES, Choice, Form, FormField, Reply
from bot.values import ValidationError
from bot.workgroup import holder, may_manage
from bot.yamldata import load_yaml

if TYPE_CHECKING:
    from bot.feature import Turn
    from bot.router import Router

TIMEZONES = ("Europe/Amsterdam", "Europe/Brussels", "Europe/London", "America/Kralendijk",
             "America/Curacao", "America/Aruba", "America/Lower_Princes", "UTC")
WALKTHROUGH = "dialogs"
"""The walk-through's feature name in the conversation state; its `flow:resume` button is a shared contract."""


@cache
def phrases() -> dict[str, Any]:
    return load_yaml(Path(__file__).with_name("data").joinpath("commands.yaml").read_text("utf-8"))


@cache
def _longest_first(section: str, key: str) -> tuple[str, ...]:
    """A phrase list sorted once, longest first (the hot path asks on every typed message)."""
    return tuple(sorted(phrases()[section][key], key=len, reverse=True))


@cache
def _words(section: str, key: str) -> frozenset[str]:
    return frozenset(phrases()[section][key])


def language_request(norm: str) -> str | None:
    """'nl' or 'en' when the message asks to switch language ("taal en", "english please")."""
    data = phrases()["language"]
    for lang in LANGUAGES:
        if norm in data["phrases"][lang]:
            return lang
    for prefix in _longest_first("language", "prefixes"):
        if norm.startswith(prefix + " "):
            rest = norm[len(prefix) + 1:]
            for lang in LANGUAGES:
                if rest in data["names"][lang]:
                    return lang
    return None


def is_help(norm: str) -> bool:
    data = phrases()["help"]
    if norm in data["exact"] or norm == "":
        return True
    greeting = next((g for g in _longest_first("help", "greeting")
                     if norm == g or norm.startswith(g + " ")), None)
    if greeting is None:
        return False
    rest = norm[len(greeting):].strip()
    rest = rest.removeprefix("partnerbot").strip()  # "hoi partnerbot, wat kun je?"
    # "hoi", "hallo partnerbot", "good morning anna"; "hello, what can you do?", "hoi, wat kun je allemaal?"
    return len(rest.split()) <= 1 or rest in data["exact"] or rest in data["after_greeting"]


def small_talk(norm: str, text: str) -> str | None:
    """'thanks' for "dank je", "ok thanks"; 'ack' for "top", "prima"; None when the message is more than that."""
    words = norm.split()
    if not words or text.rstrip().endswith("?"):
        return None
    thanks, ack, filler = (_words("small_talk", k) for k in ("thanks", "ack", "filler"))
    if any(w not in thanks and w not in ack and w not in filler for w in words):
        return None
    if any(w in thanks for w in words):
        return "thanks"
    return "ack" if any(w in ack for w in words) else None


class CoreCommands:
    name = "core"
    prefixes = ("core:",)

    def __init__(self, router: Router) -> None:
        self.router = router

    def help_choices(self, lang: str) -> list[Choice]:
        other = "en" if lang == "nl" else "nl"
        return [Choice(t("help.settings", lang), "core:settings"),
                Choice(t("help.language_other", lang), f"core:lang:{other}")]

    async def handle(self, turn: Turn) -> list[Reply] | None:
        incoming = turn.incoming
        if incoming.form is not None:
            if incoming.form.id == "core:settings":
                return await self._save_settings(turn, incoming.form.values)
            return None
        if incoming.choice is not None:
            value = incoming.choice
            if value == "core:help":
                return [self.help(turn)]
            if value.startswith("core:lang:") and value[10:] in LANGUAGES:
                return self._switch(turn, value[10:])
            if value == "core:settings":
                return await self._settings(turn)
            if value == "core:overview":
                return await overview(turn, self.router.features)
            if value == "core:ask":
                return [turn.reply("overview.ask_prompt")]
            if value.startswith(workgroup_chat.PREFIX):
                return await workgroup_chat.on_choice(turn, value)
            return None
        norm = turn.norm
        lang = language_request(norm)
        if lang:
            return self._switch(turn, lang)
        if is_help(norm):
            return [self.help(turn)]
        kind = small_talk(norm, turn.text)
        if kind:
            return [turn.reply(f"small_talk.{kind}", choices=[Choice(turn.t("fallback.menu"), "core:help")])]
        if norm in phrases()["settings"]:
            return await self._settings(turn)
        if norm in phrases()["overview"]:
            return await overview(turn, self.router.features)
        if norm in phrases()["workgroup"]:
            return await workgroup_chat.listing(turn)
        return None

    def help(self, turn: Turn) -> Reply:
        first = turn.incoming.user_name.split()[0] if turn.incoming.user_name.strip() else ""
        return Reply(text=turn.t("help.intro", name=f" {first}" if first else ""),
                     choices=self.menu(turn.lang))

    def menu(self, lang: str) -> list[Choice]:
        """Every feature's first entry, then their second ones while room is left; settings and language last."""
        own = self.help_choices(lang)
        offered = [feature.help_choices(lang) for feature in self.router.features]
        room = MAX_CHOICES - len(own)
        picked: list[Choice] = []
        for rank in range(2):
            for entries in offered:
                if rank < len(entries) and len(picked) < room:
                    picked.append(entries[rank])
        order = {id(c): (r, i) for i, entries in enumerate(offered) for r, c in enumerate(entries)}
        picked.sort(key=lambda c: order[id(c)][::-1])
        return picked + own

    def _switch(self, turn: Turn, lang: str) -> list[Reply]:
        turn.state.lang = lang
        turn.lang = lang
        choices = [Choice(turn.t("fallback.menu"), "core:help")]
        if turn.state.active == WALKTHROUGH:  # switched mid walk-through: one tap back to where they were
            choices.insert(0, Choice(turn.t("overview.resume"), "flow:resume"))
        return [Reply(text=turn.t("language.switched"), choices=choices)]

    def _form(self, turn: Turn) -> Form:
        org = turn.org
        lang = turn.lang
        return Form(
            id="core:settings",
            title=t("settings.title", lang),
            submit_label=t("form.submit", lang),
            fields=[
                FormField("name", t("settings.name", lang), "text", required=True, value=org.name or None),
                FormField("language", t("settings.language", lang), "choice", required=True,
                          options=[Choice(t(f"language_name.{code}", lang), code) for code in LANGUAGES],
                          value=org.language),
                FormField("timezone", t("settings.timezone", lang), "choice", required=True,
                          options=[Choice(tz, tz) for tz in TIMEZONES], value=org.timezone),
            ],
        )

    async def _refuse(self, turn: Turn) -> list[Reply] | None:
        if await may_manage(turn.repo, turn.incoming.user_id):
            return None
        coordinator = await holder(turn.repo, "coordinator")
        return [turn.reply("settings.not_allowed", coordinator=coordinator.name if coordinator else "")]

    async def _settings(self, turn: Turn) -> list[Reply]:
        refused = await self._refuse(turn)
        if refused:
            return refused
        name = turn.org.name or t("settings.unnamed", turn.lang)
        return [Reply(text=turn.t("settings.intro", org=name), form=self._form(turn))]

    async def _save_settings(self, turn: Turn, values: dict[str, Any]) -> list[Reply]:
        refused = await self._refuse(turn)
        if refused:
            return refused
        form = self._form(turn)
        clean, errors = read_form(form, values, turn.lang)
        if errors:
            return [invalid_reply(form, values, errors, turn.lang)]
        org = turn.org
        org.name, org.language, org.timezone = clean["name"], clean["language"], clean["timezone"]
        try:
            await turn.repo.save_organisation(org, now=turn.services.clock.now())
        except ValidationError as exc:
            return [invalid_reply(form, values, [exc.message(turn.lang)], turn.lang)]
        return [turn.reply("settings.saved", name=org.name,
                           language=t(f"language_name.{org.language}", turn.lang), timezone=org.timezone)]
