"""A small fake of Slack for tests: the Web API the bot calls, and Slack's side of the Events API.

`FakeSlack` is an aiohttp server on 127.0.0.1 that records every Web API call and answers the way
Slack does (`ok`, `ts`, `channel`, `view`, upload URLs on itself). It can be told to answer 429 with
Retry-After, or an error like `channel_not_found`, for a method. It also serves `response_url`s,
the file upload URLs and a Socket Mode websocket. `SlackEvents` builds real-shaped payloads, signs
them with the signing secret (v0 HMAC-SHA256) and POSTs them to the bot's /slack/events.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
from aiohttp import web

from bot.config import Config

TEAM = "T0PARTNER"
BOT_USER = "U0BOT"
BOT_ID = "B0BOT"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-1-test"
JSON_FIELDS = ("blocks", "view", "files", "attachments")


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Upload:
    file_id: str
    data: bytes


@dataclass
class FakeSlack:
    names: dict[str, str] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    uploads: list[Upload] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    """What the bot posted to response_urls (slash commands, ephemeral messages)."""
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    attempts: list[str] = field(default_factory=list)
    """Every Web API method called, also those answered with 429 or an error (those are not in `calls`)."""
    url: str = ""

    def __post_init__(self) -> None:
        self._ts = itertools.count(1)
        self._rate_limits: dict[str, list[int]] = defaultdict(list)
        self._errors: dict[str, list[str | None]] = defaultdict(list)
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_connected = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Condition()
        self._random: tuple[float, tuple[str, ...], random.Random, int, float] | None = None
        self.failed: list[str] = []
        """The kinds of random failure served, in order (see `fail_randomly`)."""

    # -- running ---------------------------------------------------------------------------------
    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/respond/{id}", self._respond)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def response_url(self, name: str = "1") -> str:
        return f"{self.url}/respond/{name}"

    # -- behaviour -------------------------------------------------------------------------------
    def rate_limit(self, method: str, times: int = 1, retry_after: int = 0) -> None:
        """The next `times` calls of `method` answer 429 with this Retry-After."""
        self._rate_limits[method].extend([retry_after] * times)

    def fail_randomly(self, ratio: float, kinds: tuple[str, ...] = ("429", "502", "503", "timeout", "drop"),
                      seed: int = 7, retry_after: int = 0, hang: float = 5.0) -> None:
        """A share of all Web API calls fail at the HTTP level: 429 with Retry-After, 502, 503, no answer for
        `hang` seconds ("timeout"), or a dropped connection ("drop"). A failed call records nothing."""
        self._random = (ratio, kinds, random.Random(seed), retry_after, hang)

    async def _random_failure(self, request: web.Request) -> web.Response | None:
        if self._random is None:
            return None
        ratio, kinds, rng, retry_after, hang = self._random
        if rng.random() >= ratio:
            return None
        kind = rng.choice(kinds)
        self.failed.append(kind)
        if kind == "timeout":
            await asyncio.sleep(hang)
            return web.Response(status=504)
        if kind == "drop":
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=502)
        headers = {"Retry-After": str(retry_after)} if kind == "429" else None
        return web.json_response({"ok": False, "error": "ratelimited" if kind == "429" else "fatal_error"},
                                 status=int(kind), headers=headers)

    def fail(self, method: str, error: str, times: int = 1, after: int = 0) -> None:
        """After `after` more good calls, the next `times` calls of `method` answer {"ok": false, "error": error}."""
        self._errors[method].extend([None] * after + [error] * times)

    # -- what the bot did ------------------------------------------------------------------------
    def sent(self, method: str) -> list[dict[str, Any]]:
        return [c.args for c in self.calls if c.method == method]

    def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        return [a for a in self.sent("chat.postMessage") if channel is None or a.get("channel") == channel]

    async def wait_for(self, check: Any, limit: float = 15.0) -> Any:
        """Wait until `check()` gives something truthy (the bot answers after acknowledging)."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(check), limit)
            except TimeoutError:
                raise AssertionError(f"the fake Slack did not see what the test waited for; calls: "
                                     f"{[c.method for c in self.calls]}") from None
        return check()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- the Web API -----------------------------------------------------------------------------
    @staticmethod
    async def _args(request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        raw = await request.read()
        if raw:
            if request.content_type == "application/json":
                args.update(json.loads(raw))
            else:
                args.update(parse_qsl(raw.decode()))
        for name in JSON_FIELDS:
            if isinstance(args.get(name), str):
                args[name] = json.loads(args[name])
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        self.attempts.append(method)
        failed = await self._random_failure(request)
        if failed is not None:
            return failed
        if self._rate_limits[method]:
            retry_after = self._rate_limits[method].pop(0)
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": str(retry_after)})
        error = self._errors[method].pop(0) if self._errors[method] else None
        if error is not None:
            await self._notify()
            return web.json_response({"ok": False, "error": error})
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer x"):
            return web.json_response({"ok": False, "error": "not_authed"})
        self.calls.append(Call(method, args, dict(request.headers)))
        answer = self._answer(method, args)
        await self._notify()
        return web.json_response(answer)

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "url": "https://partner.slack.example/", "team": "Partner", "user": "partnerbot",
                    "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": False}
        if method == "users.info":
            user = args.get("user", "")
            name = self.names.get(user, "Anna de Vries")
            return {"ok": True, "user": {"id": user, "name": name.split()[0].lower(), "real_name": name,
                                         "is_bot": False, "profile": {"real_name": name, "display_name": ""}}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users", "")).lstrip("U")}}
        if method in ("chat.postMessage", "chat.update"):
            ts = f"{1700000000 + next(self._ts)}.000100"
            return {"ok": True, "channel": args.get("channel"), "ts": ts,
                    "message": {"text": args.get("text"), "ts": ts, "bot_id": BOT_ID}}
        if method in ("views.open", "views.publish", "views.update"):
            view = dict(args.get("view") or {})
            view.update({"id": f"V{next(self._ts):06d}", "team_id": TEAM})
            return {"ok": True, "view": view}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):06d}"
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.url}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in args.get("files", [])]}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.url.replace("http://", "ws://") + "/socket"}
        return {"ok": False, "error": "unknown_method"}

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads.append(Upload(request.match_info["file_id"], await request.read()))
        await self._notify()
        return web.Response(text="OK - 0")

    async def _respond(self, request: web.Request) -> web.Response:
        self.responses.append(await request.json())
        await self._notify()
        return web.Response(text="ok")

    # -- Socket Mode -----------------------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0PARTNER"}})
        self._socket_connected.set()
        async for message in ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                self.socket_acks.append(json.loads(message.data))
                await self._notify()
        return ws

    async def push(self, payload: dict[str, Any], kind: str = "events_api", envelope_id: str = "env-1") -> None:
        """Send an envelope to the connected bot, the way Slack does in Socket Mode."""
        await asyncio.wait_for(self._socket_connected.wait(), 15)
        await self._sockets[-1].send_json({"envelope_id": envelope_id, "type": kind, "payload": payload,
                                           "accepts_response_payload": kind != "events_api",
                                           "retry_attempt": 0, "retry_reason": ""})


