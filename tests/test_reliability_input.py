"""Bad input: generated messages, button values and form values (unicode, very long text, control
characters, wrong types) straight into the router, and generated bodies into the HTTP endpoints.

No turn may end in the router's "sorry, something went wrong" (an exception a feature let through), no
request may get a 5xx, and every refusal is a 4xx with an error message. The in-router tests carry most
of the examples (they are fast); the HTTP ones fewer. Over the suite this is more than 10,000 examples.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import app as partnerbot
from bot.config import Config
from bot.messages import Reply
from bot.repository import StoreRegistry
from tests.conftest import DEFAULT_NOW, live_server
from tests.fakes.bot_connector import FakeConnector
from tests.fakes.slack import SIGNING_SECRET, FakeSlack, SlackEvents, slack_config
from tests.fakes.teams_activities import TENANT, personal_message
from tests.reliability import COORDINATOR, MEMBER, OUTSIDER, incoming, offered, populate, watch_failures

ORG = "fuzz-org"
USERS = (COORDINATOR, MEMBER, OUTSIDER)
ROUTER_EXAMPLES = int(os.environ.get("FUZZ_ROUTER", 3000))
HTTP_EXAMPLES = int(os.environ.get("FUZZ_HTTP", 400))
FUZZ = settings(deadline=None, database=None, derandomize=True, print_blob=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

# -- strategies ---------------------------------------------------------------------------------------------
ANY_CHAR = st.characters(codec=None, categories=None)  # every code point, lone surrogates and controls included
CONTROLS = st.characters(min_codepoint=0, max_codepoint=0x1F) | st.sampled_from("\x7f\u200b\u202e\ufeff\u2028")
texts = st.one_of(
    st.text(ANY_CHAR, max_size=60),
    st.text(CONTROLS | st.characters(), max_size=40),
    st.text(st.characters(), min_size=1990, max_size=2010),
    st.builds(lambda n: "a" * n, st.integers(3000, 70_000)),
    st.builds(lambda w, s: f"{w} {s}", st.sampled_from(
        ["nieuwe actie", "klaar", "done", "stap", "taal", "resultaten", "cijfers doorgeven", "digest dag",
         "digest tijd", "evaluatie", "monitoring instellen voor", "wie doet", "wat is"]),
        st.text(ANY_CHAR, max_size=30)),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2 ** 70), 2 ** 70),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(ANY_CHAR, max_size=40),
                    st.sampled_from(["", " ", "2026-13-45", "31-02-2027", "1e308", "-1", "NaN", "0x10", "12:99",
                                     "2027-01-15", "25:00", "me"]))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)


def _mutate(value: str, draw: Any) -> str:
    """A real value, or one with its id swapped for another number or junk, or cut short."""
    head = value.rpartition(":")[0]
    kind = draw(st.integers(0, 4))
    if kind == 0 or not head:
        return value
    if kind == 1:
        return f"{head}:{draw(st.integers(-5, 10 ** 12))}"
    if kind == 2:
        return f"{head}:{draw(st.text(ANY_CHAR, max_size=12))}"
    if kind == 3:
        return head + ":"
    return value + draw(st.text(ANY_CHAR, max_size=8))


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def world(loop, tmp_path_factory):
    """One organisation with records of every kind, and the buttons and forms the bot offers there."""
    config = Config(host="127.0.0.1", port=0, data_dir=tmp_path_factory.mktemp("fuzz") / "data",
                    scheduler_interval=0)
    from bot.clock import FixedClock

    services = partnerbot.build_services(config, FixedClock(DEFAULT_NOW))
    ids = loop.run_until_complete(populate(services.repo(ORG), DEFAULT_NOW))
    choices: set[str] = set()
    forms: dict[str, set[str]] = {}
    for user in USERS:
        more_choices, more_forms = loop.run_until_complete(offered(services, ORG, user, ids))
        choices |= more_choices
        for form_id, names in more_forms.items():
            forms.setdefault(form_id, set()).update(names)
    return services, sorted(choices), {k: sorted(v) for k, v in sorted(forms.items())}


def _turn(loop, services, message) -> list[Reply]:
    with watch_failures() as watch:
        replies = loop.run_until_complete(asyncio.wait_for(services.router.handle(message), 30))
    assert not watch.failures, watch.failures
    assert replies and all(isinstance(r, Reply) for r in replies)
    return replies


def test_the_seed_reaches_every_feature(world):
    _, choices, forms = world
    for prefix in ("core:", "sched:", "mon:", "flow:", "kb:"):
        assert any(c.startswith(prefix) for c in choices), prefix
    assert any(f.startswith("flow:") for f in forms) and any(f.startswith("sched:") for f in forms)


@settings(FUZZ, max_examples=ROUTER_EXAMPLES)
@given(data=st.data())
def test_any_text_gets_an_answer(loop, world, data):
    services, _, _ = world
    _turn(loop, services, incoming(ORG, data.draw(st.sampled_from(USERS)), text=data.draw(texts)))


@settings(FUZZ, max_examples=ROUTER_EXAMPLES)
@given(data=st.data())
def test_any_button_value_gets_an_answer(loop, world, data):
    services, choices, _ = world
    value = data.draw(st.sampled_from(choices).map(lambda v: _mutate(v, data.draw)) | st.text(ANY_CHAR, max_size=40))
    if not value.strip():
        value = "x" + value
    _turn(loop, services, incoming(ORG, data.draw(st.sampled_from(USERS)), choice=value))


@settings(FUZZ, max_examples=ROUTER_EXAMPLES)
@given(data=st.data())
def test_any_form_submission_gets_an_answer(loop, world, data):
    services, _, forms = world
    form_id = data.draw(st.sampled_from(sorted(forms)))
    names = forms[form_id]
    values = data.draw(st.dictionaries(st.sampled_from(names) | st.text(max_size=6), json_values, max_size=8)
                       if names else st.dictionaries(st.text(max_size=6), json_values, max_size=3))
    form_id = data.draw(st.just(form_id) | st.just(_mutate(form_id, data.draw)))
    _turn(loop, services, incoming(ORG, data.draw(st.sampled_from(USERS)), form=(form_id, values)))


NOT_QUITE_NUMBERS = ("²", "³⁴", "١٢", "٣", "1" * 5000, "0", "-1", "1_000", " 7", "𝟕")
"""Ids that pass `str.isdigit()` but not int() ('²', thousands of digits), or that int() reads oddly."""


def test_a_button_form_or_typed_number_that_is_no_plain_number_gets_an_answer(loop, world):
    """Found by the generated examples: a form id ending in '²' crashed the evaluation form (int('²'))."""
    services, choices, forms = world
    heads = sorted({v.rpartition(":")[0] for v in [*choices, *forms] if ":" in v})
    for head in heads:
        for junk in NOT_QUITE_NUMBERS:
            _turn(loop, services, incoming(ORG, COORDINATOR, choice=f"{head}:{junk}"))
            _turn(loop, services, incoming(ORG, COORDINATOR, form=(f"{head}:{junk}", {})))
    for junk in NOT_QUITE_NUMBERS:
        for typed in ("klaar {}", "done {}", "{}", "stap {}", "snooze {}"):
            _turn(loop, services, incoming(ORG, COORDINATOR, text=typed.format(junk)))


def test_a_question_for_a_person_of_only_control_characters_is_asked_again(loop, world):
    """Found by the generated examples: '\x1b' passed the form's "required" check, then failed when stored."""
    services, _, _ = world
    [again] = _turn(loop, services, incoming(ORG, COORDINATOR, form=("kb:handoff", {"question": "\x1b\u200b \x07"})))
    assert again.form is not None and again.form.id == "kb:handoff"


