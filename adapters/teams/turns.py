"""One turn in Teams: the Agent the SDK calls for every activity, translating it for the router and back.

Messages (personal chat; group chats and channels when the bot is mentioned), card buttons and forms
(Action.Submit messages, Action.Execute invokes), and the bot being added or removed. Every other
activity type is acknowledged and ignored.

A form's card can be sent once: its card id is claimed before the turn (`bot.seen`, kept for FORM_KEEP in
the organisation's store, so also after a restart) and released when the form comes back to be corrected.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from datetime import timedelta
from typing import Any

from microsoft_agents.activity import Activity, InvokeResponse
from microsoft_agents.hosting.core import TurnContext

from adapters.teams import refs
from adapters.teams.cards import CARD_CONTENT_TYPE, card, render_all, submitted_card
from adapters.teams.channel import Bounded, TeamsChannel, dump
from adapters.teams.delivery import ConversationGone
from adapters.teams.inbound import (
    Submission,
    base_conversation_id,
    bot_id,
    clean_text,
    conversation_type,
    execute_data,
    is_personal,
    mentions_bot,
    read_submission,
    tenant_id,
    to_incoming,
)
from bot.i18n import t
from bot.markdown import to_plain
from bot.messages import Choice, Incoming, Reply
from bot.notify import DeliveryError
from bot.repository import StoreRegistry
from bot.seen import SeenKeys

log = logging.getLogger("partnerbot.teams")

USE_CHANNEL = "gebruik dit kanaal voor de werkgroep"
"""The plain text the "use this channel" button sends; the scheduler's command handles it."""
MESSAGE_RESPONSE = "application/vnd.microsoft.activity.message"
REMOVED = "the bot was removed from this conversation"
FORM_KEEP = timedelta(days=400)
"""How long a sent form's card id is remembered; a card can be clicked long after it was sent (like the
scheduler's KEEP_SENT, longer than a year of use)."""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _reasks(replies: list[Reply], submission: Submission) -> bool:
    """The router answered a form with the same form again (something to correct)."""
    return bool(replies) and replies[0].form is not None and replies[0].form.id == submission.value


