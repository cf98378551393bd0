"""A small checker for the Adaptive Card 1.5 rules the Teams channel relies on.

Not the full schema: the element and action types we use, their required properties and value types,
no unknown properties (a typo is silently dropped by Teams), unique input ids, and the shape of our
own action data (`{"partnerbot": {"kind": "choice" | "form", ...}}`).
"""

from __future__ import annotations

import re
from typing import Any

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
SPACING = {"None", "Small", "Default", "Medium", "Large", "ExtraLarge", "Padding"}
SIZES = {"Default", "Small", "Medium", "Large", "ExtraLarge"}
WEIGHTS = {"Default", "Lighter", "Bolder"}
ELEMENT_COMMON = {"type", "id", "spacing", "separator", "isVisible", "height", "requires", "fallback"}
INPUT_COMMON = {"label", "isRequired", "errorMessage", "value"}
ELEMENTS: dict[str, tuple[set[str], set[str]]] = {
    "TextBlock": ({"text"}, {"wrap", "size", "weight", "isSubtle", "color", "maxLines", "horizontalAlignment",
                             "fontType", "style"}),
    "Image": ({"url"}, {"altText", "size", "style", "width", "horizontalAlignment", "selectAction"}),
    "ActionSet": ({"actions"}, set()),
    "FactSet": ({"facts"}, set()),
    "Input.Text": ({"id"}, INPUT_COMMON | {"placeholder", "maxLength", "isMultiline", "style", "regex"}),
    "Input.Number": ({"id"}, INPUT_COMMON | {"placeholder", "min", "max"}),
    "Input.Date": ({"id"}, INPUT_COMMON | {"placeholder", "min", "max"}),
    "Input.ChoiceSet": ({"id", "choices"}, INPUT_COMMON | {"isMultiSelect", "style", "placeholder", "wrap"}),
}
ACTION_COMMON = {"type", "title", "id", "style", "fallback", "iconUrl", "tooltip", "isEnabled", "mode"}
ACTIONS: dict[str, tuple[set[str], set[str]]] = {
    "Action.Submit": (set(), {"data", "associatedInputs"}),
    "Action.Execute": ({"verb"}, {"data", "associatedInputs"}),
    "Action.OpenUrl": ({"url"}, set()),
}
RESERVED_DATA_KEYS = {"partnerbot", "msteams"}
MAX_TOP_ACTIONS = 6


