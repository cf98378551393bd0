"""Shared bench helpers: start servers as real processes, drive them, summarise latencies."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
BOTBUILDER_VENV = ROOT / ".venv-bench-botbuilder"

BARE_SERVER = """
import sys
from aiohttp import web
BODY = b'{"replies": [{"text": "ok", "section": null, "choices": [], "form": null, "attachments": []}]}'
async def handle(request):
    await request.read()
    return web.Response(body=BODY, content_type="application/json")
async def ack(request):
    await request.read()
    return web.Response()
app = web.Application()
app.router.add_post("/api/local/messages", handle)
app.router.add_get("/healthz", lambda r: web.json_response({"status": "ok"}))
app.router.add_post("/slack/events", ack)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""

FAKE_CONNECTOR = """
import itertools, sys
from aiohttp import web
ids = itertools.count(1)
async def accept(request):
    await request.read()
    return web.json_response({"id": f"activity-{next(ids)}"})
app = web.Application()
app.router.add_post("/v3/conversations/{conversation}/activities", accept)
app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", accept)
app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", accept)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 30) -> float:
    """Seconds until the port accepts connections."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError("server exited during start")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.1):
            return time.perf_counter() - start
        time.sleep(0.005)
    raise RuntimeError("server did not start")


@contextlib.contextmanager
def partnerbot_server(data_dir: Path | None = None, **env: str) -> Iterator[tuple[str, subprocess.Popen]]:
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        full_env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
        full_env.update({"PORT": str(port), "HOST": "127.0.0.1", "DATA_DIR": str(data_dir or Path(tmp) / "data")})
        full_env.update(env)
        proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "serve"], env=full_env, cwd=tmp,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_port(port, proc)
            yield f"http://127.0.0.1:{port}", proc
        finally:
            proc.terminate()
            proc.wait(10)


@contextlib.contextmanager
def process_server(*command: str) -> Iterator[str]:
    """Run `command PORT` (a server on 127.0.0.1:PORT) while the block runs; yields its base URL."""
    port = free_port()
    proc = subprocess.Popen([*command, str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


def bare_server() -> contextlib.AbstractContextManager[str]:
    return process_server(sys.executable, "-c", BARE_SERVER)


def fake_connector() -> contextlib.AbstractContextManager[str]:
    """A Bot Connector stand-in that accepts every activity (both Teams bots send their replies to it)."""
    return process_server(sys.executable, "-c", FAKE_CONNECTOR)


def botbuilder_python() -> Path:
    """The Python of .venv-bench-botbuilder, made and filled from bench/requirements-botbuilder.txt on first use.

    botbuilder is only the Teams benchmark's baseline: it never goes into the app's requirements.
    """
    requirements = ROOT / "bench" / "requirements-botbuilder.txt"
    python = BOTBUILDER_VENV / "bin" / "python"
    stamp = BOTBUILDER_VENV / ".installed"
    if not python.exists():
        print(f"creating {BOTBUILDER_VENV.name} for the botbuilder baseline (once)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(BOTBUILDER_VENV)], check=True)
    if not stamp.exists() or stamp.read_text() != requirements.read_text():
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r",
                        str(requirements)], check=True)
        stamp.write_text(requirements.read_text())
    return python


async def closed_loop(users: int, turns: int, call: Callable[[aiohttp.ClientSession, int, int], Awaitable[object]],
                      warm_up: int = 10) -> tuple[list[float], float]:
    """`users` simulated users, each making `turns` calls one after the other (no think time).

    `call(session, user, turn)` makes one call and raises on a wrong answer. The latencies (ms) of every
    call after a short warm-up by an extra user, and the seconds the measured part took.
    """
    latencies: list[float] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=max(users, 1))) as session:
        async def user(n: int, count: int) -> None:
            for i in range(count):
                latencies.append(await timed(lambda i=i: call(session, n, i)))

        await user(10_000, warm_up)
        latencies.clear()
        start = time.perf_counter()
        await asyncio.gather(*(user(n, turns) for n in range(users)))
        return latencies, time.perf_counter() - start


def ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}x" if baseline else "n/a"


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(latencies_ms: list[float], seconds: float) -> dict[str, float]:
    return {"turns_per_s": len(latencies_ms) / seconds if seconds else 0.0,
            "p50_ms": statistics.median(latencies_ms), "p99_ms": percentile(latencies_ms, 99)}


async def timed(call: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    await call()
    return (time.perf_counter() - start) * 1000


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(coro: Awaitable[object]) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]
