"""/api/messages with Teams credentials configured: only valid Bot Service tokens get in; everything
else is a 401 (never a 500), decided without going to the internet (the signing keys come from a fake).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

import app as partnerbot
from adapters.teams.channel import TeamsChannel
from adapters.teams.notifier import TeamsNotifier
from tests.conftest import live_server
from tests.fakes import teams_activities as ta
from tests.fakes.jwks import FakeEntra, FakeJwks, new_key

APP_ID = "0f3b6c2e-5d7a-4f41-9b8e-2c1d4e6a7b90"


@pytest.fixture
async def jwks() -> AsyncIterator[FakeJwks]:
    fake = await FakeJwks().start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def secured(config, clock, jwks):
    config = replace(config, microsoft_app_id=APP_ID, microsoft_app_password="s3cret",
                     microsoft_app_tenant_id=ta.TENANT, microsoft_app_type="SingleTenant",
                     microsoft_jwks_url=jwks.url)
    services = partnerbot.build_services(config, clock)
    services.notifiers["teams"] = TeamsNotifier(TeamsChannel(services, connections=FakeEntra()))
    async with live_server(services) as live:
        yield live


async def post(server, activity, authorization: str | None):
    headers = {"Authorization": authorization} if authorization is not None else {}
    return await ta.post_activity(server.session, server.url, activity, headers=headers)


@pytest.mark.parametrize("authorization", [None, "", "Bearer junk", "Bearer", "Basic dXNlcjpwdw==",
                                           "Bearer a.b.c", "Bearer x.y.z extra", "bearer " + "A" * 6000])
async def test_requests_without_a_valid_token_are_refused(secured, bot_connector, jwks, authorization):
    status, body = await post(secured, ta.personal_message(bot_connector.url, "hallo"), authorization)
    assert status == 401 and "error" in body
    assert bot_connector.sent == [] and jwks.requests == 0  # junk never makes the server fetch keys


async def test_a_token_for_another_bot_is_refused_without_fetching_keys(secured, bot_connector, jwks):
    token = jwks.token("some-other-bot", bot_connector.url)
    status, _ = await post(secured, ta.personal_message(bot_connector.url, "hallo"), f"Bearer {token}")
    assert status == 401 and jwks.requests == 0 and bot_connector.sent == []


@pytest.mark.parametrize("kid", ["bot-service-key-1", "someone-elses-key"])
async def test_a_token_signed_by_an_unknown_key_is_refused(secured, bot_connector, jwks, kid):
    forged = jwks.token(APP_ID, bot_connector.url, key=new_key(), kid=kid)
    status, _ = await post(secured, ta.personal_message(bot_connector.url, "hallo"), f"Bearer {forged}")
    assert status == 401 and bot_connector.sent == []
    assert jwks.requests >= 1  # the keys were checked, at the local fake


async def test_an_expired_token_is_refused(secured, bot_connector, jwks):
    token = jwks.token(APP_ID, bot_connector.url, exp=1_000_000_000, nbf=999_000_000, iat=999_000_000)
    status, _ = await post(secured, ta.personal_message(bot_connector.url, "hallo"), f"Bearer {token}")
    assert status == 401 and bot_connector.sent == []


async def test_a_valid_token_gets_an_answer_sent_with_the_bots_own_token(secured, bot_connector, jwks):
    token = jwks.token(APP_ID, bot_connector.url)
    status, _ = await post(secured, ta.personal_message(bot_connector.url, "hallo"), f"Bearer {token}")
    assert status in (200, 202)
    (reply,) = bot_connector.sent
    assert reply.authorization == "Bearer fake-entra-token"


async def test_a_token_for_another_service_url_is_refused(secured, bot_connector, jwks):
    token = jwks.token(APP_ID, "https://smba.trafficmanager.net/emea/")
    status, _ = await post(secured, ta.personal_message(bot_connector.url, "hallo"), f"Bearer {token}")
    assert status == 401 and bot_connector.sent == []


async def test_anonymous_mode_refuses_a_malformed_header(server, bot_connector):
    status, _ = await post(server, ta.personal_message(bot_connector.url, "hallo"), "Basic dXNlcjpwdw==")
    assert status == 401 and bot_connector.sent == []


async def test_teams_is_off_without_credentials_when_not_on_loopback(config, clock, bot_connector):
    services = partnerbot.build_services(replace(config, host="0.0.0.0"), clock)
    async with live_server(services) as live:  # (the test still listens on 127.0.0.1 only)
        status, body = await post(live, ta.personal_message(bot_connector.url, "hallo"), None)
    assert status == 503 and "not configured" in body["error"]
    assert bot_connector.sent == []


async def test_partial_credentials_switch_teams_off(config, clock, bot_connector):
    services = partnerbot.build_services(replace(config, microsoft_app_id=APP_ID), clock)
    async with live_server(services) as live:
        status, _ = await post(live, ta.personal_message(bot_connector.url, "hallo"), None)
    assert status == 503 and bot_connector.sent == []