def test_the_store_still_loads_after_the_fuzzing(world):
    services, _, _ = world
    fresh = StoreRegistry(services.config.data_dir).repo(ORG)
    assert not list(fresh._store.path.parent.glob("*.corrupt-*"))
    assert json.loads(fresh._store.path.read_text("utf-8"))


# -- over HTTP ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def http(loop, tmp_path_factory):
    """The whole app with Slack configured (fake Web API) and Teams in anonymous mode (fake connector)."""
    async def start():
        slack = await FakeSlack().start()
        connector = await FakeConnector().start()
        config = slack_config(tmp_path_factory.mktemp("http") / "data", slack)
        config = Config(**{**{f: getattr(config, f) for f in config.__slots__}, "scheduler_interval": 0})
        from bot.clock import FixedClock

        services = partnerbot.build_services(config, FixedClock(DEFAULT_NOW))
        context = live_server(services)
        live = await context.__aenter__()
        return slack, connector, context, live

    slack, connector, context, live = loop.run_until_complete(start())
    yield live, slack, connector
    loop.run_until_complete(context.__aexit__(None, None, None))
    loop.run_until_complete(connector.stop())
    loop.run_until_complete(slack.stop())


async def _post(live, path: str, *, raw: bytes, headers: dict[str, str]) -> tuple[int, bytes, str]:
    async with live.session.post(live.url + path, data=raw, headers=headers) as resp:
        return resp.status, await resp.read(), resp.content_type


