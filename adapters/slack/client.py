"""The Slack Web API client the adapter uses, and what a failed call means for delivery.

Rate limits (429 + Retry-After), Slack's 500/503 and dropped connections are retried inside
slack_sdk by its retry handlers; what still fails becomes a `DeliveryError` for the scheduler.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Config
from bot.notify import DeliveryError

DEFAULT_BASE_URL = "https://slack.com/api/"
# the conversation is gone for good, or the bot may no longer post there
GONE = frozenset({"channel_not_found", "not_in_channel", "is_archived", "account_inactive", "user_not_found",
                  "user_disabled", "cannot_dm_bot", "is_inactive"})
TRANSIENT = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout",
                       "team_added_to_org"})


def base_url(config: Config) -> str:
    url = config.slack_api_base_url or DEFAULT_BASE_URL
    return url if url.endswith("/") else url + "/"


def retry_handlers() -> list:
    return [AsyncRateLimitErrorRetryHandler(max_retry_count=3), AsyncServerErrorRetryHandler(max_retry_count=2),
            AsyncConnectionErrorRetryHandler(max_retry_count=2)]


def web_client(config: Config) -> AsyncWebClient:
    return AsyncWebClient(token=config.slack_bot_token, base_url=base_url(config), timeout=20,
                          retry_handlers=retry_handlers())


@dataclass(frozen=True, slots=True)
class Failure:
    """What a failed Slack call means: the error for the scheduler, and whether the conversation is gone."""

    error: DeliveryError
    code: str
    gone: bool


def _retry_after(exc: SlackApiError) -> float | None:
    headers = getattr(exc.response, "headers", None) or {}
    for name, value in headers.items():
        if name.lower() == "retry-after":
            value = value[0] if isinstance(value, list) else value
            try:
                return max(0.0, float(value))
            except (TypeError, ValueError):
                return None
    return None


def failure(exc: BaseException) -> Failure:
    """Classify an exception from a Slack call (SlackApiError, a timeout, a connection error)."""
    if isinstance(exc, SlackApiError):
        status = getattr(exc.response, "status_code", 200)
        code = str(exc.response.get("error") or f"http_{status}") if exc.response is not None else "unknown"
        if status == 429 or code == "ratelimited":
            return Failure(DeliveryError(f"slack: rate limited ({code})", transient=True,
                                         retry_after=_retry_after(exc)), code, False)
        if status >= 500 or code in TRANSIENT:
            return Failure(DeliveryError(f"slack: {code}", transient=True), code, False)
        return Failure(DeliveryError(f"slack: {code}", transient=False), code, code in GONE)
    if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | TimeoutError | SlackClientError | OSError):
        return Failure(DeliveryError(f"slack: {type(exc).__name__}: {exc}", transient=True), "connection", False)
    raise exc
