"""Tell Dutch from English by function words: good enough to follow a user who writes English."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from bot.yamldata import load_yaml

_WORD = re.compile(r"[a-zà-ÿ']+")


@cache
def _words() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    data = load_yaml(Path(__file__).with_name("data").joinpath("language.yaml").read_text("utf-8"))
    return {lang: (frozenset(v["common"]) | frozenset(v["strong"]), frozenset(v["strong"]))
            for lang, v in data.items()}


def detect(text: str) -> str | None:
    """'en' or 'nl' when the message clearly is that language, else None (keep the current one)."""
    tokens = _WORD.findall(text.lower())
    if not tokens:
        return None
    words = _words()
    en_all, en_strong = words["en"]
    nl_all, nl_strong = words["nl"]
    en = sum(tok in en_all for tok in tokens)
    nl = sum(tok in nl_all for tok in tokens)
    if en >= 2 and en > 2 * nl:
        return "en"
    if nl >= 2 and nl > 2 * en:
        return "nl"
    if len(tokens) <= 3:
        if nl == 0 and any(tok in en_strong for tok in tokens):
            return "en"
        if en == 0 and any(tok in nl_strong for tok in tokens):
            return "nl"
    return None
