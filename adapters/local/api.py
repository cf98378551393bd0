"""The local channel's JSON API (used by the web chat page and by tests), as DESIGN.md specifies.

`POST /api/local/messages` turns a JSON body into an Incoming and answers the replies;
`GET /api/local/notifications` lists what the scheduler delivered on the local channel.
Open on a loopback address, or anywhere when LOCAL_CHAT_TOKEN is set and sent as a Bearer token.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from aiohttp import web

from adapters.server import SERVICES, file_url
from bot.messages import Attachment, FormSubmission, Incoming, Reply
from bot.records import OutboxItem
from bot.repository import StoreRegistry
from bot.services import Services

MAX_BODY = 64 * 1024
MAX_FIELD = 200


def bad_request(message: str, status: int = 400) -> web.Response:
    return web.json_response({"error": message}, status=status)


def reply_json(services: Services, reply: Reply) -> dict[str, Any]:
    def url(att: Attachment) -> str:
        stored = services.files.put(att)
        return file_url(stored.token, stored.name)

    return reply.to_dict(url)


def _check_access(request: web.Request) -> web.Response | None:
    config = request.app[SERVICES].config
    if not config.local_api_enabled:
        return bad_request("The local chat API is off: bind HOST to a loopback address or set "
                           "LOCAL_CHAT_TOKEN.", 403)
    if config.local_chat_token:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(),
                                                                  config.local_chat_token.encode()):
            return web.json_response({"error": "missing or wrong bearer token"}, status=401,
                                     headers={"WWW-Authenticate": "Bearer"})
    return None


def _string(body: dict[str, Any], name: str, *, required: bool = True, limit: int = MAX_FIELD) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise ValueError(f"'{name}' is required")
        return None
    if not isinstance(value, str):
        raise ValueError(f"'{name}' must be a string")
    if required and not value.strip():
        raise ValueError(f"'{name}' must not be empty")
    if len(value) > limit:
        raise ValueError(f"'{name}' is longer than {limit} characters")
    return value


def parse_message(body: Any) -> Incoming:
    """The Incoming for a request body; ValueError with a message fit for the caller when malformed."""
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    org = StoreRegistry.check_org_id(_string(body, "org") or "")
    user = _string(body, "user") or ""
    if not user.isprintable():
        raise ValueError("'user' must be printable text")
    name = _string(body, "name", required=False) or user
    given = [k for k in ("text", "choice", "form") if body.get(k) is not None]
    if len(given) != 1:
        raise ValueError("give exactly one of 'text', 'choice' or 'form'")
    text = choice = None
    form = None
    if given[0] == "text":
        text = _string(body, "text", required=False, limit=MAX_BODY)
    elif given[0] == "choice":
        choice = _string(body, "choice", limit=1000)
    else:
        raw = body["form"]
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"]:
            raise ValueError("'form' must be an object with an 'id' string and a 'values' object")
        values = raw.get("values", {})
        if not isinstance(values, dict):
            raise ValueError("'form.values' must be an object")
        form = FormSubmission(id=raw["id"][:MAX_FIELD], values=values)
    conversation = _string(body, "conversation", required=False) or f"local:{user}"
    is_group = body.get("group", False)
    if not isinstance(is_group, bool):
        raise ValueError("'group' must be true or false")
    return Incoming(org_id=org, user_id=user, user_name=name.strip() or user, conversation_id=conversation,
                    channel="local", is_group=is_group, text=text, choice=choice, form=form)


async def post_message(request: web.Request) -> web.Response:
    refused = _check_access(request)
    if refused:
        return refused
    if request.content_length is not None and request.content_length > MAX_BODY:
        return bad_request(f"the body is larger than {MAX_BODY // 1024} KiB", 413)
    raw = await request.content.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        return bad_request(f"the body is larger than {MAX_BODY // 1024} KiB", 413)
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return bad_request("the body is not valid JSON")
    try:
        incoming = parse_message(body)
    except ValueError as exc:
        return bad_request(str(exc))
    services = request.app[SERVICES]
    assert services.router is not None
    replies = await services.router.handle(incoming)
    return web.json_response({"replies": [reply_json(services, r) for r in replies]})


async def get_notifications(request: web.Request) -> web.Response:
    refused = _check_access(request)
    if refused:
        return refused
    org = request.query.get("org", "")
    user = request.query.get("user", "")
    try:
        org = StoreRegistry.check_org_id(org)
    except ValueError as exc:
        return bad_request(f"'org': {exc}")
    if not user or len(user) > MAX_FIELD:
        return bad_request("'user' is required")
    repo = request.app[SERVICES].repo(org)
    items = [i for i in await repo.list(OutboxItem) if i.to == "group" or i.user_id == user]
    items.sort(key=lambda i: (i.sent_at.isoformat() if i.sent_at else "", i.id or 0))
    out = []
    for item in items:
        entry = dict(item.reply)
        entry.update({"key": item.key, "sent_at": item.sent_at.isoformat() if item.sent_at else None,
                      "to": item.to})
        out.append(entry)
    return web.json_response({"notifications": out})


def mount(app: web.Application, services: Services) -> None:
    app.router.add_post("/api/local/messages", post_message)
    app.router.add_get("/api/local/notifications", get_notifications)
