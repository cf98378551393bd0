"""The slack-bolt app: Slack's events, slash command, buttons and modals in, the router's replies out.

Every listener acknowledges at once (Slack wants an answer within 3 seconds) and does the work in a
lazy listener afterwards. A delivery Slack repeats (`X-Slack-Retry-Num`, the same `event_id`) is
acknowledged and dropped, so it never produces a second reply, also after a restart: event ids are kept
for EVENT_KEEP in the organisation's store (`bot.seen`), and the work waits until its id is stored.
The exception is a modal's submission: its turn runs before the acknowledgement (for at most
SUBMIT_BUDGET seconds), so a refused form can stay open with its problems shown; an accepted one is
remembered like an event id, so the same submission sent again after a restart changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks
from adapters.slack.inbound import ignored_message, organisation, plain_text, submission_key
from adapters.slack.sender import STASH_DAYS, Destination, SlackSender
from bot.i18n import t
from bot.messages import FormSubmission, Incoming, Reply
from bot.seen import SeenKeys
from bot.services import Services

log = logging.getLogger(__name__)
COMMAND = "/sroi"
HOME_CHOICE = "core:overview"
SUBMIT_BUDGET = 2.0
"""Seconds a submitted form's turn may take before the submission is acknowledged plainly (Slack allows 3)."""
MAX_SUBMISSIONS = 1000
EVENT_KEEP = timedelta(hours=2)
"""How long an event id is remembered: Slack repeats an unacknowledged event for up to about an hour."""
SUBMISSION_KEEP = timedelta(days=STASH_DAYS)
"""How long an accepted modal submission is remembered: after that its form is gone from the stash anyway."""


@dataclass
class Submitted:
    """The turn of a submitted modal: where its replies go, the replies, and the modal again if it was refused."""

    dest: Destination | None
    """None: the form expired (its token is unknown)."""
    replies: list[Reply]
    refused: Reply | None = None
    modal: dict[str, Any] | None = None
    repeat: bool = False
    """The same submission was accepted before (before a restart, maybe): nothing was done."""


async def _ack(ack: Callable[..., Awaitable[None]]) -> None:
    await ack()