def slack_config(data_dir: Path, fake: FakeSlack, *, socket_mode: bool = False) -> Config:
    """A server configured for Slack against `fake` (HTTP events, or Socket Mode with an app token)."""
    return Config(host="127.0.0.1", port=0, data_dir=data_dir, slack_bot_token=BOT_TOKEN,
                  slack_signing_secret=None if socket_mode else SIGNING_SECRET,
                  slack_app_token=APP_TOKEN if socket_mode else None, slack_api_base_url=fake.api_url)


# -- Slack's side of the Events API ------------------------------------------------------------------

def sign(body: bytes, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackEvents:
    """Real-shaped, signed requests to the bot's /slack/events, as Slack sends them."""

    def __init__(self, session: aiohttp.ClientSession, url: str, fake: FakeSlack) -> None:
        self.session = session
        self.url = url
        self.fake = fake
        self._ids = itertools.count(1)

    async def post(self, body: bytes, content_type: str, *, secret: str = SIGNING_SECRET,
                   timestamp: int | None = None, retry: int | None = None,
                   signature: str | None = None) -> tuple[int, str]:
        ts = int(time.time()) if timestamp is None else timestamp
        headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(ts),
                   "X-Slack-Signature": signature or sign(body, ts, secret)}
        if retry is not None:
            headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
        async with self.session.post(self.url + "/slack/events", data=body, headers=headers) as resp:
            return resp.status, await resp.text()

    def envelope(self, event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
        return {"token": "legacy", "team_id": TEAM, "api_app_id": "A0PARTNER", "event": event,
                "type": "event_callback", "event_id": event_id or f"Ev{next(self._ids):08d}",
                "event_time": int(time.time()), "authorizations": [
                    {"enterprise_id": None, "team_id": TEAM, "user_id": BOT_USER, "is_bot": True,
                     "is_enterprise_install": False}],
                "is_ext_shared_channel": False}

    async def event(self, event: dict[str, Any], *, event_id: str | None = None, **kw: Any) -> tuple[int, str]:
        body = json.dumps(self.envelope(event, event_id)).encode()
        return await self.post(body, "application/json", **kw)

    async def dm(self, text: str, user: str = "U0ANNA", *, event_id: str | None = None, **kw: Any) -> tuple[int, str]:
        ts = f"{int(time.time())}.{next(self._ids):06d}"
        return await self.event({"type": "message", "channel": "D" + user.lstrip("U"), "user": user, "text": text,
                                 "ts": ts, "event_ts": ts, "channel_type": "im", "team": TEAM,
                                 "client_msg_id": f"c{next(self._ids)}"}, event_id=event_id, **kw)

    async def mention(self, text: str, user: str = "U0ANNA", channel: str = "C0GROUP",
                      thread_ts: str | None = None) -> tuple[int, str, str]:
        ts = f"{int(time.time())}.{next(self._ids):06d}"
        event = {"type": "app_mention", "channel": channel, "user": user, "text": f"<@{BOT_USER}> {text}",
                 "ts": ts, "event_ts": ts, "team": TEAM}
        if thread_ts:
            event["thread_ts"] = thread_ts
        status, body = await self.event(event)
        return status, body, ts

    async def command(self, text: str, user: str = "U0ANNA", channel: str = "C0GROUP",
                      response: str = "1") -> tuple[int, str]:
        form = {"token": "legacy", "team_id": TEAM, "team_domain": "partner", "channel_id": channel,
                "channel_name": "werkgroep", "user_id": user, "user_name": "anna", "command": "/sroi", "text": text,
                "api_app_id": "A0PARTNER", "is_enterprise_install": "false",
                "response_url": self.fake.response_url(response), "trigger_id": "13345224609.738474920.8088930838d"}
        return await self.post(urlencode(form).encode(), "application/x-www-form-urlencoded")

    async def interaction(self, payload: dict[str, Any], **kw: Any) -> tuple[int, str]:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return await self.post(body, "application/x-www-form-urlencoded", **kw)

    async def click(self, button: dict[str, Any], *, message: dict[str, Any] | None = None, user: str = "U0ANNA",
                    channel: str = "D0ANNA", view: dict[str, Any] | None = None,
                    ephemeral: bool = False) -> tuple[int, str]:
        """block_actions for a button the bot sent (in a message, an ephemeral answer, or on the Home tab)."""
        payload: dict[str, Any] = {
            "type": "block_actions", "team": {"id": TEAM, "domain": "partner"},
            "user": {"id": user, "username": "anna", "team_id": TEAM}, "api_app_id": "A0PARTNER",
            "token": "legacy", "trigger_id": f"trigger-{next(self._ids)}",
            "actions": [{"type": "button", "action_id": button["action_id"], "block_id": "b1",
                         "text": button["text"], "value": button.get("value", ""),
                         "action_ts": f"{time.time():.6f}"}],
        }
        if view is not None:
            payload.update({"container": {"type": "view", "view_id": view.get("id", "V1")}, "view": view})
        else:
            msg = message or {"ts": "1700000000.000100", "type": "message"}
            payload.update({"container": {"type": "message", "message_ts": msg["ts"], "channel_id": channel,
                                          "is_ephemeral": ephemeral},
                            "channel": {"id": channel, "name": "directmessage"},
                            "response_url": self.fake.response_url("click")})
            if not ephemeral:  # Slack does not send the message of an ephemeral answer
                payload["message"] = msg
        return await self.interaction(payload)

    async def submit(self, view: dict[str, Any], values: dict[str, Any], user: str = "U0ANNA") -> tuple[int, str]:
        """view_submission of a modal the bot opened, with `values` as Slack's view.state.values."""
        submitted = dict(view)
        submitted["state"] = {"values": values}
        payload = {"type": "view_submission", "team": {"id": TEAM, "domain": "partner"},
                   "user": {"id": user, "username": "anna", "team_id": TEAM}, "api_app_id": "A0PARTNER",
                   "token": "legacy", "trigger_id": f"trigger-{next(self._ids)}", "view": submitted,
                   "response_urls": [], "is_enterprise_install": False}
        return await self.interaction(payload)

    async def home_opened(self, user: str = "U0ANNA") -> tuple[int, str]:
        return await self.event({"type": "app_home_opened", "user": user, "channel": "D" + user.lstrip("U"),
                                 "tab": "home", "event_ts": f"{time.time():.6f}"})
