"""The Slack app manifest, filled in for this server: `python app.py slack-manifest --url https://host`."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

TEMPLATE = Path(__file__).with_name("manifest.yaml")
EVENTS_PATH = "/slack/events"
URL_KEYS = ("url", "request_url")


class ManifestError(ValueError):
    """The URL cannot be a Slack Request URL; the message says why."""


def events_url(base: str) -> str:
    parts = urlsplit(base.strip())
    if parts.scheme != "https" or not parts.hostname:
        raise ManifestError(f"Slack needs a public https:// address, not {base!r} (or use --socket-mode)")
    if parts.query or parts.fragment:
        raise ManifestError("give the server's address without ?query or #fragment")
    return f"https://{parts.netloc}{parts.path.rstrip('/')}{EVENTS_PATH}"


def _fill(node: Any, url: str | None) -> Any:
    if isinstance(node, dict):
        return {k: _fill(v, url) for k, v in node.items() if not (url is None and k in URL_KEYS)}
    if isinstance(node, list):
        return [_fill(v, url) for v in node]
    if isinstance(node, str) and url is not None:
        return node.replace("{events_url}", url)
    return node


def render(base_url: str | None, *, socket_mode: bool = False) -> str:
    """The manifest as YAML: Request URLs under `base_url`, or none at all with Socket Mode."""
    if not socket_mode and not base_url:
        raise ManifestError("give --url https://your-host (the address Slack can reach) or --socket-mode")
    url = None if socket_mode else events_url(base_url or "")
    manifest = _fill(yaml.safe_load(TEMPLATE.read_text("utf-8")), url)
    manifest["settings"]["socket_mode_enabled"] = socket_mode
    return yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=120)
