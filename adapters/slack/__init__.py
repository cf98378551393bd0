"""The Slack channel: slack-bolt on the same aiohttp server (or Socket Mode), Block Kit, modals, App Home.

Only this package imports slack_bolt and slack_sdk.
"""

from pathlib import Path

from bot.i18n import register_texts

register_texts(Path(__file__).with_name("texts.yaml"))
