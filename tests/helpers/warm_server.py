"""`python app.py serve`, imported ahead: loads the app's modules, then waits for a line on stdin and serves.

The crash test keeps the next server warm while it kills the current one, so a hundred SIGKILLs and
restarts fit in a few minutes. From the line on, this is exactly `app.py serve` (same main, same settings
from the environment).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import app
from adapters.teams import api  # noqa: F401  (the Agents SDK, loaded at mount otherwise)
from knowledge.base import default_base

if __name__ == "__main__":
    default_base()  # what the server builds in the background right after start
    sys.stdin.readline()
    sys.exit(app.main(["serve"]))
