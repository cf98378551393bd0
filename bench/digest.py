"""The scheduler's due computation for 1,000 organisations × 50 actions (plus meetings and contracts).

The baseline is a bare loop over the same records that only compares each action's deadline with today;
the ratio says what the real computation (slots, time zones, the digest's Markdown) costs on top of that.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, date, datetime, timedelta

from bot.records import Action, Contract, Meeting, Member, Organisation
from scheduler.due import compute_due
from scheduler.snapshot import OrgSnapshot, SentEntry

ORGS = 1000
ACTIONS = 50
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in Amsterdam: every digest is due


def organisations(rng: random.Random) -> list[OrgSnapshot]:
    today = date(2026, 12, 7)
    zones = ["Europe/Amsterdam", "Europe/Amsterdam", "Europe/Amsterdam", "America/Curacao"]
    snaps = []
    for o in range(ORGS):
        org = Organisation(org_id=f"org{o}", name=f"Gemeente {o}", timezone=rng.choice(zones),
                           group_conversation={"channel": "local", "conversation_id": f"wg{o}"})
        members = [Member(id=i, name=f"Lid {i}", user_id=f"u{i}", channel="local") for i in range(1, 9)]
        actions = [Action(id=i, title=f"Actie {i}", owner_id=rng.randint(1, 8),
                          deadline=today + timedelta(days=rng.randint(-40, 60)),
                          status="done" if rng.random() < 0.3 else "open") for i in range(1, ACTIONS + 1)]
        contracts = [Contract(id=i, supplier=f"Leverancier {i}", end=today + timedelta(days=rng.randint(0, 800)),
                              contract_manager_id=1) for i in range(1, 6)]
        meetings = [Meeting(id=i, title=f"Overleg {i}", frequency="monthly", participant_ids=[1, 2],
                            next_date=NOW + timedelta(days=rng.randint(-20, 30))) for i in range(1, 4)]
        sent = {f"nudge:{a.id}:x": SentEntry(f"nudge:{a.id}:x", "nudge", "sent", NOW) for a in actions[:20]}
        snaps.append(OrgSnapshot(org=org, members=members, actions=actions, contracts=contracts,
                                 meetings=meetings, sent=sent))
    return snaps


def baseline(snaps: list[OrgSnapshot]) -> int:
    today = NOW.date()
    count = 0
    for snap in snaps:
        for a in snap.actions:
            if a.status == "open" and a.deadline is not None and a.deadline <= today:
                count += 1
    return count


def real(snaps: list[OrgSnapshot]) -> int:
    return sum(len(compute_due(NOW, snap)) for snap in snaps)


def best_of(fn, snaps: list[OrgSnapshot], rounds: int = 3) -> tuple[float, int]:
    best, result = float("inf"), 0
    for _ in range(rounds):
        started = time.perf_counter()
        result = fn(snaps)
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    snaps = organisations(random.Random(1))
    base_s, _ = best_of(baseline, snaps)
    real_s, due = best_of(real, snaps)
    print(f"due computation: {ORGS} organisations × {ACTIONS} actions: {real_s * 1000:.0f} ms "
          f"({real_s / ORGS * 1e6:.0f} µs per organisation), {due} notifications due")
    print(f"baseline (bare loop over the same actions): {base_s * 1000:.1f} ms; ratio {real_s / base_s:.0f}×")


if __name__ == "__main__":
    main()
