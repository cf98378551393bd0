"""Security: nothing happens for an unsigned or stale Slack request or a Teams request without a valid token;
a user of organisation A can never read or change organisation B's records, whatever button value or form
id they forge; only the coordinator (or the backup) changes the working group, the settings, the digest
and the organisation's own knowledge base."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import replace
from typing import Any

import pytest

import app as partnerbot
from adapters.teams.channel import TeamsChannel
from adapters.teams.notifier import TeamsNotifier
from bot.records import Member, Organisation
from bot.repository import StoreRegistry
from knowledge.records import OrgEntry
from tests.conftest import DEFAULT_NOW, live_server
from tests.fakes import teams_activities as ta
from tests.fakes.jwks import FakeEntra, FakeJwks
from tests.fakes.slack import TEAM, SlackEvents, slack_config
from tests.reliability import BACKUP, COORDINATOR, MEMBER, OUTSIDER, populate

ORG_A, ORG_B = "org-a", "org-b"
SECRET = "GEHEIM-B"
"""Words only organisation B's records contain: they must never reach A."""


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


async def _org_b(services) -> tuple[dict[str, Any], Any]:
    """Organisation B with records of every kind whose names carry SECRET; its store file."""
    repo = services.repo(ORG_B)
    ids = await populate(repo, DEFAULT_NOW)
    for member in await repo.list(Member):
        member.name = f"{member.name} {SECRET}"
        await repo.update(member)
    from bot.records import Action, Contract

    action = await repo.get(Action, ids["action"])
    action.title = f"{SECRET} actie"
    await repo.update(action)
    contract = await repo.get(Contract, ids["contract"])
    contract.name = f"{SECRET} contract"
    await repo.update(contract)
    await repo.add(OrgEntry(question=f"{SECRET} vraag?", answer=f"{SECRET} antwoord.", added_by=COORDINATOR))
    return ids, services.stores.store(ORG_B).path


def _forged(ids: dict[str, Any]) -> tuple[list[str], list[tuple[str, dict[str, Any]]]]:
    """Every id-bearing button and form of every feature, with B's record ids."""
    a, c, p, q = ids["action"], ids["contract"], ids["plan"], ids["question"]
    choices = [f"sched:done:{a}", f"sched:snooze:{a}", f"sched:deadline:{a}", f"mon:results:{c}", f"mon:setup:{c}",
               f"mon:stop:{c}", f"mon:eval:{c}", f"mon:report:{p}", f"mon:report:{p}:2026-07-01",
               f"mon:same:{p}:2026-07-01", f"mon:same-ok:{p}:2026-07-01", f"mon:later:{p}:2026-07-01",
               f"kb:reply:{q}", f"kb:add:{q}", f"kb:answer:org:{q}", "kb:answer:org:1", "flow:ans:2Ba:top3:1",
               "flow:next:1b:members", "flow:resume", "mon:confirm", "core:overview", "sched:list:all"]
    forms = [(f"sched:deadline:{a}", {"deadline": "2027-03-01"}),
             (f"mon:report:{p}", {"period": "2026-07-01", "hours": 100, "people": 2}),
             (f"mon:plan:{c}", {"frequency": "month", "reporter": str(ids["member"]), "start_period": "2026-01-01"}),
             (f"mon:eval:{c}", {"impact": "veel"}),
             (f"kb:reply:{q}", {"answer": "overschreven"}),
             (f"kb:add:{q}", {"question": "x?", "answer": "y", "section": "1b"}),
             ("flow:2Ba:top3", {"contracts": [str(c)]}),
             ("flow:2Ba:brainstorm", {"contract": str(c)}),
             ("flow:2Bb:agendas", {"contract": str(c), "date": "2027-02-01"}),
             ("flow:3c:roles", {"role_procurement_expert": str(ids["member"])}),
             ("flow:1d:actions", {"title": "x", "owner": str(ids["member"]), "deadline": "2027-02-01"})]
    return choices, forms


async def test_organisation_a_never_reads_or_changes_b_through_any_button_or_form(server):
    """A's coordinator forges B's record ids into every kind of button and form, on the local API."""
    ids, b_file = await _org_b(server.services)
    before = _digest(b_file)
    await populate(server.services.repo(ORG_A), DEFAULT_NOW)  # A has a working group too, with other names
    choices, forms = _forged(ids)
    for user in (COORDINATOR, OUTSIDER):
        for value in choices:
            replies = await server.say(choice=value, org=ORG_A, user=user)
            shown = json.dumps(replies, ensure_ascii=False)
            assert SECRET not in shown, (value, shown[:300])
            assert replies and replies[0]["text"].strip(), value
        for form_id, values in forms:
            replies = await server.say(form={"id": form_id, "values": values}, org=ORG_A, user=user)
            assert SECRET not in json.dumps(replies, ensure_ascii=False), form_id
        for text in ("alle acties", "monitoring", f"{SECRET} vraag?", "resultaten geheim", "overzicht"):
            assert SECRET not in json.dumps(await server.say(text, org=ORG_A, user=user), ensure_ascii=False)
    assert _digest(b_file) == before, "organisation B's store changed"


