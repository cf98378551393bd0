"""Attachments the bot serves by link: stored under DATA_DIR/files behind an unguessable, expiring token."""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from bot.atomicfile import atomic_write
from bot.messages import Attachment

DEFAULT_TTL = 7 * 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass(frozen=True, slots=True)
class StoredFile:
    token: str
    name: str
    media_type: str
    path: Path


def safe_filename(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._ -]", "_", name).strip(" .") or "bestand"
    return cleaned[:120]


class FileStore:
    def __init__(self, data_dir: Path, ttl_seconds: int = DEFAULT_TTL) -> None:
        self.root = Path(data_dir) / "files"
        self.root.mkdir(parents=True, exist_ok=True)
        self.ttl = ttl_seconds

    def put(self, attachment: Attachment) -> StoredFile:
        token = secrets.token_urlsafe(24)
        path = self.root / token
        atomic_write(path, attachment.read())
        meta = {"name": safe_filename(attachment.name), "media_type": attachment.media_type,
                "expires": time.time() + self.ttl}
        atomic_write(self.root / f"{token}.json", json.dumps(meta).encode())
        return StoredFile(token, meta["name"], attachment.media_type, path)

    def get(self, token: str) -> StoredFile | None:
        if not _TOKEN.match(token or ""):
            return None
        meta_path = self.root / f"{token}.json"
        try:
            meta = json.loads(meta_path.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if meta.get("expires", 0) < time.time():
            self._remove(token)
            return None
        return StoredFile(token, meta["name"], meta["media_type"], self.root / token)

    def purge_expired(self) -> int:
        removed = 0
        now = time.time()
        for meta_path in self.root.glob("*.json"):
            try:
                if json.loads(meta_path.read_text("utf-8")).get("expires", 0) < now:
                    self._remove(meta_path.stem)
                    removed += 1
            except (OSError, ValueError):
                continue
        return removed

    def _remove(self, token: str) -> None:
        (self.root / token).unlink(missing_ok=True)
        (self.root / f"{token}.json").unlink(missing_ok=True)