def _assert_handled(status: int, body: bytes, content_type: str) -> None:
    assert status < 500, body[:300]
    if status >= 400 and content_type == "application/json":
        error = json.loads(body).get("error")
        assert isinstance(error, str) and error.strip(), body[:300]


def _dumps(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode("utf-8", "surrogatepass")


local_bodies = st.one_of(
    st.fixed_dictionaries({"org": st.sampled_from(["demo", "", " ", "x" * 201, "org\x00", 5]) | st.text(ANY_CHAR),
                           "user": st.sampled_from(["u1", "", 7, None]) | st.text(ANY_CHAR, max_size=10)},
                          optional={"name": json_values, "text": texts | json_values, "choice": json_values,
                                    "form": json_values | st.fixed_dictionaries({"id": json_values,
                                                                                 "values": json_values}),
                                    "group": json_values, "conversation": json_values}),
    json_values,
)


@settings(FUZZ, max_examples=HTTP_EXAMPLES)
@given(body=local_bodies)
def test_local_api_answers_any_body_without_a_5xx(loop, http, body):
    live, _, _ = http
    status, raw, kind = loop.run_until_complete(_post(live, "/api/local/messages", raw=_dumps(body),
                                                      headers={"Content-Type": "application/json"}))
    _assert_handled(status, raw, kind)
    if status == 200:
        assert isinstance(json.loads(raw)["replies"], list)


activity_bodies = st.builds(
    lambda base, extra, drop: {**{k: v for k, v in base.items() if k not in drop}, **extra},
    st.builds(lambda text: personal_message("http://127.0.0.1:9/", text), texts),
    st.dictionaries(st.sampled_from(["type", "text", "value", "conversation", "from", "channelData", "serviceUrl",
                                     "entities", "recipient", "id", "replyToId", "name"]), json_values, max_size=3),
    st.sets(st.sampled_from(["type", "conversation", "from", "channelData", "serviceUrl", "id"]), max_size=2),
) | json_values


@settings(FUZZ, max_examples=HTTP_EXAMPLES)
@given(body=activity_bodies)
def test_teams_endpoint_answers_any_activity_without_a_5xx(loop, http, body):
    live, _, connector = http
    if isinstance(body, dict) and isinstance(body.get("serviceUrl"), str):
        body["serviceUrl"] = connector.url  # replies go to the fake connector, never elsewhere
    status, raw, kind = loop.run_until_complete(_post(live, "/api/messages", raw=_dumps(body),
                                                      headers={"Content-Type": "application/json"}))
    _assert_handled(status, raw, kind)


slack_payloads = st.one_of(
    st.builds(lambda text, user: ("event", {"type": "message", "channel": "D0ANNA", "user": user, "text": text,
                                            "ts": "1700000000.000100", "channel_type": "im"}),
              texts | json_values, st.sampled_from(["U0ANNA", ""]) | json_values),
    st.builds(lambda value: ("click", value), st.text(ANY_CHAR, max_size=60) | json_values),
    st.builds(lambda body: ("raw", body), json_values),
)


@settings(FUZZ, max_examples=HTTP_EXAMPLES)
@given(payload=slack_payloads)
def test_slack_endpoint_answers_any_signed_payload_without_a_5xx(loop, http, payload):
    live, slack, _ = http
    kind, content = payload

    async def send() -> tuple[int, str]:
        events = SlackEvents(live.session, live.url, slack)
        if kind == "event":
            return await events.event(content)
        if kind == "click":
            return await events.click({"action_id": "choice:0", "text": {"type": "plain_text", "text": "x"},
                                       "value": content if isinstance(content, str) else json.dumps(content)})
        return await events.post(_dumps(content), "application/json")

    status, text = loop.run_until_complete(send())
    assert status < 500, text[:300]


# -- fixed malformed requests --------------------------------------------------------------------------------

MALFORMED = [
    ("/api/local/messages", b"{not json", {"Content-Type": "application/json"}, 400),
    ("/api/local/messages", b"\xff\xfe\x00", {"Content-Type": "application/json"}, 400),
    ("/api/local/messages", b"org=demo&user=u1&text=hoi", {"Content-Type": "application/x-www-form-urlencoded"},
     400),
    ("/api/local/messages", b"[]", {"Content-Type": "application/json"}, 400),
    ("/api/local/messages", b'{"org": "demo", "user": "u1", "text": "' + b"a" * 70_000 + b'"}',
     {"Content-Type": "application/json"}, 413),
    ("/api/local/messages", b"", {"Content-Type": "application/json"}, 400),
    ("/api/messages", b"{not json", {"Content-Type": "application/json"}, 400),
    ("/api/messages", b"<activity/>", {"Content-Type": "text/xml"}, 400),
    ("/api/messages", b"{}", {"Content-Type": "application/json", "Authorization": "Bearer junk"}, 401),
    ("/api/messages", b'{"type": "message"}', {"Content-Type": "application/json", "Authorization": "Bearer a.b.c"},
     None),
    ("/api/messages", b"x" * (600 * 1024), {"Content-Type": "application/json"}, 413),
    ("/slack/events", b"{}", {"Content-Type": "application/json"}, 401),
    ("/slack/events", b"payload=%7B", {"Content-Type": "application/x-www-form-urlencoded",
                                        "X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"}, 401),
]


@pytest.mark.parametrize(("path", "raw", "headers", "expected"), MALFORMED)
def test_malformed_requests_get_a_4xx_with_a_message(loop, http, path, raw, headers, expected):
    live, _, _ = http
    status, body, kind = loop.run_until_complete(_post(live, path, raw=raw, headers=headers))
    assert 400 <= status < 500, (status, body[:200])
    if expected is not None:
        assert status == expected, (status, body[:200])
    _assert_handled(status, body, kind)


def test_a_signed_slack_request_that_is_no_json_is_refused_quietly(loop, http):
    live, slack, _ = http
    events = SlackEvents(live.session, live.url, slack)
    for body, kind in ((b"{broken", "application/json"), (b"payload=%7Bbroken", "application/x-www-form-urlencoded")):
        status, _ = loop.run_until_complete(events.post(body, kind, secret=SIGNING_SECRET))
        assert status < 500


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 10 ** 400])
def test_numbers_json_cannot_hold_are_refused_or_answered(loop, http, value):
    live, _, _ = http
    raw = json.dumps({"org": "demo", "user": "u1", "form": {"id": "sched:new", "values": {"deadline": 1,
                                                                                          "title": "x", "n": 0}}})
    raw = raw.replace('"n": 0', f'"n": {value if isinstance(value, int) else json.dumps(value)}')
    status, body, kind = loop.run_until_complete(_post(live, "/api/local/messages", raw=raw.encode(),
                                                       headers={"Content-Type": "application/json"}))
    _assert_handled(status, body, kind)