class TeamsBot:
    """The Agent (in the SDK's sense) of the Teams channel."""

    def __init__(self, channel: TeamsChannel) -> None:
        self.channel = channel
        self.services = channel.services
        self.sent_forms = SeenKeys(channel.services.seen, channel.services.clock, "teams_form", FORM_KEEP)
        """Card ids of forms already sent (a second click does nothing)."""
        self.seen_messages: Bounded[tuple[str, str], bool] = Bounded()
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = weakref.WeakValueDictionary()
        channel.adapter.on_turn_error = self.on_turn_error

    # -- the SDK's entry points ---------------------------------------------------------------
    async def on_turn(self, context: TurnContext) -> None:
        activity = dump(context.activity)
        kind = activity.get("type")
        if kind == "message":
            # the Bot Service delivers a message again when the first delivery seemed to time out
            seen = (str(_dict(activity.get("conversation")).get("id")), str(activity.get("id")))
            if activity.get("id") and seen in self.seen_messages:
                log.info("Teams message delivered twice; the second copy is ignored")
                return
            self.seen_messages.put(seen, True)
            await self._message(context, activity)
        elif kind == "invoke":
            await self._invoke(context, activity)
        elif kind in ("conversationUpdate", "installationUpdate"):
            await self._membership(context, activity)

    async def on_turn_error(self, context: TurnContext, error: Exception) -> None:
        """Replaces the SDK's handler, which would send the exception text to the user."""
        log.error("Teams turn failed: %s", type(error).__name__, exc_info=error)
        try:
            activity = dump(context.activity)
            apology = t("error.apology", self.services.config.language)
            if activity.get("type") == "invoke":
                await self._invoke_response(context, {"statusCode": 200, "type": MESSAGE_RESPONSE,
                                                      "value": to_plain(apology)})
            elif activity.get("type") == "message":
                await self.channel.send(context, {"type": "message", "text": apology, "textFormat": "markdown"},
                                        reply_to=activity.get("id"), attempts=1)
        except Exception as exc:
            log.warning("could not send the apology either: %s", type(exc).__name__)

    # -- helpers -------------------------------------------------------------------------------
    @staticmethod
    def _org(activity: dict[str, Any]) -> str | None:
        try:
            return StoreRegistry.check_org_id(tenant_id(activity))
        except ValueError:
            log.warning("Teams %s without a usable tenant id: ignored", activity.get("type"))
            return None

    async def _remember(self, context: TurnContext, activity: dict[str, Any], org: str) -> tuple[Any, bool]:
        """Store how to reach this user (personal chat) or this channel/group chat later."""
        personal = is_personal(activity)
        user = _dict(activity.get("from"))
        user_id = user.get("id") if personal else None
        if personal and not user_id:
            return None, False
        reference = context.activity.get_conversation_reference()
        conversation_id = base_conversation_id(reference.conversation.id)
        reference.activity_id = None
        reference.request_id = None
        reference.conversation = reference.conversation.model_copy(update={"id": conversation_id})
        if not personal:
            reference.user = None
        channel_data = _dict(activity.get("channelData"))
        name = (user.get("name") if personal else
                _dict(channel_data.get("channel")).get("name") or _dict(channel_data.get("team")).get("name")
                or _dict(activity.get("conversation")).get("name")) or ""
        return await refs.remember(self.services.repo(org), kind="user" if personal else "group", user_id=user_id,
                                   conversation_id=conversation_id, name=str(name)[:200],
                                   reference=reference.model_dump(mode="json", by_alias=True, exclude_none=True),
                                   now=self.services.clock.now())

    async def _route(self, incoming: Incoming) -> list[Reply]:
        assert self.services.router is not None
        return await self.services.router.handle(incoming)

    async def _say(self, context: TurnContext, activity: dict[str, Any], org: str, replies: list[Reply], *,
                   reply_to: str | None) -> None:
        """Send the replies in this conversation (in the thread of `reply_to`)."""
        personal = is_personal(activity)
        user_id = _dict(activity.get("from")).get("id")
        lang = await self.channel.language(org, user_id)
        rendered = render_all(replies, self.channel.surface(lang, personal))
        try:
            for item in rendered:
                await self.channel.send(context, item.activity, reply_to=reply_to)
        except DeliveryError as exc:
            log.warning("Teams reply not delivered: %s", exc)
            if isinstance(exc, ConversationGone):
                await self._forget(context, activity, org)
            return
        if personal and rendered:
            key = (org, base_conversation_id(context.activity.conversation.id))
            if rendered[-1].suggested:
                self.channel.suggested.put(key, rendered[-1].suggested)
            else:
                self.channel.suggested.pop(key)

    async def _forget(self, context: TurnContext, activity: dict[str, Any], org: str) -> None:
        repo = self.services.repo(org)
        conversation_id = base_conversation_id(context.activity.conversation.id)
        ref = await refs.find(repo, "user" if is_personal(activity) else "group",
                              user_id=_dict(activity.get("from")).get("id"), conversation_id=conversation_id)
        if ref is not None and ref.conversation_id == conversation_id:
            await refs.deactivate(repo, ref, REMOVED, self.services.clock.now())

    async def _claim_form(self, org: str, submission: Submission) -> bool:
        """False when this form's card was sent before; else it counts as sent from now on (once on disk)."""
        if submission.kind != "form" or not submission.card:
            return True
        if not await self.sent_forms.claim(org, submission.card):
            log.info("a form whose card was sent before: not handled again")
            return False
        await self.sent_forms.stored(org, submission.card)
        return True

    async def _release_form(self, org: str, submission: Submission) -> None:
        """The form came back to be corrected: its card may be sent again."""
        if submission.card:
            await self.sent_forms.release(org, submission.card)

    async def _invoke_response(self, context: TurnContext, body: Any) -> None:
        await context.send_activity(Activity(type="invokeResponse", value=InvokeResponse(status=200, body=body)))

    # -- messages ------------------------------------------------------------------------------
    async def _message(self, context: TurnContext, activity: dict[str, Any]) -> None:
        org = self._org(activity)
        if org is None:
            return
        personal = is_personal(activity)
        value = activity.get("value")
        submission = read_submission(value) if value is not None else None
        text = clean_text(activity)
        not_ours = value is not None and not text
        if submission is None and (not_ours or (not personal and not mentions_bot(activity))):
            return  # a card that is not ours, or channel talk not addressed to the bot
        await self._remember(context, activity, org)
        if submission is not None and not await self._claim_form(org, submission):
            return
        if submission is not None:
            incoming = to_incoming(activity, org, submission=submission)
        else:
            incoming = to_incoming(activity, org, text=text)
            if personal:
                offered = self.channel.suggested.pop((org, incoming.conversation_id)) or {}
                if text in offered:
                    incoming = to_incoming(activity, org, submission=Submission("choice", offered[text]))
        replies = await self._route(incoming)
        if submission is not None and submission.kind == "form" and _reasks(replies, submission):
            await self._release_form(org, submission)
        elif submission is not None and submission.kind == "form":
            await self._close_card(context, activity, submission, org)
        await self._say(context, activity, org, replies, reply_to=activity.get("id"))

    async def _close_card(self, context: TurnContext, activity: dict[str, Any], submission: Submission,
                          org: str) -> None:
        """After an Action.Submit (clients without Action.Execute), replace the form's card as well."""
        card_message = activity.get("replyToId")
        if not card_message:
            return
        lang = await self.channel.language(org, _dict(activity.get("from")).get("id"))
        update = Activity.model_validate({"type": "message", "id": card_message, "attachments": [
            {"contentType": CARD_CONTENT_TYPE, "content": submitted_card(submission.title, lang)}]})
        try:
            await asyncio.wait_for(context.update_activity(update), self.channel.send_timeout)
        except Exception as exc:
            log.info("could not update the sent form's card: %s", type(exc).__name__)

    # -- Action.Execute ------------------------------------------------------------------------
    async def _invoke(self, context: TurnContext, activity: dict[str, Any]) -> None:
        if activity.get("name") != "adaptiveCard/action":
            await self._invoke_response(context, None)
            return
        org = self._org(activity)
        submission = read_submission(execute_data(activity)) if org else None
        user_id = _dict(activity.get("from")).get("id")
        if org is None or submission is None:
            lang = await self.channel.language(org, user_id) if org else self.services.config.language
            await self._invoke_response(context, {"statusCode": 200, "type": MESSAGE_RESPONSE,
                                                  "value": to_plain(t("form.unknown", lang))})
            return
        await self._remember(context, activity, org)
        if not await self._claim_form(org, submission):
            lang = await self.channel.language(org, user_id)
            await self._invoke_response(context, {"statusCode": 200, "type": CARD_CONTENT_TYPE,
                                                  "value": submitted_card(submission.title, lang)})
            return
        replies = await self._route(to_incoming(activity, org, submission=submission))
        lang = await self.channel.language(org, user_id)
        rest = replies
        if submission.kind != "form":
            body: dict[str, Any] = {"statusCode": 200, "type": MESSAGE_RESPONSE, "value": ""}
        elif _reasks(replies, submission):
            # the same form again with what to correct: it replaces the card, so the user fixes it in place
            surface = self.channel.surface(lang, is_personal(activity))
            body = {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": card(replies[0], surface)}
            rest = replies[1:]
            await self._release_form(org, submission)
        else:
            body = {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": submitted_card(submission.title, lang)}
        await self._say(context, activity, org, rest, reply_to=activity.get("replyToId"))
        await self._invoke_response(context, body)

    # -- added and removed ---------------------------------------------------------------------
    async def _membership(self, context: TurnContext, activity: dict[str, Any]) -> None:
        org = self._org(activity)
        if org is None:
            return
        me = bot_id(activity)

        def includes_me(key: str) -> bool:
            return any(_dict(m).get("id") == me for m in activity.get(key) or [])

        action = str(activity.get("action") or "")
        installation = activity.get("type") == "installationUpdate"
        if includes_me("membersRemoved") or (installation and action.startswith("remove")):
            await self._forget(context, activity, org)
            return
        if not (includes_me("membersAdded") or (installation and action.startswith("add"))):
            return
        key = (org, base_conversation_id(context.activity.conversation.id))
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:  # conversationUpdate and installationUpdate often arrive together: welcome once
            _, fresh = await self._remember(context, activity, org)
            if fresh:
                await self._say(context, activity, org, await self._welcome(activity, org), reply_to=None)

    async def _welcome(self, activity: dict[str, Any], org: str) -> list[Reply]:
        kind = conversation_type(activity)
        if kind == "personal":
            return await self._route(to_incoming(activity, org, submission=Submission("choice", "core:help")))
        lang = await self.channel.language(org, None)
        if kind == "channel":
            return [Reply(text=t("teams.welcome.team", lang),
                          choices=[Choice(t("teams.welcome.use_channel", lang), USE_CHANNEL)])]
        return [Reply(text=t("teams.welcome.group", lang))]
