"""Texts in Dutch and English, kept in YAML data files (`key: {nl: …, en: …}`).

Each package registers its own texts file; `t()` looks a key up, fills in parameters and escapes
every string parameter for our Markdown subset unless it is marked `Md` (already trusted).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from bot.markdown import Md, escape
from bot.yamldata import load_yaml

LANGUAGES = ("nl", "en")
log = logging.getLogger(__name__)


_PLURAL = re.compile(r"\{(\w+)\|([^{}|]*)\|([^{}|]*)\}")
"""`{count|mens|mensen}` in a template: the first form when the parameter `count` is 1, else the second."""


def _plurals(template: str, params: dict[str, Any]) -> str:
    return _PLURAL.sub(lambda m: m.group(2) if params.get(m.group(1)) == 1 else m.group(3), template)


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Texts:
    def __init__(self) -> None:
        self._texts: dict[str, dict[str, str]] = {}
        self._files: set[Path] = set()

    def load(self, path: Path) -> None:
        path = path.resolve()
        if path in self._files:
            return
        data = load_yaml(path.read_text("utf-8")) or {}
        self._flatten("", data, path)
        self._files.add(path)

    def _flatten(self, prefix: str, node: Any, path: Path) -> None:
        if not isinstance(node, dict):
            raise ValueError(f"{path}: {prefix!r} must map to nl/en texts")
        if set(node) and set(node) <= set(LANGUAGES) and all(isinstance(v, str) for v in node.values()):
            missing = [lang for lang in LANGUAGES if not isinstance(node.get(lang), str)]
            if missing:
                raise ValueError(f"{path}: {prefix!r} lacks {', '.join(missing)}")
            if prefix in self._texts:
                raise ValueError(f"{path}: text key {prefix!r} is defined twice")
            self._texts[prefix] = {lang: node[lang] for lang in LANGUAGES}
            return
        for key, value in node.items():
            self._flatten(f"{prefix}.{key}" if prefix else str(key), value, path)

    def has(self, key: str) -> bool:
        return key in self._texts

    def get(self, key: str, lang: str, **params: Any) -> Md:
        entry = self._texts.get(key)
        if entry is None:
            log.error("missing text %r", key)
            return Md(key)
        template = entry.get(lang) or entry["nl"]
        if not params:
            return Md(template)
        safe = _Params({k: self._param(v) for k, v in params.items()})
        return Md(_plurals(template, params).format_map(safe))

    @staticmethod
    def _param(value: Any) -> Any:
        if isinstance(value, Md):
            return value
        if isinstance(value, str):
            return escape(value)
        return value

    def keys(self) -> list[str]:
        return sorted(self._texts)


TEXTS = Texts()
TEXTS.load(Path(__file__).with_name("texts.yaml"))


def t(key: str, lang: str, **params: Any) -> Md:
    return TEXTS.get(key, lang, **params)


def register_texts(path: Path) -> None:
    """Load a package's texts file (idempotent)."""
    TEXTS.load(path)
