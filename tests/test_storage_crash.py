"""SIGKILL a writing process at random moments: the file always loads and every acknowledged write is there."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from bot.records import Action
from bot.repository import StoreRegistry

WRITER = Path(__file__).with_name("helpers") / "crash_writer.py"
KILLS = 24


def _run_and_kill(data_dir: Path, run: str, delay: float) -> list[str]:
    proc = subprocess.Popen([sys.executable, str(WRITER), str(data_dir), run], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    acked: list[str] = []
    first = threading.Event()

    def read() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            if line.startswith("ack "):
                acked.append(line[4:].strip())
                first.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert first.wait(30), proc.stderr.read()  # type: ignore[union-attr]
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    reader.join(5)
    proc.stderr.close()  # type: ignore[union-attr]
    return acked


async def test_sigkill_at_random_moments_never_loses_an_acknowledged_write(tmp_path):
    rng = random.Random(20261125)
    all_acked: set[str] = set()
    for i in range(KILLS):
        acked = _run_and_kill(tmp_path, f"r{i}", rng.uniform(0.0, 0.25))
        all_acked.update(acked)
        stores = StoreRegistry(tmp_path)  # as a restarted server would
        titles = {a.title for a in await stores.repo("crash-org").list(Action)}
        missing = all_acked - titles
        assert not missing, f"run {i}: {len(missing)} acknowledged writes lost, e.g. {sorted(missing)[:3]}"
        assert not list(stores.root.glob("*.corrupt-*")), f"run {i}: the store did not load"
        assert not list(stores.root.glob(".*.tmp")), "stale temporary files are cleaned at start"
    assert len(all_acked) > KILLS  # the writer really wrote between the kills
