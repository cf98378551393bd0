"""Crash safety: a real `app.py serve` is SIGKILLed at random moments while people save settings, add actions
and answer the walk-through through the local API, and while its scheduler delivers reminders.

After every kill the store loads, every write the server acknowledged (an HTTP 200 whose answer said it
was saved) is there, and no notification is delivered twice, also with `app.py tick` run in between.
The default run kills 10 times; the slow variant 100 times.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.records import Action, Member, OutboxItem
from bot.repository import StoreRegistry
from scheduler.records import Notification
from tests.conftest import app_env, free_port, run_app
from tests.reliability import COORDINATOR, MEMBER, populate

WARM = Path(__file__).with_name("helpers") / "warm_server.py"
ORG = "crash-org"
LANES = 3
ACTION_FORMS = {0: (COORDINATOR, "sched:new", "actie"), 1: (MEMBER, "flow:1d:actions", "stap")}


class Spare:
    """A server process with its modules loaded, waiting to be told to serve (see helpers/warm_server.py)."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        env = app_env(data_dir, PORT=str(self.port), SCHEDULER_INTERVAL_SECONDS="0.5")
        self.proc = subprocess.Popen([sys.executable, str(WARM)], env=env, cwd=data_dir, stdin=subprocess.PIPE,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.url = f"http://127.0.0.1:{self.port}"

    def serve(self, timeout: float = 60) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"go\n")
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return
            time.sleep(0.02)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)
        for stream in (self.proc.stdin, self.proc.stderr):
            with contextlib.suppress(OSError):
                stream.close()  # type: ignore[union-attr]


@dataclass
class Acked:
    actions: set[str] = field(default_factory=set)
    settings: list[tuple[int, int]] = field(default_factory=list)
    """(run, n) of every organisation name the server said it saved."""
    requests: int = 0


