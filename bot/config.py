"""Settings from the environment (a `.env` file in the working directory is read at start)."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LANGUAGES = ("nl", "en")


class ConfigError(ValueError):
    """A setting has a value the bot cannot use; the message says which and why."""


@cache
def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 3978
    data_dir: Path = Path("data")
    timezone: str = "Europe/Amsterdam"
    language: str = "nl"
    local_chat_token: str | None = None
    microsoft_app_id: str | None = None
    microsoft_app_password: str | None = None
    microsoft_app_type: str | None = None
    microsoft_app_tenant_id: str | None = None
    microsoft_jwks_url: str | None = None
    """Where to fetch the keys that sign the Bot Service's tokens (default: the Agents SDK's endpoints)."""
    public_url: str | None = None
    """The server's address as users' clients reach it (for absolute file links in Teams and Slack)."""
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_base_url: str | None = None
    scheduler_interval: float = 60
    """Seconds between the scheduler's looks at what is due (0 turns it off in the server)."""
    scheduler_grace_hours: float = 48
    """What was missed (downtime) up to this long ago is still sent; older reminders go into the digest."""

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    @property
    def local_api_enabled(self) -> bool:
        """The local chat API is open on loopback, or anywhere when a token guards it."""
        return self.loopback or bool(self.local_chat_token)

    @property
    def teams_configured(self) -> bool:
        return bool(self.microsoft_app_id and self.microsoft_app_password)

    @property
    def slack_configured(self) -> bool:
        return bool(self.slack_bot_token and (self.slack_signing_secret or self.slack_app_token))

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, *, read_dotenv: bool = True) -> Config:
        if env is None:
            if read_dotenv:
                from dotenv import load_dotenv

                load_dotenv(override=False)
            env = dict(os.environ)

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        port_text = get("PORT") or "3978"
        try:
            port = int(port_text)
        except ValueError:
            raise ConfigError(f"PORT must be a number, not {port_text!r}") from None
        if not 0 <= port <= 65535:
            raise ConfigError(f"PORT must be between 0 and 65535, not {port}")
        tz = get("BOT_TIMEZONE") or "Europe/Amsterdam"
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"BOT_TIMEZONE {tz!r} is not a known time zone (e.g. Europe/Amsterdam)") from None
        lang = (get("BOT_LANGUAGE") or "nl").lower()
        if lang not in LANGUAGES:
            raise ConfigError(f"BOT_LANGUAGE must be one of {', '.join(LANGUAGES)}, not {lang!r}")
        interval = _non_negative_number(get("SCHEDULER_INTERVAL_SECONDS"), "SCHEDULER_INTERVAL_SECONDS", 60)
        grace = _non_negative_number(get("SCHEDULER_GRACE_HOURS"), "SCHEDULER_GRACE_HOURS", 48)
        public_url = get("PUBLIC_URL")
        if public_url is not None:
            if not public_url.lower().startswith(("http://", "https://")):
                raise ConfigError(f"PUBLIC_URL must start with https:// (or http://), not {public_url!r}")
            public_url = public_url.rstrip("/")
        return cls(
            host=get("HOST") or "127.0.0.1",
            port=port,
            data_dir=Path(get("DATA_DIR") or "data"),
            timezone=tz,
            language=lang,
            local_chat_token=get("LOCAL_CHAT_TOKEN"),
            microsoft_app_id=get("MICROSOFT_APP_ID"),
            microsoft_app_password=get("MICROSOFT_APP_PASSWORD"),
            microsoft_app_type=get("MICROSOFT_APP_TYPE"),
            microsoft_app_tenant_id=get("MICROSOFT_APP_TENANT_ID"),
            microsoft_jwks_url=get("MICROSOFT_JWKS_URL"),
            public_url=public_url,
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            slack_api_base_url=get("SLACK_API_BASE_URL"),
            scheduler_interval=interval,
            scheduler_grace_hours=grace,
        )


def _non_negative_number(text: str | None, name: str, default: float) -> float:
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise ConfigError(f"{name} must be zero or more, not {text!r}")
    return value
