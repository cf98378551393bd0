"""A user's overview: what each feature shows on a home screen, plus a few quick buttons.

Slack shows it on the App Home tab; every channel shows it for the command "overzicht" / "overview".
A feature contributes through the optional `home(turn)` hook (`bot.feature.HomeProvider`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.feature import Feature, Turn
from bot.messages import Choice, Reply

log = logging.getLogger(__name__)
PROGRESS_COMMAND = {"nl": "voortgang", "en": "progress"}


def quick_buttons(turn: Turn, *, alone: bool) -> Reply:
    """Ask a question, continue the walk-through, see progress; with a short intro when nothing else shows."""
    return Reply(text=turn.t("overview.empty" if alone else "overview.quick"), choices=[
        Choice(turn.t("overview.ask"), "core:ask"),
        Choice(turn.t("overview.resume"), "flow:resume"),
        Choice(turn.t("overview.progress"), PROGRESS_COMMAND.get(turn.lang, PROGRESS_COMMAND["nl"])),
    ])


async def overview(turn: Turn, features: Sequence[Feature]) -> list[Reply]:
    """Every feature's home replies in feature order; a failing feature is left out, not the whole overview."""
    replies: list[Reply] = []
    for feature in features:
        home = getattr(feature, "home", None)
        if not callable(home):
            continue
        try:
            replies.extend(await home(turn) or [])
        except Exception:
            log.exception("home of feature %s failed", feature.name)
    replies.append(quick_buttons(turn, alone=not replies))
    return replies
