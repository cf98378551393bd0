"""`python app.py chat`: the same bot in a terminal. Choices are numbered; forms are asked field by field."""

from __future__ import annotations

import asyncio
import sys
from typing import Any, TextIO

from bot.i18n import t
from bot.markdown import to_plain
from bot.messages import Form, FormField, FormSubmission, Incoming, Reply
from bot.services import Services
from bot.values import parse_id

QUIT = {"quit", "exit", "/quit", "/exit", "afsluiten", "doei", "bye"}
CANCEL = {"annuleer", "annuleren", "cancel"}


class TerminalChat:
    def __init__(self, services: Services, org: str, user: str, name: str, lang: str | None,
                 stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
        self.services = services
        self.org, self.user, self.name = org, user, name
        self.lang = lang or services.config.language
        self.stdin, self.stdout = stdin, stdout
        self.choices: list[str] = []

    def say(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    async def read(self, prompt: str) -> str | None:
        self.stdout.write(prompt)
        self.stdout.flush()
        line = await asyncio.to_thread(self.stdin.readline)
        return None if line == "" else line.rstrip("\n")

    async def send(self, **kind: Any) -> list[Reply]:
        assert self.services.router is not None
        incoming = Incoming(org_id=self.org, user_id=self.user, user_name=self.name,
                            conversation_id=f"terminal:{self.user}", channel="local", **kind)
        return await self.services.router.handle(incoming)

    async def run(self) -> None:
        self.say(t("terminal.welcome", self.lang))
        if self.lang == "en":
            await self.show(await self.send(text="language en"))
        await self.show(await self.send(text="help"))
        while True:
            line = await self.read("> ")
            if line is None or line.strip().lower() in QUIT:
                self.say(t("terminal.bye", self.lang))
                return
            line = line.strip()
            if not line:
                continue
            if 1 <= (picked := parse_id(line) or 0) <= len(self.choices):
                replies = await self.send(choice=self.choices[picked - 1])
            else:
                replies = await self.send(text=line)
            await self.show(replies)

    async def show(self, replies: list[Reply]) -> None:
        self.choices = []
        pending_form: Form | None = None
        for reply in replies:
            if reply.text:
                self.say(to_plain(reply.text))
            if reply.section:
                self.say(f"  [{reply.section}]")
            for att in reply.attachments:
                stored = self.services.files.put(att)
                self.say(f"  📎 {att.name}: {stored.path}")
            for choice in reply.choices:
                self.choices.append(choice.value)
                self.say(f"  [{len(self.choices)}] {choice.label}")
            if reply.form is not None:
                pending_form = reply.form
        if pending_form is not None:
            values = await self.ask_form(pending_form)
            if values is None:
                self.say(t("terminal.form_cancelled", self.lang))
                return
            await self.show(await self.send(form=FormSubmission(pending_form.id, values)))

    async def ask_form(self, form: Form) -> dict[str, Any] | None:
        self.say(f"— {to_plain(form.title)} ({t('terminal.form_help', self.lang)})")
        values: dict[str, Any] = {}
        for field in form.fields:
            answer = await self.ask_field(field)
            if answer is _CANCELLED:
                return None
            if answer is not None:
                values[field.name] = answer
        return values

    async def ask_field(self, field: FormField) -> Any:
        mark = " *" if field.required else ""
        current = f" [{_shown(field)}]" if field.value not in (None, "", []) else ""
        if field.options:
            for i, option in enumerate(field.options, 1):
                self.say(f"    {i}. {option.label}")
        line = await self.read(f"  {to_plain(field.label)}{mark}{current}: ")
        if line is None or line.strip().lower() in CANCEL:
            return _CANCELLED
        line = line.strip()
        if not line:
            return field.value
        if field.options:
            picked = []
            for part in line.split(","):
                part = part.strip()
                if 1 <= (number := parse_id(part) or 0) <= len(field.options):
                    picked.append(field.options[number - 1].value)
                else:
                    picked.append(part)
            return picked if field.type == "multichoice" else picked[0]
        return line


def _shown(field: FormField) -> str:
    if isinstance(field.value, list):
        return ", ".join(map(str, field.value))
    for option in field.options:
        if option.value == field.value:
            return option.label
    return str(field.value)


_CANCELLED = object()
