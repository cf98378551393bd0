"""Due sources (other features' own due notifications) run by the scheduler: delivered once, folded when late,
and a failing source does not stop the rest."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from bot.markdown import Md
from bot.messages import Reply
from bot.notify import DigestSection, Notice, Target
from bot.records import Member, Organisation
from scheduler.records import Notification
from scheduler.runner import Runner

NOW = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in Amsterdam: digest time


class Greeting:
    """Says hello to u1 once a day at 09:00 UTC-ish; a line in the digest."""

    name = "greeting"

    async def load(self, repo, org: Organisation) -> str:
        return org.org_id

    def due(self, now: datetime, records: str, sent: Mapping[str, datetime], grace: timedelta) -> list[Notice]:
        key = f"hello:{now.date()}"
        at = now.replace(hour=8, minute=0)
        target = Target(org_id=records, channel="local", to="user", user_id="u1")
        return [] if key in sent else [Notice(key=key, kind="hello", at=at, target=target,
                                              replies=[Reply(text="Hallo!")], summary="hallo")]

    def digest(self, now: datetime, records: str) -> DigestSection | None:
        return lambda lang: Md("**Groeten**" if lang == "nl" else "**Greetings**")


class Late(Greeting):
    name = "late"

    def due(self, now, records, sent, grace):
        target = Target(org_id=records, channel="local", to="user", user_id="u1")
        return [Notice(key="late:1", kind="late", at=now - grace - timedelta(hours=1), target=target,
                       replies=[Reply(text="te laat")], summary="een late groet", fold=True)]

    def digest(self, now, records):
        return None


class Broken(Greeting):
    name = "broken"

    async def load(self, repo, org):
        raise RuntimeError("this source is broken")


async def test_source_notices_are_delivered_once_folded_when_late_and_a_broken_source_is_skipped(services):
    repo = services.repo("demo")
    await repo.add(Member(name="Anna", user_id="u1", channel="local", position="coordinator"))
    services.due_sources[:] = [Broken(), Greeting(), Late()]
    runner = Runner(services)
    outcomes = {(o.key, o.status) for o in await runner.run(NOW)}
    assert ("hello:2027-01-04", "sent") in outcomes and ("late:1", "folded") in outcomes
    assert ("digest:demo:2027-W01", "sent") in outcomes
    digest = next(n for n in await repo.list(Notification) if n.kind == "digest")
    text = digest.replies[0]["text"]
    assert "**Groeten**" in text and "een late groet" in text
    again = await runner.run(NOW + timedelta(minutes=5))
    assert [o.key for o in again] == []
