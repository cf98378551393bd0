"""Sending replies to Slack: Block Kit messages, modals, the Home tab, file uploads, direct messages.

Used by the event listeners (answers) and by the notifier (the scheduler's messages). It also keeps
what the adapter learns on the way: users' display names, direct-message channels and the
ConversationRefs of users and channels the bot has talked in.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections import OrderedDict
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack import blocks
from adapters.slack.client import retry_handlers
from adapters.slack.records import SlackStash
from bot.messages import Attachment, Choice, Form, FormField, Reply
from bot.records import ConversationRef, ConversationState, Organisation
from bot.repository import Repository
from bot.services import Services

log = logging.getLogger(__name__)
STASH_DAYS = 30
VALUE_PREFIX = "stash:"
MAX_NAMES = 5000


@dataclass(frozen=True, slots=True)
class Destination:
    """Where replies go: a channel (in a thread), a slash command's response_url, or else the user's DM."""

    org_id: str
    user_id: str | None = None
    channel: str | None = None
    thread_ts: str | None = None
    response_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Destination:
        return cls(**{k: data.get(k) for k in ("org_id", "user_id", "channel", "thread_ts", "response_url")})


def form_from_dict(data: dict[str, Any]) -> Form:
    return Form(id=data["id"], title=data["title"], submit_label=data.get("submit_label"),
                fields=[FormField(name=f["name"], label=f["label"], type=f["type"], required=f.get("required", False),
                                  options=[Choice(**o) for o in f.get("options", [])], value=f.get("value"),
                                  hint=f.get("hint")) for f in data["fields"]])


class SlackSender:
    def __init__(self, services: Services, client: AsyncWebClient) -> None:
        self.services = services
        self.client = client
        self._names: OrderedDict[str, str] = OrderedDict()
        self._pruned: dict[str, datetime] = {}

    def repo(self, org_id: str) -> Repository:
        return self.services.repo(org_id)

    # -- what the adapter remembers ------------------------------------------------------------
    async def user_name(self, user_id: str) -> str:
        """The user's display name (users.info, cached); empty when Slack will not say."""
        if user_id in self._names:
            return self._names[user_id]
        name = ""
        try:
            info = await self.client.users_info(user=user_id)
            user = info.get("user") or {}
            profile = user.get("profile") or {}
            name = profile.get("real_name") or user.get("real_name") or profile.get("display_name") \
                or user.get("name") or ""
        except SlackApiError as exc:
            error = exc.response.get("error")
            log.warning("users.info failed for a user: %s", error)
            if error not in ("missing_scope", "user_not_found", "not_allowed_token_type"):
                return name  # worth asking again next time
        self._names[user_id] = name
        if len(self._names) > MAX_NAMES:
            self._names.popitem(last=False)
        return name

    async def language(self, org_id: str, user_id: str | None) -> str:
        repo = self.repo(org_id)
        state = await repo.find(ConversationState, user_id=user_id) if user_id else None
        if state is not None and state.lang:
            return state.lang
        org = await repo.organisation(Organisation(language=self.services.config.language))
        return org.language

    async def remember(self, org_id: str, kind: str, conversation_id: str, *, user_id: str | None = None,
                       name: str = "") -> ConversationRef:
        """Store (or refresh) how to reach a user's DM or a channel later; writes only when something changed."""
        repo = self.repo(org_id)
        key: dict[str, Any] = {"channel": "slack", "kind": kind}
        key.update({"user_id": user_id} if kind == "user" else {"conversation_id": conversation_id})
        ref = await repo.find(ConversationRef, **key)
        reference = {"channel": conversation_id, "team": org_id}
        if ref is None:
            ref = ConversationRef(channel="slack", kind=kind, user_id=user_id, conversation_id=conversation_id,
                                  name=name, reference=reference, updated_at=self.services.clock.now())
            return await repo.add(ref)
        if ref.active and ref.conversation_id == conversation_id and (not name or ref.name == name):
            return ref
        ref.active, ref.inactive_reason, ref.conversation_id = True, None, conversation_id
        ref.reference, ref.name = reference, name or ref.name
        ref.updated_at = self.services.clock.now()
        return await repo.update(ref)

    async def mark_gone(self, org_id: str, kind: str, reason: str, *, conversation_id: str | None = None,
                        user_id: str | None = None) -> None:
        """The bot can no longer post there: the scheduler reports it instead of retrying."""
        repo = self.repo(org_id)
        key: dict[str, Any] = {"channel": "slack", "kind": kind}
        key.update({"user_id": user_id} if kind == "user" else {"conversation_id": conversation_id})
        ref = await repo.find(ConversationRef, **key) or ConversationRef(
            channel="slack", kind=kind, user_id=user_id, conversation_id=conversation_id or user_id or "?")
        ref.active, ref.inactive_reason, ref.updated_at = False, reason, self.services.clock.now()
        await repo.save(ref)

    async def dm_channel(self, org_id: str, user_id: str) -> str:
        """The user's direct-message channel with the bot (known, or opened with conversations.open)."""
        ref = await self.repo(org_id).find(ConversationRef, channel="slack", kind="user", user_id=user_id)
        if ref is not None and ref.active and ref.conversation_id.startswith("D"):
            return ref.conversation_id
        opened = await self.client.conversations_open(users=user_id)
        channel = (opened.get("channel") or {}).get("id")
        if not channel:
            raise SlackApiError("conversations.open gave no channel", opened)
        await self.remember(org_id, "user", channel, user_id=user_id, name=await self.user_name(user_id))
        return channel

    # -- the stash: forms and long values behind a token ---------------------------------------------
    async def stash(self, org_id: str, kind: str, data: dict[str, Any]) -> str:
        repo = self.repo(org_id)
        now = self.services.clock.now()
        await self._prune(repo, now)
        token = secrets.token_urlsafe(12)
        await repo.add(SlackStash(token=token, kind=kind, data=data, created_at=now))
        return token

    async def unstash(self, org_id: str, token: str, kind: str) -> dict[str, Any] | None:
        if not token:
            return None
        found = await self.repo(org_id).find(SlackStash, token=token, kind=kind)
        return found.data if found else None

    async def _prune(self, repo: Repository, now: datetime) -> None:
        last = self._pruned.get(repo.org_id)
        if last is not None and now - last < timedelta(days=1):
            return
        self._pruned[repo.org_id] = now
        limit = now - timedelta(days=STASH_DAYS)
        for item in await repo.list(SlackStash):
            if item.created_at is None or item.created_at < limit:
                await repo.delete(SlackStash, item.id)  # type: ignore[arg-type]

    async def choice_value(self, org_id: str, value: str) -> str:
        """A clicked button's value as the core gave it (over-long values come back from the stash)."""
        if not value.startswith(VALUE_PREFIX):
            return value
        data = await self.unstash(org_id, value[len(VALUE_PREFIX):], "value")
        return str(data.get("value", "")) if data else ""

    async def _choice_values(self, org_id: str, reply: Reply) -> list[str]:
        values = []
        for choice in reply.choices:
            if len(choice.value) <= blocks.MAX_BUTTON_VALUE and not choice.value.startswith(VALUE_PREFIX):
                values.append(choice.value)
            else:
                values.append(VALUE_PREFIX + await self.stash(org_id, "value", {"value": choice.value}))
        return values

    async def _form_token(self, dest: Destination, reply: Reply) -> str | None:
        if reply.form is None:
            return None
        return await self.stash(dest.org_id, "form", {"form": reply.form.to_dict(), "to": dest.to_dict()})

    # -- sending -----------------------------------------------------------------------------------
    async def send(self, dest: Destination, replies: list[Reply], lang: str | None = None) -> None:
        lang = lang or await self.language(dest.org_id, dest.user_id)
        for reply in replies:
            values = await self._choice_values(dest.org_id, reply)
            token = await self._form_token(dest, reply)
            for message in blocks.messages(reply, lang, choice_values=values, form_token=token):
                await self.post(dest, message)
            for attachment in reply.attachments:
                await self.upload(dest, attachment)

    async def post(self, dest: Destination, message: blocks.Message) -> None:
        if dest.response_url:
            webhook = AsyncWebhookClient(dest.response_url, timeout=20, retry_handlers=retry_handlers())
            response = await webhook.send(text=message.text, blocks=message.blocks or None, response_type="ephemeral",
                                          replace_original=False)
            if response.status_code == 200:
                return
            log.warning("response_url answered %s; sending as a direct message", response.status_code)
            dest = Destination(org_id=dest.org_id, user_id=dest.user_id)
        channel = dest.channel or await self.dm_channel(dest.org_id, dest.user_id or "")
        await self.client.chat_postMessage(channel=channel, thread_ts=dest.thread_ts, unfurl_links=False,
                                           unfurl_media=False, **message.to_args())

    async def upload(self, dest: Destination, attachment: Attachment) -> None:
        """A chart or document through the files API; for an ephemeral answer it goes to the user's DM."""
        private = dest.response_url is not None or dest.channel is None
        channel = await self.dm_channel(dest.org_id, dest.user_id or "") if private else dest.channel
        await self.client.files_upload_v2(channel=channel, thread_ts=None if private else dest.thread_ts,
                                          file_uploads=[{"content": attachment.read(), "filename": attachment.name,
                                                         "title": attachment.name}])

    async def open_form(self, org_id: str, trigger_id: str, token: str) -> bool:
        """Open a stashed form as a modal; False when the form is no longer known."""
        data = await self.unstash(org_id, token, "form")
        if data is None:
            return False
        form = form_from_dict(data["form"])
        lang = await self.language(org_id, (data.get("to") or {}).get("user_id"))
        await self.client.views_open(trigger_id=trigger_id, view=self._modal(form, lang, token))
        return True

    @staticmethod
    def _modal(form: Form, lang: str, token: str, problems: str | None = None) -> dict[str, Any]:
        return blocks.modal_view(form, lang, json.dumps({"token": token, "form": form.id[:200]}), problems)

    async def refused_modal(self, dest: Destination, reply: Reply, lang: str) -> dict[str, Any]:
        """The modal again for a refused submission: the reply's form (as typed) with its text on top.

        The form is stashed anew, so submitting the corrected modal finds it.
        """
        assert reply.form is not None
        token = await self._form_token(dest, reply)
        return self._modal(reply.form, lang, token or "", problems=reply.text)

    async def open_at_once(self, dest: Destination, replies: list[Reply], trigger_id: str | None) -> None:
        """A click or /sroi whose answer is a form opens it straight away (Slack allows that for 3 seconds).

        The answer is posted as well, so the form can be opened again from its button.
        """
        reply = next((r for r in replies if r.form is not None), None)
        if reply is None or not trigger_id:
            return
        token = await self._form_token(dest, reply)
        try:
            await self.open_form(dest.org_id, trigger_id, token or "")
        except SlackApiError as exc:  # e.g. the trigger expired: the button in the answer still works
            log.info("could not open the form at once: %s", exc.response.get("error"))

    async def submitted_form(self, org_id: str, view: dict[str, Any]) -> tuple[Form, Destination] | None:
        """The form a view_submission answers and where its replies go; None when it expired."""
        try:
            token = json.loads(view.get("private_metadata") or "{}").get("token", "")
        except (ValueError, AttributeError):
            return None
        data = await self.unstash(org_id, str(token), "form")
        if data is None:
            return None
        return form_from_dict(data["form"]), Destination.from_dict({**data.get("to", {}), "org_id": org_id})

    async def publish_home(self, org_id: str, user_id: str, replies: list[Reply]) -> None:
        lang = await self.language(org_id, user_id)
        dest = Destination(org_id=org_id, user_id=user_id)
        values = [await self._choice_values(org_id, r) for r in replies]
        tokens = [await self._form_token(dest, r) for r in replies]
        view = blocks.home_view(replies, lang, choice_values=values, form_tokens=tokens)
        await self.client.views_publish(user_id=user_id, view=view)
