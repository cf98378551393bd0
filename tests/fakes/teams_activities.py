"""Activities shaped like the ones Microsoft Teams sends to a bot, for the channel tests."""

from __future__ import annotations

import itertools
import json
from typing import Any

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT_ID = "28:00000000-0000-0000-0000-00000000b075"
BOT_NAME = "Partnerbot"
TEAM_ID = "19:team-general@thread.tacv2"
CHANNEL_ID = "19:werkgroep-sroi@thread.tacv2"
_ids = itertools.count(1000)


def _next_id() -> str:
    return f"1700000{next(_ids)}"


def _user(user_id: str, name: str) -> dict[str, Any]:
    return {"id": user_id, "name": name, "aadObjectId": f"aad-{user_id}"}


def _base(kind: str, service_url: str, conversation: dict[str, Any], user: dict[str, Any],
          channel_data: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    activity = {
        "type": kind,
        "id": _next_id(),
        "timestamp": "2026-11-23T08:00:00.000Z",
        "localTimestamp": "2026-11-23T09:00:00.000+01:00",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": user,
        "conversation": conversation,
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "locale": "nl-NL",
        "channelData": {"tenant": {"id": TENANT}, **(channel_data or {})},
    }
    activity.update(extra)
    return activity


def personal_conversation(user_id: str) -> dict[str, Any]:
    return {"conversationType": "personal", "tenantId": TENANT, "id": f"a:1personal-{user_id}"}


def channel_conversation(thread: str | None = None, channel: str = CHANNEL_ID) -> dict[str, Any]:
    cid = f"{channel};messageid={thread}" if thread else channel
    return {"isGroup": True, "conversationType": "channel", "tenantId": TENANT, "id": cid}


def _channel_data(channel: str = CHANNEL_ID) -> dict[str, Any]:
    return {"teamsChannelId": channel, "teamsTeamId": TEAM_ID, "channel": {"id": channel, "name": "Werkgroep SROI"},
            "team": {"id": TEAM_ID, "name": "Inkoop"}}


def personal_message(service_url: str, text: str, *, user_id: str = "29:anna", name: str = "Anna de Vries",
                     tenant: str | None = TENANT) -> dict[str, Any]:
    activity = _base("message", service_url, personal_conversation(user_id), _user(user_id, name),
                     text=text, textFormat="plain")
    if tenant != TENANT:
        activity["conversation"].pop("tenantId")
        activity["channelData"] = {"tenant": {"id": tenant}} if tenant else {}
    return activity


def channel_message(service_url: str, text: str, *, user_id: str = "29:bram", name: str = "Bram Jansen",
                    mention: bool = True) -> dict[str, Any]:
    """A new post in a team channel; with `mention`, it starts with an @-mention of the bot."""
    activity_id = _next_id()
    body = f"<at>{BOT_NAME}</at> {text}" if mention else text
    entities: list[dict[str, Any]] = [{"type": "clientInfo", "locale": "nl-NL", "country": "NL", "platform": "Web"}]
    if mention:
        entities.append({"type": "mention", "text": f"<at>{BOT_NAME}</at>",
                         "mentioned": {"id": BOT_ID, "name": BOT_NAME}})
    activity = _base("message", service_url, channel_conversation(activity_id), _user(user_id, name),
                     _channel_data(), text=body, textFormat="plain", entities=entities)
    activity["id"] = activity_id
    return activity


def submit_message(service_url: str, value: dict[str, Any], *, card_message: str, user_id: str = "29:anna",
                   name: str = "Anna de Vries") -> dict[str, Any]:
    """What Teams sends when someone clicks an Action.Submit button on a bot's card."""
    return _base("message", service_url, personal_conversation(user_id), _user(user_id, name),
                 {"source": {"name": "message"}, "legacy": {"replyToId": card_message}},
                 value=value, replyToId=card_message)


def execute_invoke(service_url: str, action: dict[str, Any], inputs: dict[str, Any], *, card_message: str,
                   user_id: str = "29:anna", name: str = "Anna de Vries") -> dict[str, Any]:
    """An `adaptiveCard/action` invoke: someone clicked an Action.Execute button (inputs merged into data)."""
    data = {**action.get("data", {}), **inputs}
    value = {"action": {"type": "Action.Execute", "id": action.get("id", "submit"), "verb": action["verb"],
                        "data": data}, "trigger": "manual"}
    return _base("invoke", service_url, personal_conversation(user_id), _user(user_id, name),
                 {"source": {"name": "message"}}, name="adaptiveCard/action", value=value, replyToId=card_message)


def personal_install(service_url: str, *, user_id: str = "29:anna", name: str = "Anna de Vries") -> dict[str, Any]:
    return _base("conversationUpdate", service_url, personal_conversation(user_id), _user(user_id, name),
                 membersAdded=[{"id": BOT_ID}])


def team_install(service_url: str, *, user_id: str = "29:bram", name: str = "Bram Jansen",
                 channel: str = TEAM_ID) -> dict[str, Any]:
    """The bot is added to a team: a conversationUpdate in the team's General channel."""
    data = {"team": {"id": TEAM_ID, "name": "Inkoop", "aadGroupId": "group-1"}, "eventType": "teamMemberAdded",
            "settings": {"selectedChannel": {"id": channel}}}
    return _base("conversationUpdate", service_url, channel_conversation(channel=channel), _user(user_id, name),
                 data, membersAdded=[{"id": BOT_ID}])


def installation_update(service_url: str, action: str = "add", *, conversation: dict[str, Any] | None = None,
                        user_id: str = "29:bram", name: str = "Bram Jansen") -> dict[str, Any]:
    conv = conversation or channel_conversation(channel=TEAM_ID)
    data = {"team": {"id": TEAM_ID, "name": "Inkoop"}} if conv.get("conversationType") == "channel" else {}
    return _base("installationUpdate", service_url, conv, _user(user_id, name), data, action=action)


def removed_from_team(service_url: str) -> dict[str, Any]:
    return _base("conversationUpdate", service_url, channel_conversation(channel=TEAM_ID), _user("29:bram", "Bram"),
                 {"team": {"id": TEAM_ID, "name": "Inkoop"}, "eventType": "teamMemberRemoved"},
                 membersRemoved=[{"id": BOT_ID}])


async def post_activity(session: Any, url: str, activity: Any, *, headers: dict[str, str] | None = None,
                        raw: bytes | None = None) -> tuple[int, Any]:
    """POST an activity to the bot's /api/messages; the status and the JSON answer (None when empty)."""
    kwargs: dict[str, Any] = {"headers": headers or {}}
    if raw is not None:
        kwargs["data"] = raw
    else:
        kwargs["json"] = activity
    async with session.post(url + "/api/messages", **kwargs) as resp:
        body = await resp.read()
        return resp.status, json.loads(body) if body else None
