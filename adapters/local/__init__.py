"""The local channel: the web chat page, its JSON API, and the terminal chat."""

from pathlib import Path

from bot.i18n import register_texts

register_texts(Path(__file__).with_name("texts.yaml"))
