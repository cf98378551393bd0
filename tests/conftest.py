"""Shared fixtures: a real server on a loopback port, a fixed clock, and `app.py` as a subprocess."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import app as partnerbot  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.services import Services  # noqa: E402
from tests.fakes.slack import FakeSlack  # noqa: E402

DEFAULT_NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday morning in Amsterdam


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(DEFAULT_NOW)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config(host="127.0.0.1", port=0, data_dir=tmp_path / "data")


@pytest.fixture
async def slack_api() -> AsyncIterator[FakeSlack]:
    """A fake Slack Web API on a loopback port (tests/fakes/slack.py); use with `slack_config`."""
    fake = await FakeSlack().start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
def services(config: Config, clock: FixedClock) -> Services:
    return partnerbot.build_services(config, clock)


@dataclass
class LiveServer:
    """The whole web app on a real loopback port, in this process (so tests can move the clock)."""

    url: str
    services: Services
    session: aiohttp.ClientSession
    user: str = "u1"
    name: str = "Anna de Vries"
    org: str = "demo"
    sent: list[dict[str, Any]] = field(default_factory=list)

    async def post(self, path: str, body: Any = None, *, raw: bytes | None = None,
                   headers: dict[str, str] | None = None) -> aiohttp.ClientResponse:
        data = raw if raw is not None else None
        kwargs: dict[str, Any] = {"headers": headers or {}}
        if data is not None:
            kwargs["data"] = data
        else:
            kwargs["json"] = body
        async with self.session.post(self.url + path, **kwargs) as resp:
            await resp.read()
            return resp

    async def say(self, text: str | None = None, *, choice: str | None = None,
                  form: dict[str, Any] | None = None, user: str | None = None, org: str | None = None,
                  name: str | None = None, **extra: Any) -> list[dict[str, Any]]:
        """Send one message through POST /api/local/messages and return the replies."""
        body: dict[str, Any] = {"org": org or self.org, "user": user or self.user, "name": name or self.name}
        if text is not None:
            body["text"] = text
        if choice is not None:
            body["choice"] = choice
        if form is not None:
            body["form"] = form
        body.update(extra)
        async with self.session.post(self.url + "/api/local/messages", json=body) as resp:
            payload = await resp.json()
            assert resp.status == 200, payload
            self.sent.append(body)
            return payload["replies"]

    async def notifications(self, user: str | None = None, org: str | None = None) -> list[dict[str, Any]]:
        params = {"org": org or self.org, "user": user or self.user}
        async with self.session.get(self.url + "/api/local/notifications", params=params) as resp:
            assert resp.status == 200
            return (await resp.json())["notifications"]


@contextlib.asynccontextmanager
async def live_server(services: Services) -> AsyncIterator[LiveServer]:
    app = partnerbot.build_web_app(services)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    async with aiohttp.ClientSession() as session:
        try:
            yield LiveServer(url=f"http://127.0.0.1:{port}", services=services, session=session)
        finally:
            await runner.cleanup()


@pytest.fixture
async def server(services: Services) -> AsyncIterator[LiveServer]:
    async with live_server(services) as live:
        yield live


def app_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MICROSOFT_", "SLACK_", "LOCAL_CHAT"))}
    env.update({"DATA_DIR": str(data_dir), "HOST": "127.0.0.1", "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def run_app(*args: str, data_dir: Path, input: str | None = None, timeout: float = 60,
            **env: str) -> subprocess.CompletedProcess[str]:
    """`python app.py …` in a subprocess (no .env is read: the working directory is the data dir)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return subprocess.run([sys.executable, str(ROOT / "app.py"), *args], input=input, capture_output=True,
                          text=True, timeout=timeout, env=app_env(data_dir, **env), cwd=data_dir)


class ServerProcess:
    """`python app.py serve` as a real process, for restart and crash tests."""

    def __init__(self, data_dir: Path, **env: str) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.env = app_env(data_dir, PORT=str(self.port), **env)
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20) -> ServerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "serve"], env=self.env,
                                     cwd=self.data_dir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return self
            time.sleep(0.05)
        raise RuntimeError("server did not start")

    def stop(self, sig: int | None = None) -> None:
        if self.proc and self.proc.poll() is None:
            if sig is None:
                self.proc.terminate()
            else:
                self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stderr:
            self.proc.stderr.close()


@pytest.fixture
async def bot_connector() -> AsyncIterator[Any]:
    """A fake Bot Connector (Teams' side of the Bot Service) on 127.0.0.1; see tests/fakes/bot_connector.py.

    Every message the bot sent through it is checked afterwards: its cards against the Adaptive Card rules.
    """
    from tests.fakes.bot_connector import FakeConnector
    from tests.helpers.adaptive_card import assert_valid_message

    async with FakeConnector.running() as fake:
        yield fake
    for sent in fake.sent + fake.updates:
        assert_valid_message(sent.activity)


@pytest.fixture
def server_process(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path / "data")
    try:
        yield proc
    finally:
        proc.stop()
