"""The local channel contract of DESIGN.md: messages, notifications, errors, size limit and token rule."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import aiohttp
import pytest

from bot.config import Config
from bot.messages import Attachment, Choice, Reply
from bot.notify import Target
from bot.records import Organisation
from tests.conftest import live_server

REPLY_KEYS = {"text", "section", "choices", "form", "attachments"}


async def test_text_message_answers_replies_in_the_contract_shape(server):
    replies = await server.say("hallo")
    assert replies and all(set(r) == REPLY_KEYS for r in replies)
    assert all(set(c) == {"label", "value"} for c in replies[0]["choices"])


async def test_choice_and_form_round_trip(server):
    replies = await server.say(choice="core:settings")
    form = replies[0]["form"]
    assert form["id"] == "core:settings"
    assert [f["name"] for f in form["fields"]] == ["name", "language", "timezone"]
    assert all({"name", "label", "type", "required", "options"} <= set(f) for f in form["fields"])
    replies = await server.say(form={"id": "core:settings", "values": {
        "name": "Gemeente Zeist", "language": "nl", "timezone": "Europe/Amsterdam"}})
    assert "Gemeente Zeist" in replies[0]["text"]
    org = await server.services.repo("demo").organisation()
    assert (org.name, org.language, org.timezone) == ("Gemeente Zeist", "nl", "Europe/Amsterdam")
    # the form again shows what is stored
    replies = await server.say("instellingen")
    assert replies[0]["form"]["fields"][0]["value"] == "Gemeente Zeist"


async def test_invalid_form_values_are_explained_and_nothing_is_stored(server):
    replies = await server.say(form={"id": "core:settings", "values": {
        "name": "", "language": "fr", "timezone": "Europe/Amsterdam"}})
    text = replies[0]["text"]
    assert "verplicht" in text and "'fr'" in text
    assert replies[0]["form"]["id"] == "core:settings"
    assert (await server.services.repo("demo").list(Organisation)) == []


async def test_unknown_form_gets_a_clear_message(server):
    replies = await server.say(form={"id": "nope:1", "values": {}})
    assert "formulier" in replies[0]["text"].lower()


@pytest.mark.parametrize("raw, problem", [
    (b"{not json", "JSON"),
    (b"[1, 2]", "object"),
    (json.dumps({"user": "u1", "text": "hoi"}).encode(), "'org'"),
    (json.dumps({"org": "demo", "text": "hoi"}).encode(), "'user'"),
    (json.dumps({"org": "demo", "user": "u1"}).encode(), "exactly one"),
    (json.dumps({"org": "demo", "user": "u1", "text": "a", "choice": "b"}).encode(), "exactly one"),
    (json.dumps({"org": "demo", "user": "u1", "text": 42}).encode(), "string"),
    (json.dumps({"org": 7, "user": "u1", "text": "x"}).encode(), "'org'"),
    (json.dumps({"org": "demo", "user": "u1", "form": {"values": {}}}).encode(), "'form'"),
    (json.dumps({"org": "demo", "user": "u1", "form": {"id": "x", "values": [1]}}).encode(), "values"),
    (json.dumps({"org": "", "user": "u1", "text": "x"}).encode(), "org"),
    ("\xff\xfe".encode("latin-1"), "JSON"),
])
async def test_malformed_requests_answer_400_with_an_error(server, raw, problem):
    async with server.session.post(server.url + "/api/local/messages", data=raw,
                                   headers={"Content-Type": "application/json"}) as resp:
        assert resp.status == 400
        body = await resp.json()
    assert problem in body["error"]


async def test_a_body_over_64_kib_answers_413(server):
    big = json.dumps({"org": "demo", "user": "u1", "text": "x" * (65 * 1024)}).encode()
    async with server.session.post(server.url + "/api/local/messages", data=big) as resp:
        assert resp.status == 413
        assert "64 KiB" in (await resp.json())["error"]

    async def chunks():
        for _ in range(70):
            yield b"x" * 1024

    async with server.session.post(server.url + "/api/local/messages", data=chunks()) as resp:
        assert resp.status == 413


async def test_notifications_list_what_was_delivered_to_the_user_and_the_group(server, clock):
    notifier = server.services.notifiers["local"]
    await notifier.deliver(Target("demo", "local", "user", user_id="u1"), [Reply(text="Voor jou", section="1d")],
                           key="nudge:1:2026-11-23")
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    await notifier.deliver(Target("demo", "local", "group", conversation_id="wg"),
                           [Reply(text="Weekoverzicht", choices=[Choice("Acties", "acties")],
                                  attachments=[Attachment("plan.md", "text/markdown", data=b"# Plan")])],
                           key="digest:demo:2026-W48")
    await notifier.deliver(Target("demo", "local", "user", user_id="u2"), [Reply(text="Voor Bram")], key="x:1")
    # delivering the same key again (a retry) leaves one item
    await notifier.deliver(Target("demo", "local", "user", user_id="u1"), [Reply(text="Voor jou", section="1d")],
                           key="nudge:1:2026-11-23")
    items = await server.notifications(user="u1")
    assert [i["key"] for i in items] == ["nudge:1:2026-11-23", "digest:demo:2026-W48"]
    assert [i["to"] for i in items] == ["user", "group"]
    assert items[0]["section"] == "1d" and items[0]["sent_at"].startswith("2026-11-23T08:00")
    assert set(items[1]) == REPLY_KEYS | {"key", "sent_at", "to"}
    url = items[1]["attachments"][0]["url"]
    async with server.session.get(server.url + url) as resp:
        assert resp.status == 200 and await resp.read() == b"# Plan"
        assert resp.headers["Content-Type"].startswith("text/markdown")
    assert [i["text"] for i in await server.notifications(user="u2")] == ["Weekoverzicht", "Voor Bram"]
    assert await server.notifications(user="u1", org="other") == []


async def test_notifications_need_org_and_user(server):
    for params in ({"org": "demo"}, {"user": "u1"}, {}):
        async with server.session.get(server.url + "/api/local/notifications", params=params) as resp:
            assert resp.status == 400
            assert "error" in await resp.json()


async def test_healthz_reports_version_and_channels(server):
    async with server.session.get(server.url + "/healthz") as resp:
        body = await resp.json()
    assert resp.status == 200
    assert body["status"] == "ok" and body["version"]
    assert body["channels"] == {"local": True, "teams": False, "slack": False}


async def test_unknown_file_links_are_404(server):
    async with server.session.get(server.url + "/files/AAAAAAAAAAAAAAAAAAAAAAAAAAAA/x.md") as resp:
        assert resp.status == 404


async def _status(services, headers=None) -> tuple[int, dict]:
    async with live_server(services) as live, live.session.post(
            live.url + "/api/local/messages", json={"org": "demo", "user": "u1", "text": "hoi"},
            headers=headers or {}) as resp:
        return resp.status, await resp.json()


async def test_not_on_loopback_and_no_token_the_api_is_off(tmp_path, clock):
    import app as partnerbot

    services = partnerbot.build_services(Config(host="0.0.0.0", data_dir=tmp_path), clock)
    status, body = await _status(services)
    assert status == 403 and "LOCAL_CHAT_TOKEN" in body["error"]


async def test_not_on_loopback_the_token_is_required(tmp_path, clock):
    import app as partnerbot

    services = partnerbot.build_services(Config(host="0.0.0.0", data_dir=tmp_path, local_chat_token="s3cret"),
                                         clock)
    assert (await _status(services))[0] == 401
    assert (await _status(services, {"Authorization": "Bearer wrong"}))[0] == 401
    assert (await _status(services, {"Authorization": "Basic s3cret"}))[0] == 401
    status, body = await _status(services, {"Authorization": "Bearer s3cret"})
    assert status == 200 and body["replies"]


async def test_a_token_guards_loopback_too_when_set(tmp_path, clock):
    import app as partnerbot

    services = partnerbot.build_services(Config(data_dir=tmp_path, local_chat_token="s3cret"), clock)
    assert (await _status(services))[0] == 401
    async with live_server(services) as live, live.session.get(
            live.url + "/api/local/notifications", params={"org": "demo", "user": "u1"}) as resp:
        assert resp.status == 401


async def test_serve_binds_where_configured_and_answers(server_process):
    server_process.start()
    async with aiohttp.ClientSession() as session:
        async with session.get(server_process.url + "/healthz") as resp:
            assert resp.status == 200
        async with session.post(server_process.url + "/api/local/messages",
                                json={"org": "demo", "user": "u1", "text": "help"}) as resp:
            assert resp.status == 200
            assert "Partnerbot" in (await resp.json())["replies"][0]["text"]
