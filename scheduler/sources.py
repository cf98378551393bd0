"""The due sources of other features (e.g. monitoring), run next to the scheduler's own due computation.

`services.due_sources` is filled in app.py; the scheduler never imports a feature. Each source loads its
records, and its pure `due` gives `Notice`s that are recorded and delivered like the scheduler's own; its
`digest` adds a section to the weekly digest.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.repository import Repository
from bot.services import Services
from scheduler.due import Due
from scheduler.snapshot import OrgSnapshot

log = logging.getLogger("partnerbot.scheduler")


async def collect(services: Services, repo: Repository, snap: OrgSnapshot, now: datetime,
                  grace: timedelta) -> list[Due]:
    """Every source's due notifications for one organisation; their digest sections go into `snap`."""
    sent = {key: entry.at for key, entry in snap.sent.items() if entry.at is not None}
    out: list[Due] = []
    for source in services.due_sources:
        try:
            records = await source.load(repo, snap.org)
            notices = source.due(now, records, sent, grace)
            section = source.digest(now, records)
        except Exception:  # one broken source must not stop the digest and the other reminders
            log.exception("due source %s failed for org=%s", source.name, repo.org_id)
            continue
        out.extend(Due(key=n.key, kind=n.kind, at=n.at, target=n.target, replies=[] if n.fold else n.replies,
                       summary=n.summary, fold=n.fold) for n in notices if n.key not in snap.sent)
        if section is not None:
            snap.sections.append(section)
    return out