async def test_forged_ids_of_another_organisation_get_a_clear_answer_not_someone_elses_record(server):
    """In an organisation without those records, a forged id is 'not found', in the user's language."""
    ids, _ = await _org_b(server.services)
    for value in (f"sched:done:{ids['action']}", f"mon:report:{ids['plan']}", f"kb:reply:{ids['question']}",
                  f"mon:results:{ids['contract']}", f"kb:add:{ids['question']}"):
        text = (await server.say(choice=value, org=ORG_A, user=COORDINATOR))[0]["text"].lower()
        assert any(word in text for word in ("niet", "geen")), (value, text)


async def test_slack_buttons_and_modals_of_another_workspace_do_nothing(tmp_path, clock, slack_api):
    """Slack keeps long values and forms behind a token in the workspace's own store: B's token used from
    A is unknown there."""
    config = replace(slack_config(tmp_path / "data", slack_api), scheduler_interval=0)
    services = partnerbot.build_services(config, clock)
    ids, b_file = await _org_b(services)
    from adapters.slack.records import SlackStash

    b_repo = services.repo(ORG_B)
    await b_repo.add(SlackStash(token="b-form-token", kind="form", created_at=DEFAULT_NOW, data={
        "form": {"id": f"kb:reply:{ids['question']}", "title": "Antwoord", "fields": [
            {"name": "answer", "label": "Antwoord", "type": "textarea", "required": True}]},
        "to": {"org_id": ORG_B, "user_id": "U0ANNA", "channel": "D0ANNA"}}))
    await b_repo.add(SlackStash(token="b-value-token", kind="value", created_at=DEFAULT_NOW,
                                data={"value": f"sched:done:{ids['action']}"}))
    before = _digest(b_file)
    async with live_server(services) as live:
        events = SlackEvents(live.session, live.url, slack_api)  # every request comes from workspace TEAM (= A)
        status, _ = await events.click({"action_id": "choice:0", "text": {"type": "plain_text", "text": "x"},
                                        "value": "stash:b-value-token"})
        assert status == 200
        status, _ = await events.submit({"id": "V1", "type": "modal", "callback_id": "partnerbot_form",
                                         "private_metadata": json.dumps({"token": "b-form-token"})},
                                        {"answer": {"answer": {"type": "plain_text_input", "value": "x"}}})
        assert status == 200
        status, _ = await events.click({"action_id": "form_open:0", "text": {"type": "plain_text", "text": "x"},
                                        "value": "b-form-token"})
        assert status == 200
        await slack_api.wait_for(lambda: len(slack_api.messages()) >= 2)
    assert _digest(b_file) == before
    assert all(SECRET not in json.dumps(m, ensure_ascii=False) for m in slack_api.messages())
    assert not slack_api.sent("views.open")  # B's form is not opened for A
    assert TEAM != ORG_B


# -- who may change what ------------------------------------------------------------------------------------

PROTECTED: list[tuple[str, dict[str, Any]]] = [
    ("text", {"text": "instellingen"}),
    ("form", {"form": {"id": "core:settings", "values": {"name": "Overgenomen", "language": "en",
                                                           "timezone": "UTC"}}}),
    ("text", {"text": "digest dag vrijdag"}),
    ("text", {"text": "digest tijd 07:00"}),
    ("form", {"form": {"id": "sched:digest", "values": {"weekday": "4", "time": "07:00"}}}),
    ("choice", {"choice": "sched:digest"}),
    ("text", {"text": "gebruik dit kanaal voor de werkgroep"}),
    ("form", {"form": {"id": "flow:1b:members", "values": {"name": "Indringer", "roles": ["hr_expert"],
                                                             "position": "coordinator"}}}),
    ("form", {"form": {"id": "flow:1b:members", "values": {"name": "Carla Coördinator", "roles": ["executive"],
                                                             "position": "none"}}}),
    ("form", {"form": {"id": "flow:3c:roles", "values": {"role_procurement_expert": "3",
                                                           "role_internal_client": "3"}}}),
    ("choice", {"choice": "kb:add:{question}"}),
    ("form", {"form": {"id": "kb:add:{question}", "values": {"question": "Mag een BV meedoen?", "answer": "Nee",
                                                              "section": "1b"}}}),
]


