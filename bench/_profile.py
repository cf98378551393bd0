"""Profile the server's hot path: `python -m bench._profile [users] [turns]` (needs pyinstrument, see
bench/requirements-bench.txt). Runs `app.py serve` under pyinstrument, drives it with the turns
benchmark's mix and prints where the server spent its time."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import ROOT, free_port, wait_port
from bench.turns import drive


def main() -> None:
    users = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    turns = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
        env.update({"PORT": str(port), "HOST": "127.0.0.1", "DATA_DIR": str(Path(tmp) / "data")})
        out = Path(tmp) / "profile.txt"
        proc = subprocess.Popen([sys.executable, "-m", "pyinstrument", "--show-all", "-o", str(out),
                                 str(ROOT / "app.py"), "serve"], env=env, cwd=tmp,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_port(port, proc)
            asyncio.run(drive(f"http://127.0.0.1:{port}", users, turns, "profile"))
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(30)
        print(out.read_text())


if __name__ == "__main__":
    main()