def test_a_wrong_teams_tenant_type_is_ignored_not_failed(loop, http):
    live, _, connector = http

    async def go() -> int:
        activity = personal_message(connector.url, "hoi")
        activity["channelData"] = {"tenant": {"id": ["not", "a", "string"]}}
        activity["conversation"]["tenantId"] = {"id": TENANT}
        async with aiohttp.ClientSession() as session, session.post(live.url + "/api/messages", json=activity) as r:
            return r.status

    assert loop.run_until_complete(go()) < 500


# -- text that JSON can carry but UTF-8 cannot ----------------------------------------------------------------

def test_a_lone_surrogate_in_any_field_is_answered_and_the_store_keeps_working(loop, world):
    """JSON's \\ud800 escape gives a string UTF-8 cannot hold; once stored, no write of the organisation
    would ever finish. The router takes such characters out of every value."""
    services, _, _ = world
    odd = "Schoon\ud800 BV\udfff"
    from bot.records import Member

    owner = str(loop.run_until_complete(services.repo(ORG).find(Member, user_id=MEMBER)).id)
    for message in (incoming(ORG, MEMBER, text=f"wat is {odd}?"),
                    incoming(ORG, MEMBER, choice=f"kb:answer:{odd}"),
                    incoming(ORG, COORDINATOR, form=("sched:new", {"title": odd, "deadline": "2027-01-15",
                                                                    "owner": owner, odd: [odd, {odd: odd}]})),
                    incoming(ORG, COORDINATOR + "\udc00", text="ik wil een mens spreken")):
        _turn(loop, services, message)
    replies = _turn(loop, services, incoming(ORG, COORDINATOR, text="alle acties"))
    assert "Schoon BV" in replies[0].text  # the action was stored, without the odd characters


def test_a_record_utf8_cannot_hold_is_refused_and_later_writes_still_finish(loop, tmp_path):
    from bot.records import Action, ConversationState
    from bot.repository import StorageError

    repo = StoreRegistry(tmp_path).repo("odd")

    async def go() -> list[str]:
        with pytest.raises(StorageError):
            await asyncio.wait_for(repo.add(ConversationState(user_id="u", data={"q": "a\ud800"})), 10)
        await asyncio.wait_for(repo.add(Action(title="still works")), 10)
        return [a.title for a in await StoreRegistry(tmp_path).repo("odd").list(Action)]

    assert loop.run_until_complete(go()) == ["still works"]
