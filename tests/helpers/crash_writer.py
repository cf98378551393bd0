"""Writes records as fast as it can and prints "ack <title>" for every write the store confirmed.

Used by the crash test, which SIGKILLs this process at random moments.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.records import Action
from bot.repository import StoreRegistry


async def writer(repo, run: str, lane: int) -> None:
    n = 0
    while True:
        title = f"{run}-{lane}-{n}"
        await repo.add(Action(title=title, section="1d"))
        sys.stdout.write(f"ack {title}\n")
        sys.stdout.flush()
        n += 1


async def main(data_dir: str, run: str) -> None:
    repo = StoreRegistry(Path(data_dir)).repo("crash-org")
    await asyncio.gather(*(writer(repo, run, lane) for lane in range(4)))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
