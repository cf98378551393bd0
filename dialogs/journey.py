"""The organisation's progress through the step plan, kept with its records.

Per section a `JourneyStep` (status and captured answers) and one `JourneyPosition` (where the
walk-through stands), so any member of the organisation can resume, on any channel, also after
a restart. Statuses only move forward: a done section is not set back to in progress.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.records import JourneyPosition, JourneyStep
from bot.repository import Repository

FINISHED = ("done", "skipped")
END = "end"
"""The position's section once the whole plan has been walked."""


class Journey:
    def __init__(self, repo: Repository, now: datetime) -> None:
        self.repo = repo
        self.now = now

    async def step(self, section: str) -> JourneyStep:
        found = await self.repo.find(JourneyStep, section=section)
        if found is not None:
            return found
        await self.repo.add_once(JourneyStep(section=section, updated_at=self.now), section=section)
        found = await self.repo.find(JourneyStep, section=section)
        assert found is not None
        return found

    async def statuses(self) -> dict[str, str]:
        return {s.section: s.status for s in await self.repo.list(JourneyStep)}

    async def status(self, section: str) -> str:
        found = await self.repo.find(JourneyStep, section=section)
        return found.status if found else "not_started"

    async def set_status(self, section: str, status: str) -> None:
        step = await self.step(section)
        current = step.status
        if status == current:
            return
        if status == "in_progress" and current != "not_started":
            return
        if status == "skipped" and current == "done":
            return
        step.status = status
        step.updated_at = self.now
        await self.repo.update(step)

    async def answers(self, section: str) -> dict[str, Any]:
        found = await self.repo.find(JourneyStep, section=section)
        return dict(found.answers) if found else {}

    async def answer(self, section: str, key: str) -> Any:
        return (await self.answers(section)).get(key)

    async def save_answer(self, section: str, key: str, value: Any, *, append: bool = False) -> None:
        step = await self.step(section)
        if append:
            items = step.answers.get(key)
            step.answers[key] = [*(items if isinstance(items, list) else []), value]
        else:
            step.answers[key] = value
        if step.status == "not_started":
            step.status = "in_progress"
        step.updated_at = self.now
        await self.repo.update(step)

    async def route(self) -> str | None:
        value = await self.answer("route", "choose")
        return value if isinstance(value, str) else None

    async def position(self) -> JourneyPosition | None:
        return await self.repo.find(JourneyPosition)

    async def move(self, section: str, node: str, user_id: str) -> None:
        position = await self.position()
        if position is None:  # the organisation's first move; two users may make it at once
            first = JourneyPosition(section=section, node=node, user_id=user_id, updated_at=self.now)
            if await self.repo.add_once(first) is not None:
                return
            position = await self.position()
            assert position is not None
        if (position.section, position.node, position.user_id) == (section, node, user_id):
            return  # showing the same message again ("waar was ik?") is no move: nothing to write
        position.section, position.node = section, node
        position.user_id, position.updated_at = user_id, self.now
        await self.repo.save(position)
