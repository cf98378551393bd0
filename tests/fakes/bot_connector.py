"""A fake Bot Connector (the Teams side of the Bot Service REST API) on 127.0.0.1, for channel tests.

It records what the bot sends with `POST /v3/conversations/{id}/activities[/{replyToId}]` and
`PUT /v3/conversations/{id}/activities/{activityId}` (card updates), and fails on command: the next
calls (`fail_next`) or a share of all calls (`fail_randomly`) answer 429 with Retry-After, 502, 503, 403,
404, hang until the client gives up ("timeout"), or drop the connection without an answer ("drop").
A failed call records nothing, as a real connector that refused it would.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Sent:
    method: str
    conversation_id: str
    """Percent-decoded, as the bot meant it."""
    reply_to: str | None
    activity: dict[str, Any]
    authorization: str | None
    raw_path: str

    @property
    def text(self) -> str:
        return self.activity.get("text") or ""

    @property
    def shown(self) -> str:
        """Everything the message shows as text: its own text and the text blocks of its cards."""
        parts = [self.text] if self.text else []

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if node.get("type") == "TextBlock":
                    parts.append(node.get("text", ""))
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self.cards)
        return "\n".join(parts)

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [a["content"] for a in self.activity.get("attachments") or []
                if a.get("contentType") == "application/vnd.microsoft.card.adaptive"]

    @property
    def card(self) -> dict[str, Any]:
        (card,) = self.cards
        return card


@dataclass
class FakeConnector:
    retry_after: str = "0"
    sent: list[Sent] = field(default_factory=list)
    updates: list[Sent] = field(default_factory=list)
    calls: int = 0
    failures: int = 0
    failed: list[str] = field(default_factory=list)
    """The kinds of failure served, in order."""
    gone: dict[str, str] = field(default_factory=dict)
    """Conversation id → "403" or "404": every call there fails so (the bot was removed, the chat deleted)."""
    _plan: deque[str] = field(default_factory=deque)
    _ratio: float = 0.0
    _kinds: tuple[str, ...] = ()
    _rng: random.Random = field(default_factory=lambda: random.Random(7))
    _released: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None
    url: str = ""

    async def start(self) -> FakeConnector:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation_id}/activities", self._post)
        app.router.add_post("/v3/conversations/{conversation_id}/activities/{activity_id}", self._post)
        app.router.add_put("/v3/conversations/{conversation_id}/activities/{activity_id}", self._put)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/"
        return self

    @classmethod
    @contextlib.asynccontextmanager
    async def running(cls, **kwargs: Any) -> AsyncIterator[FakeConnector]:
        fake = await cls(**kwargs).start()
        try:
            yield fake
        finally:
            await fake.stop()

    async def stop(self) -> None:
        self._released.set()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- failing on command ---------------------------------------------------------------------
    def fail_next(self, *kinds: str) -> None:
        """The next calls fail in this order: "429", "502", "503", "504", "412", "403", "404", "timeout", "drop"
        ("ok" lets that call through)."""
        self._plan.extend(kinds)

    def fail_randomly(self, ratio: float, kinds: tuple[str, ...] = ("429", "502"), seed: int = 7) -> None:
        self._ratio, self._kinds, self._rng = ratio, kinds, random.Random(seed)

    async def _failure(self, request: web.Request) -> web.Response | None:
        conversation_id = request.match_info["conversation_id"]
        kind = self.gone.get(conversation_id) or (self._plan.popleft() if self._plan else None)
        if kind is None and self._ratio and self._rng.random() < self._ratio:
            kind = self._rng.choice(self._kinds)
        if kind is None or kind == "ok":
            return None
        self.failures += 1
        self.failed.append(kind)
        if kind == "timeout":
            await self._released.wait()
            return web.Response(status=504)
        if kind == "drop":  # the connection breaks before any answer
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=502)
        headers = {"Retry-After": self.retry_after} if kind == "429" else None
        return web.json_response({"error": {"code": kind, "message": "fake failure"}}, status=int(kind),
                                 headers=headers)

    # -- handlers -------------------------------------------------------------------------------
    def _record(self, request: web.Request, activity: dict[str, Any], method: str) -> Sent:
        return Sent(method=method, conversation_id=request.match_info["conversation_id"],
                    reply_to=request.match_info.get("activity_id"), activity=activity,
                    authorization=request.headers.get("Authorization"), raw_path=request.raw_path)

    async def _receive(self, request: web.Request, into: list[Sent]) -> web.Response:
        self.calls += 1
        failed = await self._failure(request)
        if failed is not None:
            return failed
        sent = self._record(request, await request.json(), request.method)
        into.append(sent)
        return web.json_response({"id": sent.reply_to if request.method == "PUT" else f"activity-{len(into)}"})

    async def _post(self, request: web.Request) -> web.Response:
        return await self._receive(request, self.sent)

    async def _put(self, request: web.Request) -> web.Response:
        return await self._receive(request, self.updates)

    def to(self, conversation_id: str) -> list[Sent]:
        return [s for s in self.sent if s.conversation_id == conversation_id]
