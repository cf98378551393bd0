"""The meeting an earlier answer of a step planned, so that sending that step's form again moves the meeting
instead of planning a second one (a double click, a corrected date, a form from an older message)."""

from __future__ import annotations

from typing import Any

from bot.records import Meeting
from dialogs.plan import Node
from dialogs.registry import Ctx


async def planned_before(ctx: Ctx, node: Node, **match: Any) -> Meeting | None:
    """The meeting of the latest answer of `node` whose values include `match` (e.g. contract=3), if it still exists."""
    earlier = await ctx.journey.answer(node.section, node.id)
    answers = earlier if isinstance(earlier, list) else [earlier]
    for answer in reversed(answers):
        if not isinstance(answer, dict) or any(answer.get(k) != v for k, v in match.items()):
            continue
        meeting_id = answer.get("meeting_id")
        meeting = await ctx.repo.get(Meeting, meeting_id) if isinstance(meeting_id, int) else None
        if meeting is not None:
            return meeting
    return None
