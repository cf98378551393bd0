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


CONTRACTS = (
    {"name": "Schoonmaak kantoren", "supplier": "CleanCo", "category": "cleaning", "yearly_value": "450.000",
     "start": "2024-01-01", "end": "2028-12-31", "has_sroi_clause": "no", "manager": "Carla"},
    {"name": "Bedrijfsrestaurant", "supplier": "FoodCo", "category": "catering", "yearly_value": "250000",
     "end": "2027-06-30", "extension_decision": "2027-03-01", "has_sroi_clause": "yes"},
    {"name": "Kantoorartikelen", "supplier": "PaperCo", "category": "other", "yearly_value": "80000",
     "end": "2027-01-31"},
    {"name": "Beveiliging", "supplier": "SafeCo", "category": "security", "yearly_value": "150000",
     "end": "2029-12-31"},
)


async def walk_from_route_to_the_end(w: Walker, *, typed: dict[str, str]) -> None:
    """From the route choice ('both') through 2B, 3, 4 and 5, then the open side track 2A."""
    await w.click("flow:ans:route:choose:both", "route", "2Ba")
    await w.nav("next", "2Ba")
    for contract in CONTRACTS:
        values = {k: v for k, v in contract.items() if k != "manager"}
        if "manager" in contract:
            values["contract_manager_id"] = w.member_value(contract["manager"], "contract_manager_id")
        await w.fill(values, "2Ba")
    await w.send("2Ba", text=typed["done"])
    await w.nav("next", "2Ba")
    top = w.options("contracts")
    await w.fill({"contracts": [top["Schoonmaak kantoren (CleanCo)"], top["Bedrijfsrestaurant (FoodCo)"],
                                top["Beveiliging (SafeCo)"]]}, "2Ba", "2Ba")
    await w.fill({"contract": w.options("contract")["Schoonmaak kantoren (CleanCo)"], "who": "Facilitair manager",
                  "options": "Stapelbaan schoonmaak en groen", "kind": "existing_plain", "work_type": "services",
                  "labour": "Veel uitvoerend werk", "potential": "Hoog"}, "2Ba")
    await w.nav("next", "2Bb")
    await w.send("2Bb", text=typed["next"])
    await w.fill({"contract": w.options("contract")["Schoonmaak kantoren (CleanCo)"],
                  "theirs": "Relatiemanager\nHR-manager", "ours": "Anna de Vries\nBram Jansen",
                  "date": "2026-12-10"}, "2Bb")
    await w.nav("next", "2Bb")
    await w.click("flow:ans:2Bb:outcome:willing", "2Bb", "3a")
    await w.nav("next", "3a")
    await w.fill({"contract": w.options("contract")["Schoonmaak kantoren (CleanCo)"],
                  "staff_review": "Twee mensen gaan met pensioen", "stacked": "Schoonmaak plus groen",
                  "vacancy": "yes"}, "3b")
    await w.fill({"date": "2027-01-12", "participants": [w.member_value("Anna", "participants"),
                                                          w.member_value("Bram", "participants")],
                  "agenda": "Budget voor een jobcoach"}, "3b", "3b")
    await w.fill({"title": "Jobcoach regelen", "owner": w.member_value("Carla"), "deadline": "2027-02-01"}, "3b")
    await w.nav("next", "3c")
    await w.fill({"role_procurement_expert": w.member_value("Bram", "role_procurement_expert"),
                  "role_internal_client": w.member_value("Carla", "role_internal_client")}, "3c", "4a")
    await w.nav("next", "4a")
    contracts = w.options("contract_id")
    await w.fill({"contract_id": contracts["Schoonmaak kantoren (CleanCo)"], "frequency": "quarter",
                  "figures": ["costs"], "supplier_contact": "Relatiemanager CleanCo",
                  "ambition_hours_per_week": "51", "ambition_jobs": "2", "start_period": "2027-01-01"}, "4a")
    await w.fill({"contract_id": contracts["Bedrijfsrestaurant (FoodCo)"], "frequency": "month",
                  "reporter_id": w.member_value("Bram", "reporter_id")}, "4a")
    await w.nav("next", "4b")
    await w.fill({"contract_id": contracts["Schoonmaak kantoren (CleanCo)"], "impact": "Twee banen",
                  "next_tender": "Stapelbanen vragen"}, "4b", "5a")
    prefilled = {f["name"]: f.get("value") for f in w.last[-1]["form"]["fields"]}
    await w.fill({**{k: v for k, v in prefilled.items() if v}, "results": "Vijf banen in 2028"}, "5a", "5b")
    await w.fill({"member": w.member_value("Anna", "member"), "items": ["advise", "monitor"]}, "5b", "5c")
    await w.fill({"items": ["named"]}, "5c", "5d")
    await w.fill({"items": ["communication"], "milestone": "Eerste baan"}, "5d", "5d")
    await w.click("flow:start:2A", "2Aa")
    await w.nav("next", "2Aa")
    await w.fill({"title": "Groenonderhoud 2027", "category": "green", "kind": "services",
                  "estimated_value": "300000", "duration_months": "36", "labour_share": "70",
                  "planned_publication": "2027-03-01"}, "2Aa")
    await w.nav("next", "2Ab")
    await w.nav("next", "2Ab")
    await w.click("flow:ans:2Ab:strategy:track2", "2Ab", "2Ac")
    await w.nav("next", "2Ac")
    await w.fill({"tender": w.options("tender")["Groenonderhoud 2027"]}, "2Ac", "2Ad")
    await w.nav("next", "2Ad")
    await w.fill({"vision": "Samen banen maken", "application": "Vanaf 100.000 euro"}, "2Ad", "2Ad")
