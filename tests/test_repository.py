"""Records round-trip through the store, invalid values are refused with a message, organisations stay apart."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.i18n import t
from bot.records import (
    Action,
    Contract,
    ConversationRef,
    ConversationState,
    JourneyStep,
    Meeting,
    Member,
    Organisation,
    Tender,
)
from bot.repository import NotFound, StoreRegistry
from bot.values import ValidationError
from bot.workgroup import holder, may_manage, set_position

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)

SAMPLES = [
    Organisation(name="Gemeente Utrecht", language="en", timezone="Europe/Amsterdam",
                 group_conversation={"channel": "slack", "conversation_id": "C1"}, digest_weekday=2,
                 digest_time="08:30", created_at=NOW),
    Member(name="Anna de Vries", user_id="u1", channel="teams", roles=["hr_expert", "sroi_coordinator"],
           position="coordinator"),
    Action(title="Notitie voor het bestuur", owner_id=1, deadline=date(2026, 12, 15), section="1a",
           created_at=NOW, updated_at=NOW),
    Contract(name="Schoonmaak kantoren", supplier="Schoon BV", category="schoonmaak", yearly_value=350_000.0,
             start=date(2024, 1, 1), end=date(2027, 12, 31), extension_decision=date(2027, 6, 30),
             has_sroi_clause=True, sroi_percentage=5.0, contract_manager_id=1),
    Tender(title="Groenonderhoud", category="groen", estimated_value=1_200_000.0, duration_months=48,
           labour_share=70.0, planned_publication=date(2027, 3, 1)),
    Meeting(title="Voortgang schoonmaak", contract_id=1, frequency="quarterly",
            next_date=datetime(2027, 1, 12, 13, 0, tzinfo=UTC), participant_ids=[1, 2]),
    JourneyStep(section="2Ba", status="in_progress", answers={"top3": [1, 2, 3], "notes": {"x": "y"}},
                updated_at=NOW),
    ConversationState(user_id="u1", lang="en", active="dialogs", data={"dialogs": {"at": "1b"}}),
    ConversationRef(channel="teams", kind="group", conversation_id="19:abc@thread.tacv2", name="Werkgroep",
                    reference={"serviceUrl": "https://smba.example/"}, updated_at=NOW),
]


@pytest.fixture
def stores(tmp_path: Path) -> StoreRegistry:
    return StoreRegistry(tmp_path)


@pytest.mark.parametrize("record", SAMPLES, ids=lambda r: type(r).__name__)
async def test_each_record_type_round_trips_through_the_file(tmp_path, record):
    repo = StoreRegistry(tmp_path).repo("org-a")
    saved = await repo.add(record)
    assert saved.id is not None
    # a fresh registry reads the file from disk
    again = await StoreRegistry(tmp_path).repo("org-a").get(type(record), saved.id)
    assert again == saved


async def test_update_replaces_and_delete_removes(stores):
    repo = stores.repo("org-a")
    action = await repo.add(Action(title="Werkgroep samenstellen", owner_id=1, deadline=date(2026, 12, 1)))
    action.status = "done"
    action.deadline = None
    await repo.update(action)
    stored = await repo.get(Action, action.id)
    assert stored.status == "done" and stored.deadline is None
    assert await repo.delete(Action, action.id)
    assert await repo.get(Action, action.id) is None
    with pytest.raises(NotFound):
        await repo.update(action)


@pytest.mark.parametrize("record, field, key", [
    (Action(title="", owner_id=1), "title", "required"),
    (Action(title="x", deadline="volgende week"), "deadline", "date"),
    (Action(title="x", status="half"), "status", "one_of"),
    (Contract(supplier="Schoon BV", yearly_value=-5.0), "yearly_value", "non_negative"),
    (Contract(supplier="Schoon BV", sroi_percentage=120.0), "sroi_percentage", "percentage"),
    (Contract(supplier="Schoon BV", start=date(2026, 1, 1), end=date(2025, 1, 1)), "end", "date_order"),
    (Contract(supplier=""), "supplier", "required"),
    (Member(name="Piet", roles=["tovenaar"]), "roles", "one_of"),
    (Member(name="Piet", position="baas"), "position", "one_of"),
    (Tender(title="t", labour_share=150.0), "labour_share", "percentage"),
    (Tender(title="t", estimated_value="veel"), "estimated_value", "number"),
    (Meeting(title="m", frequency="soms"), "frequency", "one_of"),
    (Meeting(title="m", next_date=datetime(2026, 1, 1, 9, 0)), "next_date", "datetime"),
    (Organisation(timezone="Mars/Olympus"), "timezone", "timezone"),
    (Organisation(language="fr"), "language", "one_of"),
    (Organisation(digest_time="25:00"), "digest_time", "time"),
    (JourneyStep(section="1a", status="bijna"), "status", "one_of"),
])
async def test_invalid_values_are_refused_with_a_message(stores, record, field, key):
    repo = stores.repo("org-a")
    with pytest.raises(ValidationError) as err:
        await repo.add(record)
    assert err.value.field == field
    assert err.value.key == key
    nl = err.value.message("nl")
    en = err.value.message("en")
    assert nl.startswith(t(f"field.{field}", "nl") + ":") and en.startswith(t(f"field.{field}", "en") + ":")
    assert nl != en and "validation." not in nl
    assert await repo.count(type(record)) == 0


async def test_two_organisations_never_see_each_others_records(stores):
    a, b = stores.repo("tenant-a"), stores.repo("tenant-b")
    await a.add(Member(name="Anna", user_id="u1"))
    await a.add(Action(title="Alleen van A", owner_id=1))
    await b.add(Member(name="Bram", user_id="u1"))
    assert [m.name for m in await a.list(Member)] == ["Anna"]
    assert [m.name for m in await b.list(Member)] == ["Bram"]
    assert await b.list(Action) == []
    assert await b.get(Action, 1) is None
    assert sorted(stores.org_ids()) == ["tenant-a", "tenant-b"]
    assert len(list(stores.root.glob("org_*.json"))) == 2


async def test_organisation_ids_with_odd_characters_get_their_own_file(tmp_path):
    stores = StoreRegistry(tmp_path)
    for org in ["../etc/passwd", "T0/1", "a b", "E123:T456"]:
        await stores.repo(org).add(Member(name=org))
    files = sorted(p.name for p in stores.root.iterdir() if p.suffix == ".json")
    assert len(files) == 4
    assert all("/" not in f and not f.startswith("..") for f in files)
    assert sorted(StoreRegistry(tmp_path).org_ids()) == sorted(["../etc/passwd", "T0/1", "a b", "E123:T456"])
    with pytest.raises(ValueError):
        stores.repo("")


async def test_add_once_adds_a_key_only_once(stores):
    repo = stores.repo("org-a")
    first = await repo.add_once(JourneyStep(section="1a"), section="1a")
    second = await repo.add_once(JourneyStep(section="1a", status="done"), section="1a")
    assert first is not None and second is None
    assert [s.status for s in await repo.list(JourneyStep)] == ["not_started"]


async def test_revision_notices_adds_removals_and_raised_fields(stores):
    repo = stores.repo("org-a")
    assert await repo.revision(Action, "updated_at") == (0, 0, None)
    first = await repo.add(Action(title="Werkgroep samenstellen", owner_id=1))
    await repo.add(Action(title="Notitie schrijven", owner_id=1))
    assert await repo.revision(Action, "updated_at") == (2, 2, None)
    first.updated_at = NOW
    await repo.update(first)
    assert await repo.revision(Action, "updated_at") == (2, 2, NOW.isoformat())
    await repo.delete(Action, 2)
    assert await repo.revision(Action, "updated_at") == (1, 1, NOW.isoformat())
    assert await stores.repo("org-b").revision(Action, "updated_at") == (0, 0, None)


async def test_organisation_defaults_until_saved(stores):
    repo = stores.repo("org-a")
    org = await repo.organisation()
    assert org.id is None and org.org_id == "org-a"
    org.name = "Provincie"
    await repo.save_organisation(org, now=NOW)
    org2 = await repo.organisation()
    org2.name = "Provincie Utrecht"
    await repo.save_organisation(org2)
    assert [o.name for o in await repo.list(Organisation)] == ["Provincie Utrecht"]


async def test_only_one_coordinator_and_who_may_manage(stores):
    repo = stores.repo("org-a")
    assert await may_manage(repo, "anyone")  # nobody named yet: whoever sets up may
    anna = await repo.add(Member(name="Anna", user_id="u1"))
    bram = await repo.add(Member(name="Bram", user_id="u2"))
    carla = await repo.add(Member(name="Carla", user_id="u3"))
    await set_position(repo, anna, "coordinator")
    await set_position(repo, bram, "backup")
    assert await may_manage(repo, "u1") and await may_manage(repo, "u2")
    assert not await may_manage(repo, "u3")
    await set_position(repo, carla, "coordinator")
    assert (await holder(repo, "coordinator")).name == "Carla"
    assert (await repo.get(Member, anna.id)).position is None


async def test_concurrent_writes_are_all_kept(stores):
    import asyncio

    repo = stores.repo("org-a")
    await asyncio.gather(*(repo.add(Action(title=f"actie {i}")) for i in range(200)))
    fresh = await StoreRegistry(stores.root.parent).repo("org-a").list(Action)
    assert sorted(a.title for a in fresh) == sorted(f"actie {i}" for i in range(200))
    assert len({a.id for a in fresh}) == 200


async def test_a_write_by_another_process_is_seen_and_not_overwritten(tmp_path):
    first = StoreRegistry(tmp_path).repo("org-a")
    second = StoreRegistry(tmp_path).repo("org-a")  # as if `app.py tick` ran beside the server
    await first.add(Action(title="van de server"))
    await second.add(Action(title="van tick"))
    assert [a.title for a in await first.list(Action)] == ["van de server", "van tick"]
    await first.add(Action(title="weer de server"))
    assert len(await second.list(Action)) == 3


async def test_a_corrupt_file_is_kept_aside_not_lost(tmp_path, caplog):
    stores = StoreRegistry(tmp_path)
    await stores.repo("org-a").add(Member(name="Anna"))
    path = stores.root / "org_org-a.json"
    path.write_text("{half")
    repo = StoreRegistry(tmp_path).repo("org-a")
    assert await repo.list(Member) == []
    assert list(stores.root.glob("org_org-a.json.corrupt-*"))


async def test_concurrent_first_saves_of_the_organisation_keep_one(tmp_path):
    repo = StoreRegistry(tmp_path).repo("org-a")
    await asyncio.gather(*(repo.save_organisation(Organisation(name=f"Gemeente {n}")) for n in range(5)))
    saved = await repo.list(Organisation)
    assert len(saved) == 1 and saved[0].name.startswith("Gemeente ")


async def test_finding_by_a_field_follows_changes_to_it(tmp_path):
    repo = StoreRegistry(tmp_path).repo("org-a")
    state = await repo.add(ConversationState(user_id="u1"))
    assert (await repo.find(ConversationState, user_id="u1")).id == state.id
    state.user_id = "u2"
    await repo.update(state)
    assert await repo.find(ConversationState, user_id="u1") is None
    assert (await repo.find(ConversationState, user_id="u2")).id == state.id
    await repo.delete(ConversationState, state.id)
    assert await repo.find(ConversationState, user_id="u2") is None


async def test_finding_by_a_field_follows_another_process_and_other_tables_changing(tmp_path):
    server = StoreRegistry(tmp_path).repo("org-a")
    tick = StoreRegistry(tmp_path).repo("org-a")  # as if `app.py tick` ran beside the server
    state = await server.add(ConversationState(user_id="u1"))
    assert (await server.find(ConversationState, user_id="u1")).id == state.id
    await server.add(Member(name="Anna"))  # another table changed: the index of this one still holds
    assert (await server.find(ConversationState, user_id="u1")).id == state.id
    moved = await tick.get(ConversationState, state.id)
    moved.user_id = "u2"
    await tick.update(moved)
    await asyncio.sleep(0.01)  # past the moment a reader looks at the file again
    assert await server.find(ConversationState, user_id="u1") is None
    assert (await server.find(ConversationState, user_id="u2")).id == state.id
    assert (await server.revision(ConversationState, "user_id"))[2] == "u2"
