"""Documents are files: typed text in them is escaped once, only where Markdown needs it (not as in chat)."""

from __future__ import annotations

from flow_walk import Walker
from test_walkthrough_validation import _at, _with_members


async def _raw(w: Walker, name: str) -> str:
    url = next(a["url"] for r in reversed(w.seen) for a in r["attachments"] if a["name"] == name)
    async with w.server.session.get(w.server.url + url) as resp:
        assert resp.status == 200
        return await resp.text()


async def test_the_action_plan_shows_typed_text_readably_and_the_chat_stays_escaped(server):
    w = Walker(server)
    await _at(w, "1a", "decision")
    await w.fill({"status": "planned", "date": "2027-01-15", "body": "Directie (MT)"}, "1a", "1b")
    await _with_members(w)
    await _at(w, "1d", "actions")
    saved = await w.fill({"title": "Principebesluit <b>voorbereiden</b> *nu* (MT)", "owner": w.member_value("Anna"),
                          "deadline": "2027-01-10"}, "1d")
    assert "Principebesluit \\<b\\>voorbereiden\\</b\\> \\*nu\\* \\(MT\\)" in saved[0]["text"]  # chat: escaped
    await w.nav("next", "1d")
    await w.nav("next", "1d")
    doc = await _raw(w, "actieplan.md")
    assert "- Principebesluit \\<b>voorbereiden\\</b> \\*nu\\* (MT) — Anna de Vries, uiterlijk 10-01-2027" in doc
    assert "Gepland op 15-01-2027 — Directie (MT)" in doc
    assert "\\\\" not in doc and "\\(" not in doc
