"""The scheduler inside the server: APScheduler wakes the Runner on a short interval and at digest times.

APScheduler only decides *when* to look; what is due is computed from the stored records each time, so a
restart loses nothing (the first run right after start catches up).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import SystemClock
from bot.services import Services
from scheduler.due import next_digest_at
from scheduler.runner import Runner
from scheduler.snapshot import OrgSnapshot

log = logging.getLogger("partnerbot.scheduler")


class SchedulerService:
    def __init__(self, services: Services, runner: Runner | None = None, interval: float = 60) -> None:
        self.services = services
        self.runner = runner or Runner(services)
        self.interval = interval
        self.aps: AsyncIOScheduler | None = None
        self._first: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.interval <= 0:
            log.info("scheduler is off (SCHEDULER_INTERVAL_SECONDS=0)")
            return
        self.aps = AsyncIOScheduler(timezone="UTC")
        self.aps.add_job(self.tick, "interval", seconds=self.interval, id="due", max_instances=1, coalesce=True)
        self.aps.start()
        self._first = asyncio.ensure_future(self.tick())  # catch up right after a start
        log.info("scheduler started: every %ss and at digest times", self.interval)

    async def stop(self) -> None:
        if self.aps is not None and self.aps.running:
            self.aps.shutdown(wait=False)
        if self._first is not None and not self._first.done():
            self._first.cancel()
        self.aps = None

    async def tick(self) -> None:
        try:
            outcomes = await self.runner.run()
            if outcomes:
                log.info("scheduler: %s", ", ".join(f"{o.key}={o.status}" for o in outcomes))
            await self._plan_next_digest()
        except Exception:
            log.exception("scheduler tick failed")

    async def _plan_next_digest(self) -> None:
        """A one-off job at the next digest instant of any organisation (APScheduler runs on wall time)."""
        if self.aps is None:
            return
        now = self.services.clock.now()
        instants = []
        for org_id in self.services.stores.org_ids():
            org = await self.services.repo(org_id).organisation(self.runner.defaults())
            instants.append(next_digest_at(now, OrgSnapshot(org=org)))
        if not instants:
            return
        delay = max(timedelta(0), min(instants) - now) + timedelta(seconds=1)
        self.aps.add_job(self.tick, "date", run_date=SystemClock().now() + delay, id="digest",
                         replace_existing=True)


def install(services: Services) -> SchedulerService:
    """Start the scheduler with the server and stop it with it."""
    config = services.config
    runner = Runner(services, grace=timedelta(hours=config.scheduler_grace_hours))
    service = SchedulerService(services, runner, interval=config.scheduler_interval)
    services.on_startup.append(service.start)
    services.on_shutdown.append(service.stop)
    return service