async def _load(url: str, run: int, acked: Acked, member_id: int, today: date, stop: asyncio.Event) -> None:
    """Three kinds of writes, each lane one request after the other, until the server dies."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
        async def say(body: dict[str, Any]) -> str | None:
            try:
                async with session.post(url + "/api/local/messages", json={"org": ORG, **body}) as resp:
                    if resp.status != 200:
                        assert resp.status < 500, await resp.text()
                        return None
                    acked.requests += 1
                    # what the answer says (a form sent back to correct carries the title too, unsaved)
                    return "\n".join(r["text"] for r in (await resp.json())["replies"])
            except (TimeoutError, aiohttp.ClientError):
                return None  # the server was killed: this write was never acknowledged

        async def lane(kind: int) -> None:
            n = 0
            while not stop.is_set():
                n += 1
                # the first action of a run is due today (a reminder the server's scheduler delivers while
                # it may be killed); the scheduler paces reminders to one a second per conversation, so more
                # of them would only make the test slow
                deadline = (today + timedelta(days=0 if (kind, n) == (0, 1) else 60 + n % 30)).isoformat()
                if kind in ACTION_FORMS:  # a new action, or a walk-through answer that makes one
                    user, form_id, word = ACTION_FORMS[kind]
                    title = f"{word}-{run}-{n}"
                    answer = await say({"user": user, "form": {"id": form_id, "values": {
                        "title": title, "owner": str(member_id), "deadline": deadline}}})
                    if answer is not None and title in answer:
                        acked.actions.add(title)
                else:
                    name = f"Gemeente {run:03d}-{n:05d}"
                    answer = await say({"user": COORDINATOR, "form": {"id": "core:settings", "values": {
                        "name": name, "language": "nl", "timezone": "Europe/Amsterdam"}}})
                    if answer is not None and name in answer:
                        acked.settings.append((run, n))
                if answer is None and not stop.is_set():
                    await asyncio.sleep(0.01)

        await asyncio.gather(*(lane(k) for k in range(LANES)))


def _delivered_once(stores: StoreRegistry) -> tuple[int, list[str]]:
    """(notifications sent, problems): each key recorded once, each delivered at most once on the channel."""
    repo = stores.repo(ORG)
    loop = asyncio.new_event_loop()
    try:
        notes = loop.run_until_complete(repo.list(Notification))
        outbox = loop.run_until_complete(repo.list(OutboxItem))
    finally:
        loop.close()
    problems = []
    keys = Counter(n.key for n in notes)
    problems += [f"notification {k} recorded {c} times" for k, c in keys.items() if c > 1]
    shown = Counter((o.key.split("#")[0], o.to, o.user_id) for o in outbox)
    problems += [f"{k} shown {c} times" for k, c in shown.items() if c > 1]
    sent = {n.key for n in notes if n.status == "sent"}
    problems += [f"{k} is marked sent but never arrived" for k in sent if not any(s[0] == k for s in shown)]
    return len(sent), problems


def _check(data_dir: Path, acked: Acked) -> None:
    stores = StoreRegistry(data_dir)  # as a restarted server would load it
    assert not list(stores.root.glob("*.corrupt-*")), "the store did not load"
    repo = stores.repo(ORG)
    loop = asyncio.new_event_loop()
    try:
        titles = {a.title for a in loop.run_until_complete(repo.list(Action))}
        name = loop.run_until_complete(repo.organisation()).name
    finally:
        loop.close()
    missing = acked.actions - titles
    assert not missing, f"{len(missing)} acknowledged actions lost, e.g. {sorted(missing)[:3]}"
    if acked.settings:
        last = max(acked.settings)
        stored = tuple(int(x) for x in name.removeprefix("Gemeente ").split("-"))
        assert stored >= last, f"the organisation's name went back from {last} to {stored}"
    _, problems = _delivered_once(stores)
    assert not problems, problems


def _tick(data_dir: Path, when: datetime) -> None:
    # the scheduler paces reminders to one a second per conversation, and up to one action per run is due on
    # the day: a tick whose moment is less than a day past that (the suite run just after midnight in
    # Amsterdam) delivers them one by one, about a hundred seconds after a hundred runs
    result = run_app("tick", "--now", when.isoformat(), "--json", data_dir=data_dir, timeout=300)
    assert result.returncode in (0, 1), result.stderr[-2000:]
    outcomes = json.loads(result.stdout)["notifications"]
    assert all(o["status"] in ("sent", "folded", "pending", "failed") for o in outcomes), outcomes


def _crash_runs(tmp_path: Path, kills: int, seed: int) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(parents=True)
    now = datetime.now(UTC)  # the server runs on the real clock: reminders are due relative to today
    ids = asyncio.run(populate(StoreRegistry(data_dir).repo(ORG), now))
    today = now.astimezone(ZoneInfo("Europe/Amsterdam")).date()  # the organisation's time zone
    rng = random.Random(seed)
    acked = Acked()
    spare = Spare(data_dir)
    for run in range(kills):
        server, spare = spare, None
        server.serve()
        spare = Spare(data_dir)  # the next one loads its modules while this one works
        stop = asyncio.Event()

        async def work(server: Spare = server, run: int = run, stop: asyncio.Event = stop) -> None:
            load = asyncio.ensure_future(_load(server.url, run, acked, ids["member"], today, stop))
            await asyncio.sleep(rng.uniform(0.05, 0.8))
            server.kill()  # SIGKILL in the middle of whatever it was doing
            stop.set()
            await asyncio.wait_for(load, 30)

        asyncio.run(work())
        _check(data_dir, acked)
        if run % 5 == 4:
            _tick(data_dir, now + timedelta(hours=1 + run % 3))
            _check(data_dir, acked)
    spare.kill()
    _tick(data_dir, now + timedelta(hours=30))  # past 09:00 on the deadline day, wherever the test runs
    _check(data_dir, acked)
    sent, _ = _delivered_once(StoreRegistry(data_dir))
    assert len(acked.actions) > kills and acked.requests > kills  # the load really wrote between the kills
    assert sent > 0  # and reminders went out


def test_sigkill_under_write_load_loses_nothing_acknowledged_and_sends_nothing_twice(tmp_path):
    _crash_runs(tmp_path, kills=10, seed=20261125)


@pytest.mark.slow
def test_a_hundred_sigkills_under_write_load(tmp_path):
    _crash_runs(tmp_path, kills=100, seed=4242)


def test_the_members_the_load_needs_exist(tmp_path):
    ids = asyncio.run(populate(StoreRegistry(tmp_path).repo(ORG), datetime.now(UTC)))
    members = asyncio.run(StoreRegistry(tmp_path).repo(ORG).list(Member))
    assert {m.user_id for m in members} >= {COORDINATOR, MEMBER} and ids["member"]
