"""The step plan as data: the YAML step files under dialogs/steps, read into small frozen objects.

One file per step (1, route, 2A, 2B, 3, 4, 5). A step has sub-steps (sections); a sub-step has
nodes, each one short message: a text with optional tips, and optionally a question (answer
buttons or a form) whose answer a named operation stores. Loading checks everything the engine
relies on (known section codes, unique ids, both languages, known operation names), so a broken
file fails at start-up instead of in a conversation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bot.i18n import LANGUAGES
from bot.messages import FIELD_TYPES
from bot.sections import STEP_ORDER, is_code, step_of
from bot.yamldata import load_yaml

STEPS_DIR = Path(__file__).with_name("steps")
FORMS_FILE = Path(__file__).with_name("forms.yaml")
STEP_FILES = ("1", "route", "2A", "2B", "3", "4", "5")
ROUTES = ("2A", "2B", "both")
FREE_TEXT = ("text", "textarea")
# Sub-steps that follow the route choice, per route. With "both", 2B comes first (faster results)
# and 2A stays open as a side track the working group can start at any time.
ROUTE_STEPS = {"2A": ("2A",), "2B": ("2B",), "both": ("2B",), None: ("2B",)}


class PlanError(ValueError):
    """A step file is not what the engine needs; the message names the file and the place."""


Text = dict[str, str]


@dataclass(frozen=True)
class Option:
    value: str
    label: Text
    words: tuple[str, ...] = ()
    reply: Text | None = None
    offer: tuple[str, ...] = ()
    """Sections offered as buttons after this answer (e.g. 2A when a supplier is not ready yet)."""
    advance: bool = True
    """Move on to the next node after this answer (False: stay, show the reply and the offers)."""


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    label: Text
    required: bool = False
    options: tuple[Option, ...] = ()
    source: str | None = None
    """A named source of options (members, contracts, …) instead of a fixed list."""
    hint: Text | None = None
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    after: str | None = None
    before: str | None = None
    messages: tuple[tuple[str, str], ...] = ()
    """The checks bot.forms.read_form makes (see bot.messages.FormField): `min`, `max`, `integer`, `after`,
    `before` and `messages` (validation key → own text key) in the step file; a member field says
    'not in the working group' for someone unknown."""
    guard: bool = False
    """Refuse personal data (BSN, e-mail, phone, date of birth) in this free-text field (bot.privacy).

    On for every text and textarea field unless the step file says `personal_data: allowed`
    (e.g. a supplier's business contact)."""
    no_names: bool = False
    """The guard also refuses a person's name (`no_names: true` in the step file): for answers about people from
    the target group, such as the evaluation (4b). Not for fields where a colleague's name is expected."""


@dataclass(frozen=True)
class FormSpec:
    title: Text
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True)
class Node:
    id: str
    section: str
    text: Text
    tips: tuple[Text, ...] = ()
    form: FormSpec | None = None
    options: tuple[Option, ...] = ()
    save: str | None = None
    """Operation that stores a submitted form or picked answer in the records."""
    show: str | None = None
    """View that adds computed text or documents to the message (a ranking, a document)."""
    prefill: str | None = None
    repeat: bool = False
    """The form can be sent several times (one member, action or contract at a time)."""
    check: str | None = None
    """Must hold before moving on (the user is asked again, or can skip explicitly)."""
    warn: str | None = None
    """Shown (not blocking) when moving on while it does not hold."""
    empty: Text | None = None
    empty_goto: str | None = None


@dataclass(frozen=True)
class SubStep:
    section: str
    step: str
    nodes: tuple[Node, ...]
    index: int
    count: int


@dataclass(frozen=True)
class Step:
    code: str
    goal: Text
    substeps: tuple[SubStep, ...]


