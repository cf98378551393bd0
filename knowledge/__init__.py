"""The knowledge base: sourced answers from the handbook, the roles matrix and the hand-off to people."""

from pathlib import Path

from bot.i18n import register_texts

register_texts(Path(__file__).with_name("texts.yaml"))
