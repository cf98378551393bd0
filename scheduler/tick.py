"""Helpers of `python app.py tick`: reading --now and printing what a run did."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from scheduler.runner import Outcome


def parse_instant(text: str, default_tz: str) -> datetime:
    """An ISO-8601 instant; without an offset it is read in `default_tz` (BOT_TIMEZONE)."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO-8601 date and time, e.g. 2026-12-07T09:00+01:00") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(default_tz))
    return value


def format_outcomes(now: datetime, outcomes: Sequence[Outcome], dry_run: bool) -> str:
    head = f"{'due' if dry_run else 'tick'} at {now.isoformat()}: {len(outcomes)} notification(s)"
    rows = [head]
    for o in outcomes:
        who = o.target.get("conversation_id") if o.target.get("to") == "group" else o.target.get("user_id")
        line = f"  {o.status:<10} {o.key}  → {o.target.get('channel')} {o.target.get('to')} {who}"
        if o.error:
            line += f"  ({o.error})"
        rows.append(line)
    return "\n".join(rows)
