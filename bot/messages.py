"""The neutral message model: what every channel turns its events into, and what the core answers.

Adapters translate channel events into an `Incoming` and render each `Reply` in the channel's
own format (Adaptive Card, Block Kit, HTML). Nothing here knows about a channel SDK.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

CHANNELS = ("teams", "slack", "local")
FIELD_TYPES = ("text", "number", "date", "choice", "multichoice", "textarea")
MAX_CHOICES = 8

Channel = Literal["teams", "slack", "local"]


@dataclass(frozen=True, slots=True)
class FormSubmission:
    id: str
    values: dict[str, Any]


@dataclass(slots=True)
class Incoming:
    """One user event. Exactly one of `text`, `choice` or `form` is set."""

    org_id: str
    user_id: str
    user_name: str
    conversation_id: str
    channel: str
    is_group: bool = False
    text: str | None = None
    choice: str | None = None
    form: FormSubmission | None = None

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}")
        given = sum(x is not None for x in (self.text, self.choice, self.form))
        if given != 1:
            raise ValueError("exactly one of text, choice or form must be given")

    @property
    def kind(self) -> str:
        if self.form is not None:
            return "form"
        return "choice" if self.choice is not None else "text"


@dataclass(frozen=True, slots=True)
class Choice:
    label: str
    value: str

    def to_dict(self) -> dict[str, str]:
        return {"label": self.label, "value": self.value}


@dataclass(slots=True)
class FormField:
    name: str
    label: str
    type: str = "text"
    required: bool = False
    options: list[Choice] = field(default_factory=list)
    value: Any = None
    """Prefilled value (a list for multichoice)."""
    hint: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    """Number fields: the accepted range, and whether only whole numbers are."""
    after: str | None = None
    before: str | None = None
    """Date fields: the name of another date field of the form this one may not come before (after)."""
    messages: dict[str, str] = field(default_factory=dict)
    """Own text keys for a refusal, by validation key (e.g. {"integer": "monitoring.check.whole_hours"}).

    The checks are the server's (bot.forms.read_form); they are not sent to the channel."""

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"unknown field type {self.type!r}")
        if self.type in ("choice", "multichoice") and not self.options:
            raise ValueError(f"field {self.name!r} needs options")

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "label": self.label, "type": self.type,
                             "required": self.required,
                             "options": [o.to_dict() for o in self.options]}
        if self.value is not None:
            d["value"] = self.value
        if self.hint:
            d["hint"] = self.hint
        return d


@dataclass(slots=True)
class Form:
    id: str
    title: str
    fields: list[FormField]
    submit_label: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "title": self.title,
                             "fields": [f.to_dict() for f in self.fields]}
        if self.submit_label:
            d["submit_label"] = self.submit_label
        return d


@dataclass(slots=True)
class Attachment:
    """A file that goes with a reply: a chart, a Markdown document, an .ics calendar."""

    name: str
    media_type: str
    data: bytes | None = None
    path: str | None = None

    def __post_init__(self) -> None:
        if (self.data is None) == (self.path is None):
            raise ValueError("an attachment has either data or a path")

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        with open(self.path, "rb") as fh:  # type: ignore[arg-type]
            return fh.read()

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


@dataclass(slots=True)
class Reply:
    """One message from the bot. `text` uses the small Markdown subset of `bot.markdown`."""

    text: str = ""
    section: str | None = None
    choices: list[Choice] = field(default_factory=list)
    form: Form | None = None
    attachments: list[Attachment] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.choices) > MAX_CHOICES:
            raise ValueError(f"at most {MAX_CHOICES} choices per reply, got {len(self.choices)}")

    def to_dict(self, attachment_url: Any = None) -> dict[str, Any]:
        """The JSON shape of the local API; `attachment_url(att) -> str` turns files into links."""
        atts = []
        for a in self.attachments:
            item: dict[str, Any] = {"name": a.name, "media_type": a.media_type}
            if attachment_url is not None:
                item["url"] = attachment_url(a)
            atts.append(item)
        return {
            "text": self.text,
            "section": self.section,
            "choices": [c.to_dict() for c in self.choices],
            "form": self.form.to_dict() if self.form else None,
            "attachments": atts,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Reply:
        """Inverse of `to_dict` for stored replies (attachments are kept as links elsewhere)."""
        form = None
        if d.get("form"):
            f = d["form"]
            form = Form(
                id=f["id"], title=f["title"], submit_label=f.get("submit_label"),
                fields=[FormField(name=x["name"], label=x["label"], type=x["type"],
                                  required=x.get("required", False),
                                  options=[Choice(**o) for o in x.get("options", [])],
                                  value=x.get("value"), hint=x.get("hint"))
                        for x in f["fields"]],
            )
        return cls(text=d.get("text", ""), section=d.get("section"),
                   choices=[Choice(**c) for c in d.get("choices", [])], form=form)
