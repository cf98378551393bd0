"""`python app.py ask [--json] [--lang nl|en] [--org O] "question"`: one answer from the command line.

`--json` prints `{"id", "section", "title", "answer", "confidence", "language", "alternatives":
[{"id", "section", "title", "confidence"}]}` (DESIGN.md), with `id` null when there is no answer.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from bot.config import Config
from bot.language import detect
from bot.markdown import to_plain
from bot.repository import StoreRegistry
from knowledge.base import KnowledgeBase, OrgKnowledge, Outcome, default_base
from knowledge.records import OrgEntry
from knowledge.render import outcome_reply


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    lang = outcome.lang
    entry = outcome.entry
    return {
        "id": entry.id if entry else None,
        "section": entry.section if entry else None,
        "title": entry.text("title", lang) if entry else None,
        "answer": entry.text("answer", lang) if entry else None,
        "confidence": round(outcome.confidence, 3),
        "language": lang,
        "alternatives": [{"id": s.entry.id, "section": s.entry.section, "title": s.entry.text("title", lang),
                          "confidence": round(s.confidence, 3)} for s in outcome.alternatives],
    }


async def _org_knowledge(config: Config, org_id: str) -> OrgKnowledge | None:
    repo = StoreRegistry(config.data_dir).repo(org_id)
    records = await repo.list(OrgEntry)
    return OrgKnowledge.build(records) if records else None


def run(config: Config, question: str, *, lang: str | None = None, org: str | None = None,
        as_json: bool = False, kb: KnowledgeBase | None = None) -> tuple[int, str]:
    """The exit code and what to print."""
    question = question.strip()
    if not question:
        return 2, "Give a question, for example: python app.py ask \"Wat is een voorbehouden opdracht?\""
    own = None
    if org is not None:
        try:
            own = asyncio.run(_org_knowledge(config, StoreRegistry.check_org_id(org)))
        except ValueError as exc:
            return 2, f"--org: {exc}"
    kb = kb or default_base()
    outcome = kb.ask(question, lang or detect(question) or config.language, own)
    if as_json:
        return 0, json.dumps(outcome_json(outcome), ensure_ascii=False)
    reply = outcome_reply(outcome, kb, own)
    lines = [to_plain(reply.text)]
    lines += [f"  - {c.label}" for c in reply.choices if c.value.startswith("kb:answer:")]
    return 0, "\n".join(lines)
