"""Setting up an organisation's working group and adding an own answer the way users do: a question the
bot cannot answer is handed to the group, a member answers it and the coordinator adds it."""

from __future__ import annotations

from typing import Any

from bot.records import Member, Organisation


async def set_up(server, org: str = "demo", group: bool = True, coordinator: bool = True) -> None:
    repo = server.services.repo(org)
    settings = Organisation(name="Gemeente Demo")
    if group:
        settings.group_conversation = {"channel": "local", "conversation_id": f"{org}-werkgroep", "name": "Werkgroep"}
    await repo.save_organisation(settings)
    if coordinator:
        await repo.add(Member(name="Carla Smit", user_id="carla", channel="local", position="coordinator",
                              roles=["hr_expert"]))
    await repo.add(Member(name="Mark de Boer", user_id="mark", channel="local", roles=["procurement_expert"]))


def values(reply: dict[str, Any]) -> list[str]:
    return [c["value"] for c in reply["choices"]]


async def add_own_answer(server, question: str, answer: str, org: str = "demo", section: str = "2Ba",
                         variants: str = "") -> dict[str, Any]:
    """Ask, hand off, answer as Mark, add as Carla (coordinator); the reply to the add."""
    await server.say(question, org=org, user="asker", name="Anna de Vries")
    await server.say(choice="kb:handoff", org=org, user="asker", name="Anna de Vries")
    posted = (await server.notifications(user="mark", org=org))[-1]
    button = next(v for v in values(posted) if v.startswith("kb:reply:"))
    done = (await server.say(form={"id": button, "values": {"answer": answer}}, org=org, user="mark",
                             name="Mark de Boer"))[0]
    add = next(v for v in values(done) if v.startswith("kb:add:"))
    form = (await server.say(choice=add, org=org, user="carla", name="Carla Smit"))[0]["form"]
    filled = {"question": question, "answer": answer, "section": section, "variants": variants}
    return (await server.say(form={"id": form["id"], "values": filled}, org=org, user="carla",
                             name="Carla Smit"))[0]
