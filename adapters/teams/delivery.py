"""What a failed call to the Bot Connector means: retry (429, 412, 5xx, timeouts; honouring Retry-After),
give up, or give up and stop using the conversation (403/404: the bot was removed, the conversation is gone).

Neither the Agents SDK nor Teams retries a throttled send; this module turns the connector's answer
into the core's `DeliveryError`, and `bot.retry.with_retries` does the bounded retrying.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime

import aiohttp

from bot.notify import DeliveryError

TRANSIENT_STATUSES = frozenset({412, 429, 500, 502, 503, 504})
GONE_STATUSES = frozenset({403, 404})
MAX_RETRY_AFTER = 300.0


class ConversationGone(DeliveryError):
    """The bot can no longer post in this conversation; retrying will not help."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message, transient=False)
        self.status = status


def retry_after(headers: Mapping[str, str] | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), or None."""
    value = (headers or {}).get("Retry-After")
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        seconds = (when - now).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def classify(exc: BaseException, now: datetime) -> DeliveryError:
    """The DeliveryError for what happened while sending one activity."""
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, aiohttp.ClientResponseError):
        status = exc.status
        if status in GONE_STATUSES:
            return ConversationGone(f"Bot Connector answered {status}", status)
        if status in TRANSIENT_STATUSES:
            return DeliveryError(f"Bot Connector answered {status}", transient=True,
                                 retry_after=retry_after(exc.headers, now))
        return DeliveryError(f"Bot Connector answered {status}", transient=False)
    if isinstance(exc, asyncio.TimeoutError | aiohttp.ClientError | OSError):
        return DeliveryError(f"Bot Connector unreachable: {type(exc).__name__}", transient=True)
    return DeliveryError(f"sending failed: {type(exc).__name__}", transient=False)