class Plan:
    def __init__(self, steps: Iterable[Step]) -> None:
        self.steps = {s.code: s for s in steps}
        self.substeps = {sub.section: sub for s in self.steps.values() for sub in s.substeps}
        missing = [code for code in STEP_ORDER if code not in self.substeps]
        if missing:
            raise PlanError(f"no step file defines {', '.join(missing)}")

    def node(self, section: str, node_id: str) -> Node | None:
        sub = self.substeps.get(section)
        if sub is None:
            return None
        return next((n for n in sub.nodes if n.id == node_id), None)

    def first(self, code: str) -> Node | None:
        """The first node of a step ("2B") or sub-step ("4a"); None for an unknown code."""
        if code in self.substeps:
            return self.substeps[code].nodes[0]
        if code in self.steps:
            return self.steps[code].substeps[0].nodes[0]
        return None

    def sequence(self, route: str | None) -> list[str]:
        """The sub-steps a walk visits in order for this route choice."""
        order: list[str] = []
        for code in ("1", "route", *ROUTE_STEPS.get(route, ("2B",)), "3", "4", "5"):
            order.extend(sub.section for sub in self.steps[code].substeps)
        return order

    def following(self, node: Node) -> Node | None:
        sub = self.substeps[node.section]
        i = sub.nodes.index(node)
        return sub.nodes[i + 1] if i + 1 < len(sub.nodes) else None

    def preceding(self, node: Node) -> Node | None:
        sub = self.substeps[node.section]
        i = sub.nodes.index(node)
        return sub.nodes[i - 1] if i > 0 else None

    def next_section(self, section: str, route: str | None, finished: Callable[[str], bool]) -> str | None:
        """Where a walk goes after `section`; None when the plan is complete.

        Inside the route's sequence it is simply the next sub-step. From a side track (2A when
        the route is 2B or both) it is the next sub-step of that step, and after its last one the
        first sub-step of the main walk that is not finished yet.
        """
        seq = self.sequence(route)
        if section in seq:
            i = seq.index(section)
            return seq[i + 1] if i + 1 < len(seq) else None
        sub = self.substeps[section]
        step = self.steps[sub.step]
        if sub.index < sub.count:
            return step.substeps[sub.index].section
        after_route = seq[seq.index("route") + 1:]
        return next((code for code in after_route if not finished(code)), None)

    def previous_section(self, section: str, route: str | None) -> str | None:
        seq = self.sequence(route)
        if section in seq:
            i = seq.index(section)
            return seq[i - 1] if i > 0 else None
        sub = self.substeps[section]
        if sub.index > 1:
            return self.steps[sub.step].substeps[sub.index - 2].section
        return "route"


# -- loading -------------------------------------------------------------------------------------

def _text(raw: Any, where: str) -> Text:
    if not isinstance(raw, dict) or any(not isinstance(raw.get(lang), str) or not raw[lang].strip()
                                        for lang in LANGUAGES):
        raise PlanError(f"{where}: needs a text in {' and '.join(LANGUAGES)}")
    return {lang: raw[lang].strip() for lang in LANGUAGES}


def _opt_text(raw: Any, where: str) -> Text | None:
    return None if raw is None else _text(raw, where)


def _option(raw: Any, where: str) -> Option:
    if not isinstance(raw, dict) or not raw.get("value"):
        raise PlanError(f"{where}: an option needs a value")
    value = str(raw["value"])
    offer = tuple(str(s) for s in raw.get("offer", ()))
    for code in offer:
        if not is_code(code):
            raise PlanError(f"{where}: offers unknown section {code!r}")
    return Option(value=value, label=_text(raw.get("label"), f"{where} {value}"),
                  words=tuple(str(w) for w in raw.get("words", ())),
                  reply=_opt_text(raw.get("reply"), f"{where} {value} reply"), offer=offer,
                  advance=bool(raw.get("advance", True)))


def _field(raw: Any, where: str, sources: set[str]) -> FieldSpec:
    if not isinstance(raw, dict) or not raw.get("name"):
        raise PlanError(f"{where}: a field needs a name")
    name = str(raw["name"])
    kind = raw.get("type", "text")
    if kind not in FIELD_TYPES:
        raise PlanError(f"{where} {name}: unknown field type {kind!r}")
    options = tuple(_option(o, f"{where} {name}") for o in raw.get("options", ()))
    source = raw.get("source")
    if source is not None and source not in sources:
        raise PlanError(f"{where} {name}: unknown option source {source!r}")
    if kind in ("choice", "multichoice") and not options and source is None:
        raise PlanError(f"{where} {name}: a choice field needs options or a source")
    personal = raw.get("personal_data", "refused")
    if personal not in ("refused", "allowed"):
        raise PlanError(f"{where} {name}: personal_data is 'refused' or 'allowed', not {personal!r}")
    no_names = raw.get("no_names", False)
    if not isinstance(no_names, bool) or (no_names and (kind not in FREE_TEXT or personal != "refused")):
        raise PlanError(f"{where} {name}: no_names is true or false, only for a text field refusing personal data")
    messages = raw.get("messages") or {}
    if not isinstance(messages, dict):
        raise PlanError(f"{where} {name}: messages maps a validation key to a text key")
    if source == "members":
        messages = {"unknown_option": "validation.member_unknown", **messages}
    return FieldSpec(name=name, type=kind, label=_text(raw.get("label"), f"{where} {name}"),
                     required=bool(raw.get("required", False)), options=options, source=source,
                     hint=_opt_text(raw.get("hint"), f"{where} {name} hint"),
                     minimum=_opt_number(raw, "min", where), maximum=_opt_number(raw, "max", where),
                     integer=bool(raw.get("integer", False)), after=raw.get("after"), before=raw.get("before"),
                     messages=tuple((str(k), str(v)) for k, v in messages.items()),
                     guard=kind in FREE_TEXT and personal == "refused", no_names=no_names)


def _opt_number(raw: dict[str, Any], key: str, where: str) -> float | None:
    value = raw.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise PlanError(f"{where} {raw.get('name')}: {key} must be a number")
    return value


