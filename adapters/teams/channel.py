"""The Teams channel at run time: the Agents SDK's CloudAdapter, how it is authenticated, and sending.

Three modes, decided from the settings at start:
- authenticated: MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD (and the tenant, for a single-tenant bot)
  are set; every request must carry a valid Bot Service token, replies get an MSAL token;
- anonymous: nothing is set and the server listens on a loopback address (local testing with a fake
  or the Agents Playground); no tokens either way;
- off: anything else; `POST /api/messages` answers 503 and says why in the log.

Every send goes through `send()`, which retries throttling and server errors a bounded number of
times (Retry-After honoured) and raises `bot.notify.DeliveryError` when it gives up.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from microsoft_agents.activity import Activity, ConversationReference
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import AgentAuthConfiguration, ClaimsIdentity, Connections, TurnContext

from adapters.server import file_url
from adapters.teams.auth import TokenChecker
from adapters.teams.cards import Surface
from adapters.teams.delivery import classify
from bot.config import Config
from bot.messages import Attachment
from bot.notify import DeliveryError
from bot.records import ConversationState, Organisation
from bot.retry import Sleep, with_retries
from bot.services import Services

log = logging.getLogger("partnerbot.teams")

AUTHENTICATED, ANONYMOUS, OFF = "authenticated", "anonymous", "off"
SEND_TIMEOUT = 20.0
"""Seconds one call to the Bot Connector may take before it counts as failed (and may be retried)."""
REPLY_ATTEMPTS = 3
"""While a user waits for an answer (Teams gives a request about 15 s), retry less than for notifications."""
REPLY_RETRY_CAP = 3.0
REPLY_MAX_WAIT = 5.0

REQUEST_BASE: contextvars.ContextVar[str | None] = contextvars.ContextVar("teams_request_base", default=None)
"""The server's address as seen in the current request (for file links when PUBLIC_URL is not set)."""

K = TypeVar("K")
V = TypeVar("V")


class Bounded(Generic[K, V]):
    """A small LRU map for what the channel remembers between turns in memory."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def pop(self, key: K) -> V | None:
        return self._items.pop(key, None)

    def __contains__(self, key: object) -> bool:
        return key in self._items


class _TooLong(DeliveryError):
    """Throttled for longer than this send may wait: not retried here (the caller may, later)."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message, transient=False, retry_after=retry_after)


def decide_mode(config: Config) -> tuple[str, str]:
    """The mode and, for the log, why."""
    given = [config.microsoft_app_id, config.microsoft_app_password, config.microsoft_app_tenant_id]
    if config.microsoft_app_id and config.microsoft_app_password:
        if (config.microsoft_app_type or "SingleTenant").lower() != "multitenant" \
                and not config.microsoft_app_tenant_id:
            return OFF, ("MICROSOFT_APP_TENANT_ID is not set (needed for a SingleTenant bot; set "
                         "MICROSOFT_APP_TYPE=MultiTenant for an older multi-tenant registration)")
        return AUTHENTICATED, "Bot Service tokens are checked"
    if any(given):
        return OFF, "set both MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD (and MICROSOFT_APP_TENANT_ID)"
    if config.loopback:
        return ANONYMOUS, ("no MICROSOFT_APP_ID: local anonymous mode, requests are not authenticated "
                           "(allowed only because HOST is a loopback address)")
    return OFF, (f"HOST {config.host} is not a loopback address and MICROSOFT_APP_ID/MICROSOFT_APP_PASSWORD "
                 "are not set: refusing unauthenticated Teams traffic")


def auth_configuration(config: Config, mode: str) -> AgentAuthConfiguration:
    if mode != AUTHENTICATED:
        return AgentAuthConfiguration(anonymous_allowed=True, connection_name="SERVICE_CONNECTION")
    multi = (config.microsoft_app_type or "").lower() == "multitenant"
    return AgentAuthConfiguration(client_id=config.microsoft_app_id, client_secret=config.microsoft_app_password,
                                  tenant_id=config.microsoft_app_tenant_id or ("botframework.com" if multi else None),
                                  connection_name="SERVICE_CONNECTION", validate_issuer=True)


def dump(activity: Activity) -> dict[str, Any]:
    """An SDK activity as the JSON Teams sent (camelCase)."""
    return activity.model_dump(mode="json", by_alias=True, exclude_none=True)


