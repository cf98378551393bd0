"""The named operations step files refer to, and the context they get.

A step file says `save: add_member` or `show: contract_ranking`; the Python behind those names
is registered here by the ops modules. The engine only calls them by name, so no step is coded
in Python and a new step is a data change plus, at most, one small named function.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.i18n import t
from bot.markdown import Md
from bot.messages import Attachment, Choice
from dialogs.journey import Journey
from dialogs.plan import Names, Plan

if TYPE_CHECKING:
    from bot.feature import Turn
    from bot.repository import Repository
    from dialogs.plan import Node


@dataclass
class Ctx:
    """What an operation may use: the turn, the organisation's journey and today's date there."""

    turn: Turn
    journey: Journey
    today: date
    tz: ZoneInfo
    plan: Plan

    def label(self, section: str, node_id: str, field_name: str, value: Any) -> str:
        """The label a fixed option of a step's form has in the user's language (the value if unknown)."""
        node = self.plan.node(section, node_id)
        specs = node.form.fields if node is not None and node.form is not None else ()
        for spec in specs:
            if spec.name == field_name:
                for option in spec.options:
                    if option.value == value:
                        return option.label[self.lang]
        return str(value)

    def phrase(self, section: str, node_id: str, field_name: str, value: Any) -> str:
        """An option's label for use inside a sentence ("Elk kwartaal" → "elk kwartaal")."""
        text = self.label(section, node_id, field_name, value)
        return text[:1].lower() + text[1:]

    @property
    def repo(self) -> Repository:
        return self.turn.repo

    @property
    def lang(self) -> str:
        return self.turn.lang

    def t(self, key: str, **params: Any) -> Md:
        return t(f"flow.{key}", self.lang, **params)


@dataclass
class Outcome:
    """What an operation gives back. With `errors` nothing was stored and the form comes back."""

    errors: list[Md] = field(default_factory=list)
    text: Md | None = None
    attachments: list[Attachment] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    answer: Any = None
    """What to keep in the section's answers (default: the cleaned form values or the choice)."""


SaveOp = Callable[[Ctx, "Node", dict[str, Any]], Awaitable[Outcome]]
ViewOp = Callable[[Ctx, "Node"], Awaitable[Outcome]]
PrefillOp = Callable[[Ctx], Awaitable[dict[str, Any]]]
CheckOp = Callable[[Ctx], Awaitable[Md | None]]
SourceOp = Callable[[Ctx], Awaitable[list[Choice]]]


class Registry:
    def __init__(self) -> None:
        self.saves: dict[str, SaveOp] = {}
        self.views: dict[str, ViewOp] = {}
        self.prefills: dict[str, PrefillOp] = {}
        self.checks: dict[str, CheckOp] = {}
        self.sources: dict[str, SourceOp] = {}

    @staticmethod
    def _adder(table: dict[str, Any], name: str) -> Callable[[Any], Any]:
        def add(fn: Any) -> Any:
            if name in table:
                raise ValueError(f"operation {name!r} is registered twice")
            table[name] = fn
            return fn
        return add

    def save(self, name: str) -> Callable[[SaveOp], SaveOp]:
        return self._adder(self.saves, name)

    def view(self, name: str) -> Callable[[ViewOp], ViewOp]:
        return self._adder(self.views, name)

    def prefill(self, name: str) -> Callable[[PrefillOp], PrefillOp]:
        return self._adder(self.prefills, name)

    def check(self, name: str) -> Callable[[CheckOp], CheckOp]:
        return self._adder(self.checks, name)

    def source(self, name: str) -> Callable[[SourceOp], SourceOp]:
        return self._adder(self.sources, name)

    def names(self) -> Names:
        return Names(saves=frozenset(self.saves), views=frozenset(self.views), prefills=frozenset(self.prefills),
                     checks=frozenset(self.checks), sources=frozenset(self.sources))


REGISTRY = Registry()
