"""`POST /api/messages`: where the Azure Bot Service delivers Teams activities, on the shared aiohttp server.

The request is authenticated here (see `adapters.teams.auth`; in local anonymous mode it is not), the
body is checked, and the SDK's `start_agent_process` runs the turn through the CloudAdapter. Whatever
is wrong with a request is answered with a 4xx and a short JSON error, never a 500.
"""

from __future__ import annotations

import json
import logging
import warnings
from urllib.parse import urlsplit

from aiohttp import web
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.aiohttp import start_agent_process
from microsoft_agents.hosting.core import ClaimsIdentity
from pydantic import ValidationError

from adapters.teams.auth import bearer_token
from adapters.teams.channel import ANONYMOUS, AUTHENTICATED, OFF, REQUEST_BASE, TeamsChannel
from adapters.teams.lazy import LazyTeamsNotifier
from adapters.teams.notifier import TeamsNotifier
from adapters.teams.turns import TeamsBot
from bot.services import Services

log = logging.getLogger("partnerbot.teams")
MAX_BODY = 512 * 1024
TEAMS: web.AppKey[tuple[TeamsChannel, TeamsBot]] = web.AppKey("teams", tuple)


def _error(message: str, status: int) -> web.Response:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return web.json_response({"error": message}, status=status, headers=headers)


def _request_base(request: web.Request) -> str:
    proto = request.headers.get("X-Forwarded-Proto", request.scheme).split(",")[0].strip() or "http"
    host = request.headers.get("X-Forwarded-Host", request.host).split(",")[0].strip()
    return f"{proto}://{host}"


def _same_host(a: str, b: str) -> bool:
    return (urlsplit(a).hostname or "").lower() == (urlsplit(b).hostname or "").lower()


async def _identity(channel: TeamsChannel, request: web.Request) -> ClaimsIdentity | None:
    header = request.headers.get("Authorization")
    if channel.mode == AUTHENTICATED:
        assert channel.tokens is not None
        return await channel.tokens.identity(header)
    if header is not None and bearer_token(header) is None:
        return None  # malformed even for anonymous mode
    return ClaimsIdentity()


async def messages(request: web.Request) -> web.StreamResponse:
    channel, bot = request.app[TEAMS]
    if channel.mode not in (AUTHENTICATED, ANONYMOUS):
        log.warning("Teams request refused: %s", channel.reason)
        return _error("Teams is not configured on this server", 503)
    identity = await _identity(channel, request)
    if identity is None:
        return _error("missing or invalid bearer token", 401)
    if request.content_length is not None and request.content_length > MAX_BODY:
        return _error("the body is too large", 413)
    raw = await request.read()
    if len(raw) > MAX_BODY:
        return _error("the body is too large", 413)
    try:
        body = json.loads(raw.decode("utf-8"))
        activity = Activity.model_validate(body)
    except (UnicodeDecodeError, ValueError, ValidationError):
        return _error("the body is not a valid activity", 400)
    if not isinstance(body, dict) or not activity.type or not activity.conversation or not activity.service_url:
        return _error("the activity needs a type, a conversation and a serviceUrl", 400)
    claimed = identity.get_claim_value("serviceurl")
    if isinstance(claimed, str) and claimed and not _same_host(claimed, activity.service_url):
        log.warning("Teams request refused: serviceUrl does not match the token")
        return _error("serviceUrl does not match the token", 401)
    with warnings.catch_warnings():  # the SDK's request adapter reads this plain string key
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        request["claims_identity"] = identity
    base = channel.config.public_url or _request_base(request)
    channel.last_base = base
    token = REQUEST_BASE.set(base)
    try:
        response = await start_agent_process(request, bot, channel.adapter)
    finally:
        REQUEST_BASE.reset(token)
    return response if response is not None else web.Response(status=202)


def channel_for(services: Services) -> TeamsChannel:
    """The Teams channel of these services (the one the notifier sends through, when registered)."""
    notifier = services.notifiers.get("teams")
    if isinstance(notifier, LazyTeamsNotifier):
        notifier = notifier.notifier
    return notifier.teams if isinstance(notifier, TeamsNotifier) else TeamsChannel(services)


def mount(app: web.Application, services: Services) -> None:
    channel = channel_for(services)
    if channel.mode == ANONYMOUS:
        log.warning("Teams: %s", channel.reason)
    elif channel.mode == AUTHENTICATED:
        log.info("Teams: app %s, %s", services.config.microsoft_app_id, channel.reason)
    elif channel.mode == OFF:
        log.warning("Teams is off: %s", channel.reason)
    app[TEAMS] = (channel, TeamsBot(channel))
    app.router.add_post("/api/messages", messages)
