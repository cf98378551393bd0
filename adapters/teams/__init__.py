"""The Microsoft Teams channel, on the Microsoft 365 Agents SDK (the only package that imports `microsoft_agents`).

`cards` renders neutral replies as Teams messages and Adaptive Cards, `inbound` reads Teams activities
into `Incoming`s, `auth` checks the Bot Service's tokens, `channel` runs turns and sends through the
SDK, `notifier` delivers the scheduler's messages, `api` mounts `POST /api/messages` and `package`
writes the app package for upload to Teams.
"""

from pathlib import Path

from bot.i18n import register_texts

register_texts(Path(__file__).with_name("texts.yaml"))
