"""The documents steps produce, as Markdown: action plan (1d), brainstorm format (Bijlage III),
agendas for the supplier talks (Tabel 2), a leidraad outline (2Ad) and a policy outline (5a).

Pure builders: plain values in, Markdown text out. Headings and fixed wording come from
dialogs/texts.yaml (keys `flow.doc.*`) in the requested language. A document is a file, not a
chat message: what people typed goes in as plain text (use `fill()`, not the chat-escaping `t()`,
for sentences with user values) and is escaped once, only where Markdown needs it
(`escape_document`), so it can never break the document's structure and stays readable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.i18n import t
from bot.markdown import Md, escape_document
from bot.messages import Attachment

Content = str | Sequence[str] | None


@dataclass
class Document:
    title: str
    intro: str = ""
    parts: list[tuple[str, Content]] = field(default_factory=list)
    """(heading, user content): a text, a list of lines (shown as bullets) or None (still to fill in)."""
    fixed: list[tuple[str, Sequence[str]]] = field(default_factory=list)
    """(heading, trusted lines): wording of ours, numbered (an agenda)."""


def fmt_date(value: date | str | None, lang: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value.strftime("%d-%m-%Y") if lang == "nl" else value.isoformat()


def render(doc: Document, lang: str) -> str:
    lines = [f"# {escape_document(doc.title)}", ""]
    if doc.intro:
        lines += [doc.intro, ""]
    for heading, content in doc.parts:
        lines += [f"## {heading}", ""]
        if content is None or content == "" or (not isinstance(content, str) and not list(content)):
            lines.append(f"_{t('flow.doc.empty', lang)}_")
        elif isinstance(content, str):
            lines.append(escape_document(content))
        else:
            lines += [f"- {escape_document(item)}" for item in content]
        lines.append("")
    for heading, items in doc.fixed:
        lines += [f"## {heading}", ""]
        lines += [f"{i}. {item}" for i, item in enumerate(items, 1)]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def attachment(doc: Document, filename: str, lang: str) -> Attachment:
    return Attachment(name=filename, media_type="text/markdown", data=render(doc, lang).encode("utf-8"))


def fill(key: str, lang: str, **params: object) -> str:
    """A text with user values as they were typed (for a document, which escapes them itself)."""
    return str(t(key, lang, **{k: Md(str(v)) for k, v in params.items()}))


def _h(key: str, lang: str) -> str:
    return str(t(f"flow.doc.{key}", lang))


@dataclass
class ActionPlanData:
    organisation: str
    decision: str | None
    goals: list[str]
    target_group: str | None
    members: list[str]
    actions: list[str]
    meetings: str | None
    partners: list[str]


def action_plan(data: ActionPlanData, lang: str, today: date) -> Document:
    return Document(
        title=_h("plan.title", lang) + (f" — {data.organisation}" if data.organisation else ""),
        intro=str(t("flow.doc.plan.intro", lang, date=fmt_date(today, lang))),
        parts=[(_h("plan.decision", lang), data.decision), (_h("plan.target", lang), data.target_group),
               (_h("plan.goals", lang), data.goals), (_h("plan.members", lang), data.members),
               (_h("plan.actions", lang), data.actions), (_h("plan.meetings", lang), data.meetings),
               (_h("plan.partners", lang), data.partners)])


BRAINSTORM_PARTS = ("who", "description", "options", "what", "kind", "results", "how", "work_type",
                    "labour", "in_view", "potential", "follow_up")


def brainstorm(title: str, answers: dict[str, Content], lang: str) -> Document:
    """Bijlage III, one heading per question of the format, in its order."""
    return Document(title=_h("brainstorm.title", lang) + f": {title}", intro=_h("brainstorm.intro", lang),
                    parts=[(_h(f"brainstorm.{key}", lang), answers.get(key)) for key in BRAINSTORM_PARTS])


def talk_agenda(number: int, contract: str, participants: dict[str, Content], when: str, lang: str) -> Document:
    """Tabel 2: who takes part and the agenda of the first (1) or second (2) talk with the supplier."""
    items = str(t(f"flow.doc.agenda.items{number}", lang)).split("\n")
    intro = str(t("flow.doc.agenda.intro", lang, when=when or str(t("flow.doc.agenda.no_date", lang))))
    return Document(title=fill(f"flow.doc.agenda.title{number}", lang, contract=contract), intro=intro,
                    parts=[(_h("agenda.theirs", lang), participants.get("theirs")),
                           (_h("agenda.ours", lang), participants.get("ours"))],
                    fixed=[(_h("agenda.agenda", lang), items)])


LEIDRAAD_PARTS = ("vision", "goal", "target_groups", "application", "realisation", "monitoring")
POLICY_PARTS = ("goal", "target_groups", "application", "realisation", "monitoring", "roles", "results")


def leidraad(answers: dict[str, Content], lang: str) -> Document:
    return Document(title=_h("leidraad.title", lang), intro=_h("leidraad.intro", lang),
                    parts=[(_h(f"leidraad.{key}", lang), answers.get(key)) for key in LEIDRAAD_PARTS])


def policy(answers: dict[str, Content], lang: str) -> Document:
    preconditions = str(t("flow.doc.policy.preconditions_items", lang)).split("\n")
    return Document(title=_h("policy.title", lang), intro=_h("policy.intro", lang),
                    parts=[(_h(f"policy.{key}", lang), answers.get(key)) for key in POLICY_PARTS],
                    fixed=[(_h("policy.preconditions", lang), preconditions)])
