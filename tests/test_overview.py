"""The overview ("overzicht" / "overview"): every feature's home content plus quick buttons, on every channel."""

from __future__ import annotations

from bot.feature import Turn
from bot.messages import Choice, Reply


class OpenActions:
    """A feature with the optional home hook, the way the scheduler provides one."""

    name = "actions"
    prefixes = ("acts:",)

    def help_choices(self, lang: str) -> list[Choice]:
        return []

    async def handle(self, turn: Turn) -> list[Reply] | None:
        return None

    async def home(self, turn: Turn) -> list[Reply]:
        return [Reply(text=f"Open actions of {turn.incoming.user_id}", choices=[Choice("Done", "acts:done:1")])]


class BrokenHome(OpenActions):
    name = "broken"

    async def home(self, turn: Turn) -> list[Reply]:
        raise RuntimeError("the home hook failed")


async def test_overview_without_features_offers_the_quick_buttons(server):
    server.services.router.features.clear()
    replies = await server.say("overzicht")
    assert len(replies) == 1
    assert "open acties" in replies[0]["text"]
    assert [c["value"] for c in replies[0]["choices"]] == ["core:ask", "flow:resume", "voortgang"]


async def test_overview_in_english_has_the_english_progress_command(server):
    await server.say("taal en")
    replies = await server.say("overview")
    assert [c["label"] for c in replies[-1]["choices"]] == ["Ask a question", "Continue the step plan", "Progress"]
    assert replies[-1]["choices"][-1]["value"] == "progress"


async def test_overview_collects_each_features_home_and_skips_a_failing_one(server):
    server.services.router.features[:] = [BrokenHome(), OpenActions()]
    replies = await server.say(choice="core:overview")
    assert replies[0]["text"] == "Open actions of u1"
    assert replies[0]["choices"] == [{"label": "Done", "value": "acts:done:1"}]
    assert replies[-1]["text"] == "Snel verder:"
    assert len(replies) == 2


async def test_ask_a_question_button_explains_how_to_ask(server):
    replies = await server.say(choice="core:ask")
    assert "vraag" in replies[0]["text"]