class TeamsChannel:
    def __init__(self, services: Services, *, sleep: Sleep = asyncio.sleep, send_timeout: float = SEND_TIMEOUT,
                 connections: Connections | None = None) -> None:
        """`connections` replaces MSAL as the source of the bot's outgoing tokens (tests use a local fake)."""
        self.services = services
        config = services.config
        self.config = config
        self.mode, self.reason = decide_mode(config)
        self.sleep = sleep
        self.send_timeout = send_timeout
        auth = auth_configuration(config, self.mode)
        self.adapter = CloudAdapter(connection_manager=connections or MsalConnectionManager(
            connections_configurations={"SERVICE_CONNECTION": auth}))
        self.tokens = TokenChecker(auth, config.microsoft_jwks_url) if self.mode == AUTHENTICATED else None
        sdk_log = logging.getLogger("microsoft_agents")
        if sdk_log.level == logging.NOTSET:  # it logs every call to the Bot Connector at INFO; our turn line is enough
            sdk_log.setLevel(logging.WARNING)
        if self.mode == ANONYMOUS:
            # without an app id the SDK warns on every turn that its (unused) user-token client has none
            logging.getLogger("microsoft_agents.hosting.core.connector.client.user_token_client").setLevel(
                logging.ERROR)
        self.last_base: str | None = None
        self.suggested: Bounded[tuple[str, str], dict[str, str]] = Bounded()
        """(org, conversation) → label → choice value of the suggested actions last shown there."""

    # -- where files are served ---------------------------------------------------------------
    def base_url(self) -> str:
        if self.config.public_url:
            return self.config.public_url
        base = REQUEST_BASE.get() or self.last_base
        if base:
            return base
        return f"http://{self.config.host}:{self.config.port}"

    def file_url(self, attachment: Attachment) -> str:
        stored = self.services.files.put(attachment)
        return self.base_url() + file_url(stored.token, quote(stored.name))

    def surface(self, lang: str, personal: bool) -> Surface:
        return Surface(lang=lang, personal=personal, file_url=self.file_url)

    async def language(self, org_id: str, user_id: str | None) -> str:
        """The language the user last spoke with the bot, else the organisation's."""
        repo = self.services.repo(org_id)
        if user_id:
            state = await repo.find(ConversationState, user_id=user_id)
            if state is not None and state.lang:
                return state.lang
        org = await repo.organisation(Organisation(language=self.config.language, timezone=self.config.timezone))
        return org.language

    # -- sending -------------------------------------------------------------------------------
    async def send(self, context: TurnContext, activity_json: dict[str, Any], *, reply_to: str | None,
                   attempts: int = REPLY_ATTEMPTS, cap: float = REPLY_RETRY_CAP,
                   max_wait: float = REPLY_MAX_WAIT) -> None:
        """Send one activity in the context's conversation, retrying what is worth retrying.

        A Retry-After longer than `max_wait` is not waited for: the send fails (transient) at once, so a
        user's request is not held past Teams' own timeout (Teams would deliver it again).
        """
        activity = Activity.model_validate(activity_json)
        reference = context.activity.get_conversation_reference()
        reference.activity_id = reply_to  # the reply goes into that message's thread; None: a new message
        activity.apply_conversation_reference(reference)

        async def once() -> None:
            try:
                await asyncio.wait_for(self.adapter.send_activities(context, [activity]), self.send_timeout)
            except Exception as exc:
                error = classify(exc, self.services.clock.now())
                if error.transient and error.retry_after is not None and error.retry_after > max_wait:
                    raise _TooLong(str(error), retry_after=error.retry_after) from exc
                raise error from exc

        try:
            await with_retries(once, attempts=attempts, cap=cap, sleep=self.sleep)
        except _TooLong as exc:
            raise DeliveryError(str(exc), transient=True, retry_after=exc.retry_after) from exc

    async def proactive(self, reference: dict[str, Any], callback: Callable[[TurnContext], Any]) -> None:
        """Run `callback` in a turn for a stored conversation; what it raises is raised here."""
        continuation = ConversationReference.model_validate(reference).get_continuation_activity()
        if self.mode == AUTHENTICATED:
            claims = self.adapter.create_claims_identity(self.config.microsoft_app_id or "")
        else:
            claims = ClaimsIdentity()  # anonymous: no token is fetched for the outgoing calls
        failure: list[Exception] = []

        async def run(context: TurnContext) -> None:
            try:
                await callback(context)
            except Exception as exc:  # kept, so the SDK's turn-error handler does not message anyone
                failure.append(exc)

        try:
            await self.adapter.continue_conversation_with_claims(claims, continuation, run)
        except Exception as exc:  # e.g. no token could be had for the Bot Connector
            raise DeliveryError(f"could not open the conversation: {type(exc).__name__}", transient=True) from exc
        if failure:
            raise failure[0]