def _form(raw: Any, where: str, shared: dict[str, Any], sources: set[str]) -> FormSpec:
    if isinstance(raw, str):
        if raw not in shared:
            raise PlanError(f"{where}: unknown shared form {raw!r}")
        raw = shared[raw]
    if not isinstance(raw, dict) or not raw.get("fields"):
        raise PlanError(f"{where}: a form needs fields")
    fields = tuple(_field(f, where, sources) for f in raw["fields"])
    names = [f.name for f in fields]
    if len(set(names)) != len(names):
        raise PlanError(f"{where}: field names must be unique")
    dates = {f.name for f in fields if f.type == "date"}
    for f in fields:
        if any(other and (f.type != "date" or other not in dates) for other in (f.after, f.before)):
            raise PlanError(f"{where} {f.name}: after/before name another date field of the same form")
    return FormSpec(title=_text(raw.get("title"), f"{where} title"), fields=fields)


def _may_be_emptied(form: FormSpec) -> bool:
    """True when every field draws its options from the organisation's records: with those lists empty the form
    has nothing left to ask (Engine.build_form then shows the node's `empty` text instead)."""
    return all(f.source is not None for f in form.fields)


def _node(raw: Any, section: str, where: str, shared: dict[str, Any], names: Names) -> Node:
    if not isinstance(raw, dict) or not raw.get("id"):
        raise PlanError(f"{where}: a node needs an id")
    node_id = str(raw["id"])
    where = f"{where} {node_id}"
    if ":" in node_id:
        raise PlanError(f"{where}: ids may not contain ':'")
    for key, known in (("save", names.saves), ("show", names.views), ("prefill", names.prefills),
                       ("check", names.checks), ("warn", names.checks)):
        if raw.get(key) is not None and raw[key] not in known:
            raise PlanError(f"{where}: unknown {key} operation {raw[key]!r}")
    form = _form(raw["form"], where, shared, names.sources) if raw.get("form") is not None else None
    options = tuple(_option(o, where) for o in raw.get("options", ()))
    if form is not None and options:
        raise PlanError(f"{where}: a node asks with a form or with options, not both")
    if form is not None and raw.get("empty") is None and _may_be_emptied(form):
        raise PlanError(f"{where}: every field of its form has a source; say in `empty` what to do without options")
    empty_goto = raw.get("empty_goto")
    if empty_goto is not None and not is_code(str(empty_goto)):
        raise PlanError(f"{where}: empty_goto {empty_goto!r} is not a section code")
    return Node(id=node_id, section=section, text=_text(raw.get("text"), where),
                tips=tuple(_text(t, f"{where} tip") for t in raw.get("tips", ())), form=form, options=options,
                save=raw.get("save"), show=raw.get("show"), prefill=raw.get("prefill"),
                repeat=bool(raw.get("repeat", False)), check=raw.get("check"), warn=raw.get("warn"),
                empty=_opt_text(raw.get("empty"), f"{where} empty"),
                empty_goto=str(empty_goto) if empty_goto is not None else None)


@dataclass(frozen=True)
class Names:
    """The operation names the engine knows, so the loader can refuse a typo."""

    saves: frozenset[str]
    views: frozenset[str]
    prefills: frozenset[str]
    checks: frozenset[str]
    sources: frozenset[str]


def load_step(path: Path, shared: dict[str, Any], names: Names) -> Step:
    raw = load_yaml(path.read_text("utf-8"))
    where = path.name
    if not isinstance(raw, dict) or str(raw.get("step")) != path.stem:
        raise PlanError(f"{where}: 'step' must be {path.stem!r}")
    code = path.stem
    subs_raw = raw.get("substeps") or []
    subs: list[SubStep] = []
    for i, sub in enumerate(subs_raw, 1):
        section = str(sub.get("section", ""))
        if not is_code(section) or step_of(section) != code:
            raise PlanError(f"{where}: {section!r} is not a sub-step of step {code}")
        nodes = tuple(_node(n, section, f"{where} {section}", shared, names) for n in sub.get("nodes") or [])
        if not nodes:
            raise PlanError(f"{where} {section}: needs at least one node")
        ids = [n.id for n in nodes]
        if len(set(ids)) != len(ids):
            raise PlanError(f"{where} {section}: node ids must be unique")
        subs.append(SubStep(section=section, step=code, nodes=nodes, index=i, count=len(subs_raw)))
    if not subs:
        raise PlanError(f"{where}: needs sub-steps")
    return Step(code=code, goal=_text(raw.get("goal"), f"{where} goal"), substeps=tuple(subs))


@cache
def _shared_forms() -> dict[str, Any]:
    return load_yaml(FORMS_FILE.read_text("utf-8")) or {}


def load_plan(names: Names, directory: Path = STEPS_DIR) -> Plan:
    shared = _shared_forms()
    return Plan(load_step(directory / f"{code}.yaml", shared, names) for code in STEP_FILES)