async def _shared_state(repo) -> tuple[Any, ...]:
    org = await repo.organisation()
    members = [(m.name, m.user_id, tuple(m.roles), m.position, m.active) for m in await repo.list(Member)]
    entries = [(e.question, e.answer) for e in await repo.list(OrgEntry)]
    return (org.name, org.language, org.timezone, org.digest_weekday, org.digest_time,
            json.dumps(org.group_conversation), members, entries)


@pytest.mark.parametrize("user", [MEMBER, OUTSIDER])
async def test_only_the_coordinator_or_backup_changes_group_settings_digest_and_knowledge(server, user):
    repo = server.services.repo(ORG_A)
    ids = await populate(repo, DEFAULT_NOW)
    org = await repo.organisation(Organisation())
    org.name = "Gemeente A"
    await repo.save_organisation(org, now=DEFAULT_NOW)
    before = await _shared_state(repo)
    for _, body in PROTECTED:
        body = json.loads(json.dumps(body).replace("{question}", str(ids["question"])))
        replies = await server.say(org=ORG_A, user=user, **body)
        assert replies and replies[0]["text"].strip()
        assert replies[0]["form"] is None or replies[0]["form"]["id"] != "core:settings", body
    assert await _shared_state(repo) == before


@pytest.mark.parametrize("user", [COORDINATOR, BACKUP])
async def test_the_coordinator_and_backup_may(server, user):
    repo = server.services.repo(ORG_A)
    await populate(repo, DEFAULT_NOW)
    replies = await server.say(org=ORG_A, user=user, form={"id": "core:settings", "values": {
        "name": f"Gemeente van {user}", "language": "nl", "timezone": "Europe/Amsterdam"}})
    assert f"Gemeente van {user}" in replies[0]["text"]
    await server.say(org=ORG_A, user=user, form={"id": "flow:1b:members", "values": {
        "name": "Nieuw Lid", "roles": ["hr_expert"], "position": "none"}})
    assert "Nieuw Lid" in [m.name for m in await repo.list(Member)]
    assert (await repo.organisation()).name == f"Gemeente van {user}"


# -- requests that are not who they say ----------------------------------------------------------------------

async def test_unsigned_or_stale_slack_requests_change_nothing(tmp_path, clock, slack_api):
    config = replace(slack_config(tmp_path / "data", slack_api), scheduler_interval=0)
    services = partnerbot.build_services(config, clock)
    async with live_server(services) as live:
        events = SlackEvents(live.session, live.url, slack_api)
        click = {"action_id": "choice:0", "text": {"type": "plain_text", "text": "x"}, "value": "sched:new"}
        for kwargs in ({"secret": "wrong"}, {"timestamp": int(time.time()) - 10 * 60},
                       {"signature": "v0=" + "0" * 64}, {"timestamp": int(time.time()) + 10 * 60}):
            assert (await events.dm("nieuwe actie bellen op 1-2-2027", **kwargs))[0] == 401
            assert (await events.interaction({"type": "block_actions", "team": {"id": TEAM}, "user": {"id": "U1"},
                                              "actions": [click]}, **kwargs))[0] == 401
    assert StoreRegistry(config.data_dir).org_ids() == []
    assert slack_api.attempts == []


async def test_teams_requests_without_a_valid_token_change_nothing(config, clock, bot_connector):
    jwks = await FakeJwks().start()
    try:
        config = replace(config, microsoft_app_id="00000000-0000-0000-0000-0000000000a1",
                         microsoft_app_password="s3cret", microsoft_app_tenant_id=ta.TENANT,
                         microsoft_jwks_url=jwks.url, scheduler_interval=0)
        services = partnerbot.build_services(config, clock)
        services.notifiers["teams"] = TeamsNotifier(TeamsChannel(services, connections=FakeEntra()))
        async with live_server(services) as live:
            app_id, url, hour_ago = config.microsoft_app_id, bot_connector.url, int(time.time()) - 3600
            for header in (None, "Bearer junk", f"Bearer {jwks.token('another-bot', url)}",
                           f"Bearer {jwks.token(app_id, url, key=FakeJwks().key)}",
                           f"Bearer {jwks.token(app_id, url, exp=hour_ago, nbf=hour_ago - 60, iat=hour_ago - 60)}"):
                for activity in (ta.personal_message(bot_connector.url, "instellingen"), ta.personal_install(
                        bot_connector.url), ta.submit_message(bot_connector.url, {"partnerbot": {
                            "kind": "choice", "value": "sched:new"}}, card_message="1")):
                    status, body = await ta.post_activity(live.session, live.url, activity,
                                                          headers={"Authorization": header} if header else {})
                    assert status == 401 and body["error"]
    finally:
        await jwks.stop()
    assert bot_connector.sent == []
    assert StoreRegistry(config.data_dir).org_ids() == []