class SlackListeners:
    """Turns Slack payloads into Incoming messages for the router and sends its replies back."""

    def __init__(self, services: Services, sender: SlackSender) -> None:
        self.services = services
        self.sender = sender
        self.events = SeenKeys(services.seen, services.clock, "slack_event", EVENT_KEEP)
        self.accepted = SeenKeys(services.seen, services.clock, "slack_submission", SUBMISSION_KEEP)
        self.submissions: OrderedDict[str, asyncio.Future[Submitted]] = OrderedDict()

    # -- plumbing --------------------------------------------------------------------------------
    def register(self, app: AsyncApp) -> None:
        app.middleware(self._drop_repeats)
        app.event("message")(ack=_ack, lazy=[self._once_stored(self.on_message)])
        app.event("app_mention")(ack=_ack, lazy=[self._once_stored(self.on_mention)])
        app.event("app_home_opened")(ack=_ack, lazy=[self._once_stored(self.on_home_opened)])
        app.command(COMMAND)(ack=_ack, lazy=[self.on_command])
        app.action(re.compile(rf"^{blocks.CHOICE_ACTION}:"))(ack=_ack, lazy=[self.on_choice])
        app.action(re.compile(rf"^{blocks.FORM_ACTION}:"))(ack=_ack, lazy=[self.on_form_open])
        app.view(blocks.FORM_CALLBACK)(self.on_submit)
        app.error(self._on_error)

    @staticmethod
    def _event_id(body: dict[str, Any], context: AsyncBoltContext) -> str | None:
        """The id of an event the bot may act on; None for other payloads and for messages it ignores
        (its own replies in a DM come back as events: remembering those would only cost writes)."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        event = body.get("event")
        if not isinstance(event_id, str) or not event_id or not isinstance(event, dict):
            return None
        if event.get("type") in ("message", "app_mention") and ignored_message(event, context.bot_user_id):
            return None
        return event_id

    async def _drop_repeats(self, body: dict[str, Any], context: AsyncBoltContext,
                            next: Callable[[], Awaitable[Any]]) -> Any:
        """Acknowledge and drop an event seen before; a new one is remembered (its listener waits for that)."""
        event_id, org = self._event_id(body, context), self._org(context)
        if event_id is not None and org is not None and not await self.events.claim(org, event_id):
            log.info("slack: dropped a repeated delivery of event %s", event_id)
            return BoltResponse(status=200, body="")
        return await next()

    def _once_stored(self, listener: Callable[[dict[str, Any], AsyncBoltContext], Awaitable[None]]) \
            -> Callable[..., Awaitable[None]]:
        """The lazy listener, run once the event's id is on disk (after the acknowledgement, see bot.seen)."""
        async def lazy(body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext) -> None:
            event_id, org = self._event_id(body, context), self._org(context)
            if event_id is not None and org is not None:
                await self.events.stored(org, event_id)
            await listener(event, context)

        return lazy

    @staticmethod
    async def _on_error(error: Exception, body: dict[str, Any]) -> None:
        log.error("slack: handling a %s payload failed: %s", body.get("type"), error, exc_info=error)

    @staticmethod
    def _org(context: AsyncBoltContext) -> str | None:
        return organisation(context.enterprise_id, context.team_id)

    async def _route(self, dest: Destination, conversation_id: str, *, is_group: bool, text: str | None = None,
                     choice: str | None = None, form: FormSubmission | None = None,
                     remember: bool = False) -> list[Reply]:
        """Route one message from `dest`'s user and return the replies.

        `remember`: the conversation is one the bot is in (a DM with it, a channel it was mentioned in),
        so it is kept as a ConversationRef for later notifications. A slash command may come from a
        channel without the bot, or from a DM between two people: those are not remembered.
        """
        user = dest.user_id or ""
        name = await self.sender.user_name(user)
        if remember and is_group:
            await self.sender.remember(dest.org_id, "group", conversation_id)
        elif remember:
            await self.sender.remember(dest.org_id, "user", conversation_id, user_id=user, name=name)
        incoming = Incoming(org_id=dest.org_id, user_id=user, user_name=name, conversation_id=conversation_id,
                            channel="slack", is_group=is_group, text=text, choice=choice, form=form)
        assert self.services.router is not None
        return await self.services.router.handle(incoming)

    async def _answer(self, dest: Destination, conversation_id: str, *, is_group: bool,
                      trigger_id: str | None = None, **message: Any) -> list[Reply]:
        """Route one message and send the replies to `dest` (a form opens at once when Slack allows it)."""
        replies = await self._route(dest, conversation_id, is_group=is_group, **message)
        await self.sender.open_at_once(dest, replies, trigger_id)
        await self.sender.send(dest, replies)
        return replies

    # -- events ----------------------------------------------------------------------------------
    async def on_message(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        """A direct message to the bot (message.im)."""
        org = self._org(context)
        if org is None or event.get("channel_type") != "im" or ignored_message(event, context.bot_user_id):
            return
        channel = event["channel"]
        dest = Destination(org_id=org, user_id=event["user"], channel=channel, thread_ts=event.get("thread_ts"))
        await self._answer(dest, channel, is_group=False, remember=True,
                           text=plain_text(event.get("text") or "", drop_user=context.bot_user_id))

    async def on_mention(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        """@Partnerbot in a channel: the answer goes into the message's thread."""
        org = self._org(context)
        if org is None or ignored_message(event, context.bot_user_id):
            return
        channel = event["channel"]
        dest = Destination(org_id=org, user_id=event["user"], channel=channel,
                           thread_ts=event.get("thread_ts") or event.get("ts"))
        is_group = not channel.startswith("D")
        await self._answer(dest, channel, is_group=is_group, remember=is_group,
                           text=plain_text(event.get("text") or "", drop_user=context.bot_user_id))

    async def on_home_opened(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        org = self._org(context)
        if org is None or event.get("tab") != "home" or not event.get("user"):
            return
        await self.publish_home(org, event["user"], event.get("channel"))

    async def publish_home(self, org: str, user: str, dm_channel: str | None = None) -> None:
        """The Home tab: the same overview every channel shows for "overzicht"."""
        incoming = Incoming(org_id=org, user_id=user, user_name=await self.sender.user_name(user),
                            conversation_id=dm_channel or f"home:{user}", channel="slack", choice=HOME_CHOICE)
        assert self.services.router is not None
        replies = await self.services.router.handle(incoming)
        await self.sender.publish_home(org, user, replies)

    # -- the slash command -----------------------------------------------------------------------
    async def on_command(self, command: dict[str, Any], context: AsyncBoltContext) -> None:
        """`/sroi <text>`: the answer is only visible to the user, where they typed it."""
        org = self._org(context)
        if org is None:
            return
        channel = command.get("channel_id") or ""
        dest = Destination(org_id=org, user_id=command["user_id"], channel=channel or None,
                           response_url=command.get("response_url"))
        await self._answer(dest, channel or f"slack:{command['user_id']}", is_group=not channel.startswith("D"),
                           text=plain_text(command.get("text") or ""), trigger_id=command.get("trigger_id"))

    # -- buttons and modals ----------------------------------------------------------------------
    async def _click_destination(self, org: str, body: dict[str, Any]) -> tuple[Destination, str, bool]:
        """Where the answer to a click goes: the message's thread, the ephemeral answer, or the user's DM."""
        user = body["user"]["id"]
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        if container.get("type") == "view" or not channel:
            dm = await self.sender.dm_channel(org, user)
            return Destination(org_id=org, user_id=user, channel=dm), dm, False
        is_group = not channel.startswith("D")
        if container.get("is_ephemeral") or body.get("message") is None:
            return Destination(org_id=org, user_id=user, channel=channel,
                               response_url=body.get("response_url")), channel, is_group
        message = body["message"]
        thread = message.get("thread_ts") or (message.get("ts") if is_group else None)
        return Destination(org_id=org, user_id=user, channel=channel, thread_ts=thread), channel, is_group

    async def on_choice(self, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
        org = self._org(context)
        if org is None:
            return
        value = await self.sender.choice_value(org, str(action.get("value") or ""))
        if not value:
            return
        dest, conversation, is_group = await self._click_destination(org, body)
        await self._answer(dest, conversation, is_group=is_group, choice=value, trigger_id=body.get("trigger_id"))
        if (body.get("container") or {}).get("type") == "view":
            await self.publish_home(org, body["user"]["id"], conversation)

    async def on_form_open(self, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
        org = self._org(context)
        if org is None:
            return
        if not await self.sender.open_form(org, body["trigger_id"], str(action.get("value") or "")):
            await self._expired(org, body["user"]["id"])

    async def on_submit(self, ack: Callable[..., Awaitable[None]], body: dict[str, Any], view: dict[str, Any],
                        context: AsyncBoltContext) -> None:
        """A modal submitted: run its turn first, so a refused form can stay open with the problems on top.

        A turn that is not done within SUBMIT_BUDGET is acknowledged plainly (the modal closes) and its
        replies go to the conversation when it is done. The same submission delivered again shares the
        first one's turn and gets the same acknowledgement, and nothing is sent for it a second time; once
        accepted, it is acknowledged plainly and changes nothing, also after a restart.
        """
        org = self._org(context)
        if org is None:
            await ack()
            return
        user = body["user"]["id"]
        key = submission_key(user, view)
        turn = self.submissions.get(f"{org}:{key}")
        first = turn is None
        if turn is None:
            turn = asyncio.ensure_future(self._submitted_once(org, user, view, key))
            self.submissions[f"{org}:{key}"] = turn
            while len(self.submissions) > MAX_SUBMISSIONS:
                self.submissions.popitem(last=False)
        done, _ = await asyncio.wait({turn}, timeout=SUBMIT_BUDGET)
        in_time = bool(done) and turn.exception() is None
        outcome = turn.result() if in_time else None
        if outcome is not None and outcome.modal is not None:
            await ack(response_action="update", view=outcome.modal)
        else:
            await ack()
        if not first:
            log.info("slack: a repeated delivery of a form submission was acknowledged only")
            return
        outcome = await turn
        if outcome.repeat:
            log.info("slack: a form submission accepted before was acknowledged only")
            return
        if outcome.dest is None:
            await self._expired(org, user)
            return
        shown = outcome.refused if in_time and outcome.modal is not None else None
        await self.sender.send(outcome.dest, [r for r in outcome.replies if r is not shown])

    async def _submitted_once(self, org: str, user: str, view: dict[str, Any], key: str) -> Submitted:
        """The submission's turn unless it was accepted before; a refused or expired one may come again."""
        if not await self.accepted.claim(org, key):
            return Submitted(dest=None, replies=[], repeat=True)
        await self.accepted.stored(org, key)
        outcome = await self._submitted(org, user, view)
        if outcome.dest is None or outcome.refused is not None:
            await self.accepted.release(org, key)
        return outcome

    async def _submitted(self, org: str, user: str, view: dict[str, Any]) -> Submitted:
        """The turn of a submitted modal; when the replies show the same form again, it was refused."""
        found = await self.sender.submitted_form(org, view)
        if found is None:
            return Submitted(dest=None, replies=[])
        form, dest = found
        dest = Destination(org_id=org, user_id=user, channel=dest.channel, thread_ts=dest.thread_ts,
                           response_url=dest.response_url)
        if dest.channel is None:
            dest = Destination(org_id=org, user_id=user, channel=await self.sender.dm_channel(org, user))
        values = blocks.form_values(form, (view.get("state") or {}).get("values") or {})
        channel = dest.channel or ""
        replies = await self._route(dest, channel, is_group=not channel.startswith("D"),
                                    form=FormSubmission(id=form.id, values=values))
        refused = next((r for r in replies if r.form is not None and r.form.id == form.id), None)
        if refused is None:
            return Submitted(dest=dest, replies=replies)
        modal = await self.sender.refused_modal(dest, refused, await self.sender.language(org, user))
        return Submitted(dest=dest, replies=replies, refused=refused, modal=modal)

    async def _expired(self, org: str, user: str) -> None:
        lang = await self.sender.language(org, user)
        await self.sender.send(Destination(org_id=org, user_id=user), [Reply(text=t("form.unknown", lang))], lang)


def build_app(services: Services, sender: SlackSender, client: AsyncWebClient, *, socket_mode: bool) -> AsyncApp:
    """The bolt app, with our own Web API client (base URL, retry handlers) and listeners."""
    app = AsyncApp(client=client, signing_secret=services.config.slack_signing_secret or "socket-mode",
                   request_verification_enabled=not socket_mode, process_before_response=False,
                   logger=logging.getLogger("partnerbot.slack.bolt"))
    SlackListeners(services, sender).register(app)
    return app
