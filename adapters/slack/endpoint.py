"""Wiring Slack into the server: POST /slack/events on the aiohttp app, or Socket Mode, and the notifier.

With SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, Slack's events, interactivity and the slash command
all arrive at one Request URL, /slack/events. With SLACK_APP_TOKEN the bot connects to Slack over
Socket Mode instead and needs no public URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from adapters.slack.client import web_client
from adapters.slack.listeners import build_app
from adapters.slack.notifier import SlackNotifier
from adapters.slack.sender import SlackSender
from bot.services import Services

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


def notifier(services: Services) -> SlackNotifier:
    return SlackNotifier(SlackSender(services, web_client(services.config)))


def _sender(services: Services) -> SlackSender:
    """The notifier's sender, so replies and notifications share one client and one memory."""
    existing = services.notifiers.get("slack")
    if not isinstance(existing, SlackNotifier):
        existing = services.notifiers["slack"] = notifier(services)
    return existing.sender


def _http_handler(bolt: AsyncApp):
    async def events(request: web.Request) -> web.Response:
        # bolt checks the signature and the 5-minute window; a timestamp that is no number is no Slack request
        if not request.headers.get("X-Slack-Request-Timestamp", "").isdigit():
            return web.json_response({"error": "invalid request"}, status=401)
        try:
            bolt_request = await to_bolt_request(request)
        except (ValueError, AttributeError, TypeError, KeyError, IndexError):
            # bolt reads the body (assuming Slack's shapes) before it checks the signature: no Slack request
            bolt_request = None
        if bolt_request is None or not isinstance(bolt_request.body, dict):  # e.g. `null` or a list
            return web.json_response({"error": "the body is not a valid Slack request"}, status=400)
        response = await bolt.async_dispatch(bolt_request)
        return await to_aiohttp_response(response)

    return events


def _socket_mode(services: Services, bolt: AsyncApp, app_token: str) -> None:
    state: dict[str, object] = {}

    async def start() -> None:
        handler = AsyncSocketModeHandler(bolt, app_token, web_client=bolt.client)
        state["handler"] = handler
        # connecting retries until Slack answers; the server must not wait for that
        state["task"] = asyncio.ensure_future(handler.connect_async())
        log.info("Slack: connecting over Socket Mode")

    async def stop() -> None:
        handler = state.get("handler")
        task = state.get("task")
        if isinstance(handler, AsyncSocketModeHandler):
            await handler.close_async()
        if isinstance(task, asyncio.Future) and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    services.on_startup.append(start)
    services.on_shutdown.append(stop)


def mount(app: web.Application, services: Services) -> None:
    config = services.config
    sender = _sender(services)
    if config.slack_app_token:
        _socket_mode(services, build_app(services, sender, sender.client, socket_mode=True), config.slack_app_token)
        return
    bolt = build_app(services, sender, sender.client, socket_mode=False)
    app.router.add_post(EVENTS_PATH, _http_handler(bolt))
    log.info("Slack: events, interactivity and /sroi at %s", EVENTS_PATH)
