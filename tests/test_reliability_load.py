"""Load: many conversations at once against a real `app.py serve` for a while, with no errors and no growth in
memory (the server's RSS after a warm-up against the end) beyond 20 %.

The slow variant holds 200 conversations for 60 seconds; the default one 50 conversations for a few seconds.
Each simulated person keeps talking: help, questions for the knowledge base, the walk-through back and
forth, their actions, settings. Speed is not asserted here (that is bench/); only that nothing fails or leaks.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import ROOT, app_env, free_port

MIX: list[dict[str, Any]] = [
    {"text": "hoi"}, {"text": "wat is social return?"}, {"text": "start"}, {"text": "volgende"},
    {"text": "terug"}, {"text": "how do I start with an existing contract?"}, {"text": "voortgang"},
    {"choice": "flow:resume"}, {"text": "wie doet de monitoring?"}, {"text": "acties"}, {"choice": "core:lang:en"},
    {"text": "what is a reserved contract?"}, {"choice": "core:lang:nl"}, {"text": "monitoring"},
    {"choice": "core:overview"}, {"text": "help"},
]
ORGS = 10


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@contextlib.contextmanager
def _server(tmp_path: Path):
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    data = tmp_path / "data"
    data.mkdir()
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "serve"], cwd=data, stdout=log, stderr=log,
                            env=app_env(data, PORT=str(port)))
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()[-2000:]
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}", proc
    finally:
        proc.terminate()
        proc.wait(20)
        log.close()


async def _talk(url: str, conversations: int, seconds: float, errors: list[str]) -> int:
    """`conversations` people talking at once for `seconds`; the number of turns answered."""
    answered = 0
    end = time.monotonic() + seconds
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=conversations), timeout=timeout) as session:
        async def person(n: int) -> None:
            nonlocal answered
            i = n  # everyone starts somewhere else in the mix
            while time.monotonic() < end:
                body = {"org": f"load-{n % ORGS}", "user": f"u{n}", "name": f"Persoon {n}", **MIX[i % len(MIX)]}
                i += 1
                try:
                    async with session.post(url + "/api/local/messages", json=body) as resp:
                        payload = await resp.json()
                        if resp.status != 200 or not payload.get("replies"):
                            errors.append(f"{resp.status}: {str(payload)[:200]}")
                        else:
                            answered += 1
                except (aiohttp.ClientError, TimeoutError) as exc:
                    errors.append(f"{body}: {type(exc).__name__} {exc}")

        await asyncio.gather(*(person(n) for n in range(conversations)))
    return answered


def _hold(tmp_path: Path, conversations: int, seconds: float) -> None:
    errors: list[str] = []
    with _server(tmp_path) as (url, proc):
        asyncio.run(_talk(url, conversations, max(3.0, seconds / 4), errors))  # warm-up: imports, caches, stores
        warm = _rss_kb(proc.pid)
        turns = asyncio.run(_talk(url, conversations, seconds, errors))
        end = _rss_kb(proc.pid)
    assert not errors, errors[:5]
    assert turns > conversations  # everyone was answered, more than once
    log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log and "turn failed" not in log, log[-3000:]
    assert end <= warm * 1.2, f"RSS grew from {warm // 1024} MB to {end // 1024} MB"


def test_many_conversations_at_once_without_errors_or_leaks(tmp_path):
    _hold(tmp_path, conversations=50, seconds=6)


@pytest.mark.slow
def test_200_conversations_for_a_minute(tmp_path):
    _hold(tmp_path, conversations=200, seconds=60)
