"""How features (knowledge base, walk-through, scheduler commands, monitoring) plug into the router.

A feature is an object with a `name`, the `prefixes` of the choice values and form ids it owns,
the help entries it offers, and `handle(turn)`, which returns replies or None ("not mine").
The router gives a choice or form to the feature whose prefix matches, gives free text first to
the feature that holds the conversation (`turn.state.active`), then to each feature in order.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from bot.i18n import t
from bot.markdown import Md
from bot.messages import Choice, Incoming, Reply
from bot.records import ConversationState, Member, Organisation
from bot.repository import Repository

if TYPE_CHECKING:
    from bot.services import Services


def normalise(text: str) -> str:
    """Lower case, accents and punctuation gone, single spaces: for matching commands."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Turn:
    """Everything a feature needs for one incoming message."""

    incoming: Incoming
    lang: str
    repo: Repository
    org: Organisation
    state: ConversationState
    services: Services
    member: Member | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.incoming.text or ""

    @property
    def norm(self) -> str:
        """The message text normalised for command matching."""
        cached = self.extra.get("_norm")
        if cached is None:
            cached = self.extra["_norm"] = normalise(self.text)
        return cached

    def t(self, key: str, **params: Any) -> Md:
        return t(key, self.lang, **params)

    def data(self, feature: str) -> dict[str, Any]:
        """This user's saved state for one feature (saved by the router after the turn)."""
        return self.state.data.setdefault(feature, {})

    def reply(self, key: str, *, section: str | None = None, choices: list[Choice] | None = None,
              **params: Any) -> Reply:
        return Reply(text=self.t(key, **params), section=section, choices=choices or [])


class Feature(Protocol):
    name: str
    prefixes: tuple[str, ...]

    def help_choices(self, lang: str) -> list[Choice]:
        """Entries for the help menu (at most two per feature)."""
        ...

    async def handle(self, turn: Turn) -> list[Reply] | None:
        """Replies, or None when the message is not for this feature."""
        ...


class Dispatching:
    """A feature base that sends forms, choices and text to their own methods; each may answer None."""

    async def handle(self, turn: Turn) -> list[Reply] | None:
        incoming = turn.incoming
        if incoming.form is not None:
            return await self.on_form(turn, incoming.form.id, incoming.form.values)
        if incoming.choice is not None:
            return await self.on_choice(turn, incoming.choice)
        return await self.on_text(turn)

    async def on_form(self, turn: Turn, form_id: str, values: Any) -> list[Reply] | None:
        return None

    async def on_choice(self, turn: Turn, value: str) -> list[Reply] | None:
        return None

    async def on_text(self, turn: Turn) -> list[Reply] | None:
        return None


class HomeProvider(Protocol):
    """Optional for a feature: what it shows on a user's home/overview (Slack App Home, "overzicht")."""

    async def home(self, turn: Turn) -> list[Reply]:
        ...
