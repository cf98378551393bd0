"""The small Markdown subset replies use: **bold**, _italic_ (or *italic*), `- ` lists, [links](https://…).

Text a user typed is inserted with `escape()` (or as a `t()` parameter, which escapes it), so it can
never turn into formatting or a link. `parse_inline()` gives adapters the spans to render in
their own format; they escape what the channel needs on top of that.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_SPECIAL = re.compile(r"([\\*_\[\]()`#<>|~])")
_INLINE = re.compile(
    r"\\(?P<esc>[\\*_\[\]()`#<>|~.+-])"
    r"|\*\*(?P<bold>(?:\\.|[^*\\])+?)\*\*"
    r"|(?<![\w\\])_(?P<ital>(?:\\.|[^_\\])+?)_(?!\w)"
    r"|(?<![\w\\*])\*(?P<ital2>[^*\s](?:\\.|[^*\\])*?)\*(?!\*)"
    r"|\[(?P<ltext>(?:\\.|[^\]\\])+)\]\((?P<url>(?:https?://|mailto:)[^)\s]+)\)"
)


class Md(str):
    """A string that is already Markdown of ours (trusted), so `t()` does not escape it."""


def escape(text: str) -> Md:
    """Make user text literal in our Markdown subset."""
    text = text.replace("\r\n", "\n")
    out = _SPECIAL.sub(r"\\\1", text)
    # a line that starts with "- " or "1. " would become a list item
    out = re.sub(r"(?m)^(\s*)([-+])(\s)", r"\1\\\2\3", out)
    out = re.sub(r"(?m)^(\s*\d+)\.(\s)", r"\1\\.\2", out)
    return Md(out)


_DOC_SPECIAL = re.compile(r"([\\`*_\[\]]|~~|<(?=[A-Za-z/!?]))")


def escape_document(text: str) -> str:
    """User text inside a Markdown *file* (a document, not a chat message): escape only what would
    format, link or become HTML there, so the file stays readable ("(CleanCo)" stays as it is)."""
    out = _DOC_SPECIAL.sub(lambda m: "\\" + m.group(), text.replace("\r\n", "\n"))
    # a line that starts like a heading, quote, list item or rule would change the document's structure
    out = re.sub(r"(?m)^(\s*)([#>=+-])", r"\1\\\2", out)
    return re.sub(r"(?m)^(\s*\d+)\.(\s)", r"\1\\.\2", out)


@dataclass(frozen=True, slots=True)
class Span:
    kind: str  # "text" | "bold" | "italic" | "link"
    text: str
    url: str | None = None


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def parse_inline(line: str) -> list[Span]:
    """Split one line into plain, bold, italic and link spans (escapes resolved)."""
    spans: list[Span] = []
    pos = 0
    buf = []
    for m in _INLINE.finditer(line):
        buf.append(line[pos:m.start()])
        pos = m.end()
        if m.group("esc") is not None:
            buf.append(m.group("esc"))
            continue
        if buf and "".join(buf):
            spans.append(Span("text", "".join(buf)))
        buf = []
        if m.group("bold") is not None:
            spans.append(Span("bold", _unescape(m.group("bold"))))
        elif m.group("ital") is not None or m.group("ital2") is not None:
            spans.append(Span("italic", _unescape(m.group("ital") or m.group("ital2"))))
        else:
            spans.append(Span("link", _unescape(m.group("ltext")), m.group("url")))
    buf.append(line[pos:])
    if "".join(buf):
        spans.append(Span("text", "".join(buf)))
    return spans


@dataclass(frozen=True, slots=True)
class InlineStyle:
    """How a channel writes our inline spans: `bold`/`italic` are format strings, `link(text, url)`
    builds a link from already escaped text; `escape` makes plain text literal in that channel."""

    escape: Callable[[str], str]
    bold: str
    italic: str
    link: Callable[[str, str], str]
    trim: bool = False
    """Trim spaces inside bold and italic (Slack only formats `*x*`, not `* x *`)."""


def render_inline(line: str, style: InlineStyle) -> str:
    """One line of our Markdown in a channel's own inline syntax."""
    out = []
    for span in parse_inline(line):
        text = style.escape(span.text)
        if span.kind in ("bold", "italic"):
            out.append((style.bold if span.kind == "bold" else style.italic).format(text.strip() if style.trim
                                                                                       else text))
        elif span.kind == "link":
            out.append(style.link(text, span.url or ""))
        else:
            out.append(text)
    return "".join(out)


def to_plain(text: str) -> str:
    """Markdown of ours as plain text (for the terminal and notification previews)."""
    lines = []
    for line in text.split("\n"):
        parts = []
        for s in parse_inline(line):
            parts.append(f"{s.text} ({s.url})" if s.kind == "link" and s.url != s.text else s.text)
        lines.append("".join(parts))
    return "\n".join(lines)