def _absolute(url: Any) -> bool:
    return isinstance(url, str) and re.match(r"^https?://[^\s/]+/\S*$", url) is not None


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.input_ids: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def props(self, where: str, node: dict[str, Any], required: set[str], allowed: set[str]) -> None:
        for name in required:
            if name not in node:
                self.fail(where, f"missing {name!r}")
        unknown = set(node) - required - allowed
        if unknown:
            self.fail(where, f"unknown properties {sorted(unknown)}")

    def element(self, where: str, node: Any) -> None:
        if not isinstance(node, dict) or node.get("type") not in ELEMENTS:
            self.fail(where, f"unknown element {node!r:.80}")
            return
        kind = node["type"]
        required, allowed = ELEMENTS[kind]
        self.props(f"{where}<{kind}>", node, required, allowed | ELEMENT_COMMON)
        if "spacing" in node and node["spacing"] not in SPACING:
            self.fail(where, f"spacing {node['spacing']!r}")
        for flag in ("wrap", "isSubtle", "separator", "isRequired", "isMultiline", "isMultiSelect"):
            if flag in node and not isinstance(node[flag], bool):
                self.fail(where, f"{flag} must be true or false")
        if kind == "TextBlock":
            if not isinstance(node.get("text"), str) or not node["text"]:
                self.fail(where, "TextBlock.text must be a non-empty string")
            if node.get("size", "Default") not in SIZES or node.get("weight", "Default") not in WEIGHTS:
                self.fail(where, "size/weight out of range")
        elif kind == "Image":
            if not _absolute(node.get("url")):
                self.fail(where, f"Image.url must be an absolute http(s) URL, not {node.get('url')!r}")
        elif kind == "ActionSet":
            self.actions(f"{where}.actions", node.get("actions"))
        elif kind == "FactSet":
            facts = node.get("facts")
            if not isinstance(facts, list) or not all(isinstance(f, dict) and isinstance(f.get("title"), str)
                                                      and isinstance(f.get("value"), str) for f in facts):
                self.fail(where, "facts must be {title, value} strings")
        else:
            self.input(where, node)

    def input(self, where: str, node: dict[str, Any]) -> None:
        kind = node["type"]
        ident = node.get("id")
        if not isinstance(ident, str) or not ident:
            self.fail(where, "an input needs an id")
            return
        if ident in self.input_ids:
            self.fail(where, f"duplicate input id {ident!r}")
        if ident in RESERVED_DATA_KEYS:
            self.fail(where, f"input id {ident!r} would overwrite the action data")
        self.input_ids.append(ident)
        if not isinstance(node.get("label"), str) or not node["label"].strip():
            self.fail(where, "every input has a visible label")
        if node.get("isRequired") and not node.get("errorMessage"):
            self.fail(where, "a required input says what is wrong (errorMessage)")
        value = node.get("value")
        if kind == "Input.Number" and value is not None and (isinstance(value, bool) or
                                                             not isinstance(value, int | float)):
            self.fail(where, "Input.Number.value must be a number")
        if kind in ("Input.Text", "Input.Date", "Input.ChoiceSet") and value is not None \
                and not isinstance(value, str):
            self.fail(where, f"{kind}.value must be a string")
        if kind == "Input.Date" and isinstance(value, str) and not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
            self.fail(where, "Input.Date.value must be YYYY-MM-DD")
        if kind == "Input.ChoiceSet":
            choices = node.get("choices")
            if not isinstance(choices, list) or not choices or not all(
                    isinstance(c, dict) and set(c) == {"title", "value"} and isinstance(c["title"], str)
                    and isinstance(c["value"], str) for c in choices):
                self.fail(where, "choices must be a non-empty list of {title, value} strings")
                return
            if isinstance(value, str) and value:
                allowed = {c["value"] for c in choices}
                picked = value.split(",") if node.get("isMultiSelect") else [value]
                if not set(picked) <= allowed:
                    self.fail(where, f"value {value!r} is not among the choices")
            if node.get("style", "compact") not in ("compact", "expanded", "filtered"):
                self.fail(where, "ChoiceSet.style")

    def data(self, where: str, data: Any) -> None:
        ours = data.get("partnerbot") if isinstance(data, dict) else None
        if not isinstance(ours, dict) or ours.get("kind") not in ("choice", "form"):
            self.fail(where, f"data must carry {{'partnerbot': {{'kind': ...}}}}, not {data!r:.120}")
            return
        if ours["kind"] == "choice" and not (isinstance(ours.get("value"), str) and ours["value"]):
            self.fail(where, "a choice carries its value")
        if ours["kind"] == "form" and not (isinstance(ours.get("form"), str) and ours["form"]
                                           and isinstance(ours.get("card"), str) and ours["card"]):
            self.fail(where, "a form submit carries the form id and a card id")

    def action(self, where: str, node: Any, *, fallback: bool = False) -> None:
        if not isinstance(node, dict) or node.get("type") not in ACTIONS:
            self.fail(where, f"unknown action {node!r:.80}")
            return
        kind = node["type"]
        required, allowed = ACTIONS[kind]
        self.props(f"{where}<{kind}>", node, required, allowed | ACTION_COMMON)
        if not isinstance(node.get("title"), str) or not node["title"].strip():
            self.fail(where, "an action needs a title")
        if kind in ("Action.Submit", "Action.Execute"):
            self.data(where, node.get("data"))
        if kind == "Action.Execute" and not (isinstance(node.get("verb"), str) and node["verb"]):
            self.fail(where, "Action.Execute needs a verb")
        if kind == "Action.OpenUrl" and not _absolute(node.get("url")):
            self.fail(where, f"Action.OpenUrl.url must be absolute, not {node.get('url')!r}")
        if node.get("style", "default") not in ("default", "positive", "destructive"):
            self.fail(where, "action style")
        if "fallback" in node:
            if fallback:
                self.fail(where, "a fallback action has no fallback of its own here")
            elif node["fallback"] != "drop":
                self.action(f"{where}.fallback", node["fallback"], fallback=True)

    def actions(self, where: str, nodes: Any) -> None:
        if not isinstance(nodes, list) or not nodes:
            self.fail(where, "actions must be a non-empty list")
            return
        if len(nodes) > MAX_TOP_ACTIONS:
            self.fail(where, f"{len(nodes)} actions in one set; Teams shows at most {MAX_TOP_ACTIONS}")
        for i, node in enumerate(nodes):
            self.action(f"{where}[{i}]", node)


def card_problems(card: Any) -> list[str]:
    checker = _Checker()
    if not isinstance(card, dict):
        return ["the card is not an object"]
    checker.props("card", card, {"type", "version", "body"}, {"$schema", "actions", "msteams", "fallbackText"})
    if card.get("type") != "AdaptiveCard":
        checker.fail("card", "type must be AdaptiveCard")
    if card.get("version") != "1.5":
        checker.fail("card", f"version must be 1.5, not {card.get('version')!r}")
    body = card.get("body")
    if not isinstance(body, list) or not body:
        checker.fail("card", "body must be a non-empty list")
    else:
        for i, element in enumerate(body):
            checker.element(f"body[{i}]", element)
    if "actions" in card:
        checker.actions("actions", card["actions"])
    return checker.problems


def assert_valid_card(card: Any) -> dict[str, Any]:
    problems = card_problems(card)
    assert not problems, "invalid Adaptive Card:\n" + "\n".join(problems)
    return card


def assert_valid_message(activity: dict[str, Any]) -> dict[str, Any]:
    """A message activity the bot sent: text and/or cards, each card valid, suggested actions well formed."""
    assert activity.get("type") == "message", activity
    attachments = activity.get("attachments") or []
    assert activity.get("text") or attachments, "a message needs text or a card"
    for attachment in attachments:
        if attachment.get("contentType") == CARD_TYPE:
            assert_valid_card(attachment.get("content"))
        else:
            assert _absolute(attachment.get("contentUrl")), attachment
    suggested = activity.get("suggestedActions")
    if suggested is not None:
        actions = suggested.get("actions")
        assert isinstance(actions, list) and 0 < len(actions) <= 3, suggested
        for action in actions:
            assert action.get("type") == "imBack" and isinstance(action.get("title"), str) \
                and isinstance(action.get("value"), str) and action["value"], action
    return activity
