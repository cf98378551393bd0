"""Helpers for walk-through tests: send messages, answer the form on screen, note every section."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.sections import STEP_ORDER

MARK = {"nl": re.compile(r"^\*\*(Stap \S+ · \S+ \(\d+/\d+\)|Routekeuze)\*\*"),
        "en": re.compile(r"^\*\*(Step \S+ · \S+ \(\d+/\d+\)|Route choice)\*\*")}


def plain(text: str) -> str:
    """Reply text without our Markdown escapes (what a person reads)."""
    return re.sub(r"\\(.)", r"\1", text)


def values_of(reply: dict[str, Any]) -> list[str]:
    return [c["value"] for c in reply["choices"]]


@dataclass
class Walker:
    """Talks to the live server as one user and checks each walk-through reply's section and mark."""

    server: Any
    lang: str = "nl"
    user: str = "u1"
    seen: list[dict[str, Any]] = field(default_factory=list)
    """Every reply received, in order."""
    last: list[dict[str, Any]] = field(default_factory=list)

    async def send(self, *expect: str, **message: Any) -> list[dict[str, Any]]:
        """Send one message; `expect` lists the section code each reply must carry, in order."""
        replies = await self.server.say(user=self.user, **message)
        self.last = replies
        self.seen.extend(replies)
        if expect:
            got = [r["section"] for r in replies]
            assert got == list(expect), (message, got, [plain(r["text"])[:200] for r in replies])
            for reply in replies:
                if reply["section"] in STEP_ORDER:
                    assert MARK[self.lang].match(reply["text"]), reply["text"][:120]
        return replies

    async def click(self, value: str, *expect: str) -> list[dict[str, Any]]:
        offered = [v for r in self.last for v in values_of(r)]
        assert value in offered, (value, offered)
        return await self.send(*expect, choice=value)

    async def nav(self, action: str, *expect: str) -> list[dict[str, Any]]:
        """Press the navigation button of the prompt on screen (next/back/skip/tips)."""
        buttons = [v for v in values_of(self.last[-1]) if v.startswith(f"flow:{action}:")]
        assert buttons, (action, values_of(self.last[-1]))
        return await self.send(*expect, choice=buttons[0])

    def form_id(self) -> str:
        form = self.last[-1]["form"]
        assert form is not None, plain(self.last[-1]["text"])
        return form["id"]

    def options(self, name: str) -> dict[str, str]:
        """label → value of a field of the form on screen."""
        form = self.last[-1]["form"]
        assert form is not None
        field_ = next(f for f in form["fields"] if f["name"] == name)
        return {o["label"]: o["value"] for o in field_["options"]}

    def member_value(self, name: str, field_name: str = "owner") -> str:
        return next(v for label, v in self.options(field_name).items() if label.startswith(name))

    async def fill(self, values: dict[str, Any], *expect: str) -> list[dict[str, Any]]:
        return await self.send(*expect, form={"id": self.form_id(), "values": values})

    def text(self) -> str:
        return "\n".join(plain(r["text"]) for r in self.last)

    async def download(self, name: str) -> str:
        """The text of the last attachment called `name` the walk received."""
        url = next(a["url"] for r in reversed(self.seen) for a in r["attachments"] if a["name"] == name)
        async with self.server.session.get(self.server.url + url) as resp:
            assert resp.status == 200
            return plain(await resp.text())


async def walk_step_1(w: Walker, *, typed: dict[str, str]) -> None:
    """Step 1 from 'start' to the route choice, filling every form (dates relative to 2026-11-23)."""
    await w.send("1a", text=typed["start"])
    await w.send("1a", text=typed["tips"])
    await w.send("1a", text=typed["next"])
    await w.fill({"status": "planned", "date": "2026-12-14", "body": "Directie"}, "1a", "1b")
    await w.nav("next", "1b")
    for name, roles, position in (("Anna de Vries", ["hr_expert"], "coordinator"),
                                  ("Bram Jansen", ["procurement_expert", "category_manager"], "backup"),
                                  ("Carla Smit", ["contract_manager"], "none")):
        await w.fill({"name": name, "roles": roles, "position": position}, "1b")
    await w.nav("next", "1c")
    await w.nav("next", "1c")
    await w.fill({"target": "register", "goals": ["paid_work", "supplier_relation"], "other": "Stages"}, "1c", "1d")
    for title, owner, deadline in (("Contracten inventariseren", "Bram", "2026-12-18"),
                                   ("Notitie voor de directie", "Anna", "2026-12-04")):
        await w.fill({"title": title, "owner": w.member_value(owner), "deadline": deadline}, "1d")
    await w.nav("next", "1d")
    await w.fill({"frequency": "monthly", "first": "2026-12-07", "time": "9:30", "partners": ["uwv", "wsp"]},
                 "1d", "1d")
    await w.nav("next", "1e")
    await w.fill({"items": ["vision", "ambassador"]}, "1e", "route")
