"""Chat commands of the scheduler: see and manage actions, the digest, the working-group channel, exports.

Choice values and form ids start with "sched:". Button values that are plain text ("gebruik dit kanaal voor
de werkgroep") arrive as typed text, so every command here works typed and clicked alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.feature import Dispatching, Turn, normalise
from bot.forms import invalid_reply, read_form
from bot.markdown import Md
from bot.messages import MAX_CHOICES, Attachment, Choice, Form, FormField, Reply
from bot.records import Action, Member
from bot.values import ValidationError, parse_date, parse_id, parse_time, relative_date_words
from bot.workgroup import holder, may_manage
from scheduler import compose, exports
from scheduler.calendar import current_meeting, fmt_date
from scheduler.due import GRACE, build_digest, group_target
from scheduler.snapshot import OrgSnapshot, load
from scheduler.sources import collect

SNOOZE_DAYS = 7
HOME_MEETINGS = 3
_DONE = re.compile(r"^(?P<word>[a-z]+)\s+(?:actie\s+|action\s+)?#?\s*(?P<id>\d{1,9})$")
_DATE_TAIL = re.compile(
    r"[\s,]+(?:(?:voor|op|uiterlijk|deadline|by|due|before|on)\s+)?"
    r"(?P<date>\d{4}-\d{2}-\d{2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|\d{1,2}\s+[A-Za-z]+\.?(?:\s+\d{4})?|"
    + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in relative_date_words()) + r")\s*$",
    re.IGNORECASE)
# "voor Piet de Vries" at the end: the name has no digits and no second "voor"/"op" in it
_OWNER_TAIL = re.compile(r"(?:[\s,]+(?:voor|for|eigenaar|owner)\s+|\s+@)"
                         r"(?P<name>(?:(?![\s,](?:voor|for|op|on)\s)[^,@\d])+?)\s*$", re.IGNORECASE)
_NAME_WORDS = 4
# "actie: memo voor het bestuur, voor Piet, vrijdag": a new action written as a labelled line (colon required)
_LABELLED = re.compile(r"^\s*(?:actie|action|taak|task|todo|to-do)\s*:\s*(?P<rest>\S.*)$", re.IGNORECASE | re.DOTALL)


@cache
def phrases() -> dict[str, Any]:
    return yaml.safe_load(Path(__file__).with_name("phrases.yaml").read_text("utf-8"))


def _starts(norm: str, key: str) -> str | None:
    """The rest of the message after one of the phrases under `key`, or None."""
    for p in sorted(phrases()[key], key=len, reverse=True):
        if norm == p:
            return ""
        if norm.startswith(p + " "):
            return norm[len(p) + 1:]
    return None


@dataclass
class NewAction:
    """What one "nieuwe actie ..." sentence says; `unknown` is an owner name that is no member, `bad_date` a
    date that does not exist."""
    title: str
    owner: Member | None = None
    deadline: date | None = None
    unknown: str = ""
    bad_date: ValidationError | None = None


class SchedulerFeature(Dispatching):
    name = "scheduler"
    prefixes = ("sched:",)

    def help_choices(self, lang: str) -> list[Choice]:
        return [Choice(compose.t("sched.button.my_actions", lang), "sched:list:mine"),
                Choice(compose.t("sched.button.new_action", lang), "sched:new")]

    # -- dispatch ---------------------------------------------------------------------------------------
    async def on_choice(self, turn: Turn, value: str) -> list[Reply] | None:
        parts = value.split(":")
        verb = parts[1] if len(parts) > 1 else ""
        arg = parts[2] if len(parts) > 2 else ""
        if verb in ("done", "snooze", "deadline"):
            return await self._action_button(turn, verb, arg)
        simple = {"list": lambda: self._list(turn, everyone=arg == "all"), "new": lambda: self._new(turn, ""),
                  "export": lambda: self._export(turn, arg), "digest": lambda: self._digest_settings(turn),
                  "digestnow": lambda: self._digest_now(turn)}
        if verb in simple:
            return await simple[verb]()
        return None

    async def on_text(self, turn: Turn) -> list[Reply] | None:
        norm = turn.norm
        p = phrases()
        if norm in p["mine"]:
            return await self._list(turn, everyone=False)
        if norm in p["all"]:
            return await self._list(turn, everyone=True)
        if norm in p["digest_now"]:
            return await self._digest_now(turn)
        if norm in p["digest_settings"]:
            return await self._digest_settings(turn)
        if norm in p["group"]:
            return await self._use_group(turn)
        if norm in p["export_actions"]:
            return await self._export(turn, "actions")
        if norm in p["export_meetings"]:
            return await self._export(turn, "meetings")
        m = _DONE.match(norm)
        verb = next((v for v in ("done", "snooze", "deadline") if m and m.group("word") in p[v]), None)
        if m and verb:
            return await self._action_button(turn, verb, m.group("id"))
        for key, kind in (("digest_day", "day"), ("digest_time", "time")):
            rest = _starts(norm, key)
            if rest:
                return await self._digest_setting(turn, kind, rest)
        if _starts(norm, "new") is not None:
            return await self._new(turn, self._after_phrase(turn.text))
        labelled = _LABELLED.match(turn.text or "")
        if labelled:
            return await self._new(turn, labelled.group("rest").strip())
        return None

    @staticmethod
    def _after_phrase(text: str) -> str:
        """The raw text after "nieuwe actie" (case and punctuation kept for the title)."""
        words = len(next(p for p in sorted(phrases()["new"], key=len, reverse=True)
                         if normalise(text).startswith(p)).split())
        rest = text.strip()
        for _ in range(words):
            rest = rest.split(None, 1)[1] if len(rest.split(None, 1)) > 1 else ""
        return rest.lstrip(":-– ").strip()

    async def on_form(self, turn: Turn, form_id: str, values: dict[str, Any]) -> list[Reply] | None:
        if form_id == "sched:new":
            return await self._save_new(turn, values)
        if form_id.startswith("sched:deadline:"):
            return await self._save_deadline(turn, form_id.rsplit(":", 1)[1], values)
        if form_id == "sched:digest":
            return await self._save_digest_settings(turn, values)
        return None

    # -- helpers ----------------------------------------------------------------------------------------
    @staticmethod
    def _today(turn: Turn) -> date:
        return turn.services.clock.now().astimezone(ZoneInfo(turn.org.timezone)).date()

    @classmethod
    def _relative_deadline(cls, turn: Turn, values: Any) -> Any:
        """The submitted values with a typed "morgen" or "vrijdag" deadline turned into its date (forms know no
        today; the terminal and chat forms let people type it)."""
        raw = values.get("deadline") if isinstance(values, dict) else None
        if not isinstance(raw, str):
            return values
        try:
            return {**values, "deadline": parse_date(raw, today=cls._today(turn)).isoformat()}
        except ValidationError:
            return values

    @staticmethod
    async def _snapshot(turn: Turn) -> OrgSnapshot:
        snap, _ = await load(turn.repo, turn.org)
        snap.org = turn.org
        return snap

    async def _refuse(self, turn: Turn) -> list[Reply] | None:
        if await may_manage(turn.repo, turn.incoming.user_id):
            return None
        coordinator = await holder(turn.repo, "coordinator")
        return [turn.reply("sched.cmd.not_allowed", coordinator=coordinator.name if coordinator else "")]

    async def _find_action(self, turn: Turn, ident: str) -> Action | None:
        number = parse_id(ident)
        return await turn.repo.get(Action, number) if number is not None else None

    # -- listing ----------------------------------------------------------------------------------------
    async def _list(self, turn: Turn, everyone: bool) -> list[Reply]:
        today = self._today(turn)
        actions = [a for a in await turn.repo.list(Action) if a.status == "open"]
        member = turn.member
        mine = not everyone and member is not None
        if mine:
            actions = [a for a in actions if a.owner_id == member.id]
        actions.sort(key=lambda a: (a.deadline is None, a.deadline or today, a.id or 0))
        members = {m.id: m for m in await turn.repo.list(Member)}
        choices = [Choice(turn.t("sched.button.all_actions"), "sched:list:all")] if mine else []
        choices += [Choice(turn.t("sched.button.new_action"), "sched:new"),
                    Choice(turn.t("sched.button.export_actions"), "sched:export:actions")]
        if not actions:
            key = "sched.cmd.none_mine" if mine else "sched.cmd.none_all"
            return [Reply(text=turn.t(key), section="1d", choices=choices)]
        items = []
        for a in actions:
            line = compose.action_line(a, turn.lang, today)
            if not mine:
                line = compose.owner_suffix(line, members.get(a.owner_id), turn.lang)
            items.append(line)
        head = turn.t("sched.cmd.list_mine" if mine else "sched.cmd.list_all", count=len(actions))
        note = "" if everyone or member is not None else "\n" + turn.t("sched.cmd.not_member")
        text = Md(f"{head}\n{compose.lines(items, turn.lang, limit=20)}{note}\n" + turn.t("sched.cmd.list_hint"))
        closable = await self._closable(turn, actions)
        done_buttons = [Choice(turn.t("sched.cmd.done_button", id=a.id), f"sched:done:{a.id}")
                        for a in closable[:MAX_CHOICES - len(choices)]]
        return [Reply(text=text, section="1d", choices=done_buttons + choices)]

    async def _closable(self, turn: Turn, actions: list[Action]) -> list[Action]:
        """The actions whose done button this list shows: in a personal chat only those the user may close
        (their own; all for the coordinator or backup). In a group conversation everybody sees the same
        message, so every action keeps its button and a press by someone else is refused by name."""
        if turn.incoming.is_group or await may_manage(turn.repo, turn.incoming.user_id):
            return actions
        member = turn.member
        return [a for a in actions if member is not None and a.owner_id == member.id]

    # -- creating ---------------------------------------------------------------------------------------
    async def _new(self, turn: Turn, rest: str) -> list[Reply]:
        members = [m for m in await turn.repo.list(Member) if m.active]
        new = self.parse_new(rest, members, turn.member, self._today(turn))
        notices = []
        if new.bad_date is not None:  # "op 31-2-2027": say so, keep the title and owner
            notices.append(new.bad_date.message(turn.lang, turn.t("sched.form.deadline")))
        if new.unknown:  # "voor Zorro": say so, and let the sender pick the owner (no silent default)
            names = ", ".join(m.name for m in members)
            notices.append(turn.t("sched.cmd.unknown_owner", name=new.unknown, members=names) if members else
                           turn.t("sched.cmd.unknown_owner_none", name=new.unknown))
        if not notices and new.title and new.deadline and (new.owner is not None or not members):
            return await self._create(turn, new.title, new.owner, new.deadline)
        if new.unknown and not members and new.title and new.deadline and new.bad_date is None:
            return await self._create(turn, new.title, None, new.deadline, notice=notices[0])
        form = self._new_form(turn, members, new.title, new.owner, new.deadline)
        for f in form.fields:
            if f.name == "owner" and new.unknown:
                f.value = None
        text = Md("\n".join(notices)) if notices else turn.t("sched.cmd.new_form_intro")
        return [Reply(text=text, section="1d", form=form)]

    @staticmethod
    def parse_new(text: str, members: list[Member], me: Member | None, today: date) -> NewAction:
        """Title, owner and deadline from "Leverancier bellen voor Piet op 12-12-2026" (owner and date in either
        order, the date also as "morgen" or "vrijdag"). A trailing "voor <Naam>" that matches no member is
        reported as unknown rather than left in the title; it counts as a name when it is capitalised and at most
        four words, so "voor de begroting" stays part of the title."""
        new = NewAction(" ".join(text.split()))  # a line break typed in the chat would split the title in lists
        for _ in range(2):  # the date may come before or after the owner
            if new.deadline is None and new.bad_date is None:
                new.title = SchedulerFeature._take_date(new, today)
            if new.owner is None and not new.unknown:
                new.title = SchedulerFeature._take_owner(new, members, me)
        new.title = new.title.strip(" ,:-–")
        return new

    @staticmethod
    def _take_date(new: NewAction, today: date) -> str:
        m = _DATE_TAIL.search(new.title)
        if not m:
            return new.title
        try:
            new.deadline = parse_date(m.group("date"), today=today)
        except ValidationError as exc:
            if exc.key != "date_impossible":  # "3 keer" is no date at all: it stays in the title
                return new.title
            new.bad_date = exc
        return new.title[:m.start()]

    @staticmethod
    def _take_owner(new: NewAction, members: list[Member], me: Member | None) -> str:
        m = _OWNER_TAIL.search(new.title)
        if not m:
            return new.title
        raw = m.group("name").strip()
        wanted = normalise(raw)
        if wanted in phrases()["me"]:
            new.owner = me
            return new.title[:m.start()] if me is not None else new.title
        matches = [x for x in members if normalise(x.name) == wanted] or \
                  [x for x in members if normalise(x.name).split()[:1] == [wanted]]
        if len(matches) == 1:
            new.owner = matches[0]
            return new.title[:m.start()]
        if raw[:1].isupper() and len(wanted.split()) <= _NAME_WORDS:
            new.unknown = raw
            return new.title[:m.start()]
        return new.title

    def _new_form(self, turn: Turn, members: list[Member], title: str = "", owner: Member | None = None,
                  deadline: date | None = None) -> Form:
        fields = [FormField("title", turn.t("sched.form.title"), "textarea" if len(title) > 100 else "text",
                            required=True, value=title or None)]
        if members:
            fields.append(FormField("owner", turn.t("sched.form.owner"), "choice", required=True,
                                    options=[Choice(m.name, str(m.id)) for m in members],
                                    messages={"unknown_option": "validation.member_unknown"},
                                    value=str(owner.id) if owner else (
                                        str(turn.member.id) if turn.member else None)))
        fields.append(FormField("deadline", turn.t("sched.form.deadline"), "date", required=True,
                                value=deadline.isoformat() if deadline else None, hint=turn.t("sched.form.date_hint")))
        return Form(id="sched:new", title=turn.t("sched.form.new_title"), fields=fields,
                    submit_label=turn.t("sched.form.save"))

    async def _save_new(self, turn: Turn, values: dict[str, Any]) -> list[Reply]:
        members = [m for m in await turn.repo.list(Member) if m.active]
        form = self._new_form(turn, members)
        clean, errors = read_form(form, self._relative_deadline(turn, values), turn.lang)
        if clean["deadline"] is not None and clean["deadline"] < self._today(turn):
            errors.append(turn.t("sched.form.past"))
        if errors:
            return [invalid_reply(form, values, errors, turn.lang, section="1d")]
        owner = next((m for m in members if str(m.id) == clean.get("owner")), None)
        return await self._create(turn, clean["title"], owner, clean["deadline"])

    async def _create(self, turn: Turn, title: str, owner: Member | None, deadline: date,
                      notice: Md | None = None) -> list[Reply]:
        now = turn.services.clock.now()
        action = Action(title=title, owner_id=owner.id if owner else None, deadline=deadline, created_at=now,
                        updated_at=now, section="1d")
        try:
            await turn.repo.add(action)
        except ValidationError as exc:
            return [Reply(text=exc.message(turn.lang), section="1d")]
        params = {"id": action.id, "title": title, "date": fmt_date(deadline, turn.lang, self._today(turn))}
        if owner is not None:
            text = turn.t("sched.cmd.created", owner=owner.name, **params)
        else:  # only without members: the reminders go to the group conversation, or to nobody, said honestly
            snap = await self._snapshot(turn)
            if group_target(snap) is not None:
                text = turn.t("sched.cmd.created_group", **params)
            else:
                text = turn.t("sched.cmd.created_nobody", **params)
        if notice:
            text = Md(f"{notice}\n{text}")
        return [Reply(text=text, section="1d",
                      choices=[Choice(turn.t("sched.button.my_actions"), "sched:list:mine"),
                               Choice(turn.t("sched.button.new_action"), "sched:new")])]

    # -- done, snooze, deadline -------------------------------------------------------------------------
    async def _may_change(self, turn: Turn, action: Action) -> bool:
        member = turn.member
        return (member is not None and member.id == action.owner_id) or \
            await may_manage(turn.repo, turn.incoming.user_id)

    @staticmethod
    async def _owner(turn: Turn, action: Action) -> Member | None:
        return await turn.repo.get(Member, action.owner_id) if action.owner_id is not None else None

    async def _not_owner(self, turn: Turn, action: Action) -> Reply:
        """Who may change this action instead, by name (the button may be on a message the whole group sees)."""
        owner = await self._owner(turn, action)
        if owner is None:
            return turn.reply("sched.cmd.not_owner_none", id=action.id, title=action.title)
        return turn.reply("sched.cmd.not_owner", id=action.id, title=action.title, owner=owner.name)

    async def _action_button(self, turn: Turn, verb: str, ident: str) -> list[Reply]:
        action = await self._find_action(turn, ident)
        if action is None:
            return [turn.reply("sched.cmd.unknown_action", id=ident[:12])]
        if not await self._may_change(turn, action):
            return [await self._not_owner(turn, action)]
        today = self._today(turn)
        now = turn.services.clock.now()
        if verb == "deadline":
            form = self._deadline_form(turn, action)
            return [Reply(text=turn.t("sched.cmd.deadline_intro", id=action.id, title=action.title),
                          section="1d", form=form)]
        if action.status == "done":
            return [turn.reply("sched.cmd.already_done", id=action.id, title=action.title)]
        owner_name = ""
        if verb == "done":
            action.status, action.done_at = "done", now
            key = "sched.cmd.done"
        else:
            action.snoozed_until = today + timedelta(days=SNOOZE_DAYS)
            owner = await self._owner(turn, action)
            # the coordinator or backup snoozing someone else's action: it is the owner who hears again
            key, owner_name = ("sched.cmd.snoozed_other", owner.name) \
                if owner is not None and owner.user_id != turn.incoming.user_id else ("sched.cmd.snoozed", "")
        action.updated_at = now
        await turn.repo.update(action)
        until = fmt_date(action.snoozed_until, turn.lang, today) if action.snoozed_until else ""
        return [Reply(text=turn.t(key, id=action.id, title=action.title, date=until, owner=owner_name), section="1d",
                      choices=[Choice(turn.t("sched.button.my_actions"), "sched:list:mine")])]

    def _deadline_form(self, turn: Turn, action: Action) -> Form:
        return Form(id=f"sched:deadline:{action.id}", title=turn.t("sched.form.deadline_title"),
                    submit_label=turn.t("sched.form.save"),
                    fields=[FormField("deadline", turn.t("sched.form.deadline"), "date", required=True,
                                      value=action.deadline.isoformat() if action.deadline else None,
                                      hint=turn.t("sched.form.date_hint"))])

    async def _save_deadline(self, turn: Turn, ident: str, values: dict[str, Any]) -> list[Reply]:
        action = await self._find_action(turn, ident)
        if action is None:
            return [turn.reply("sched.cmd.unknown_action", id=ident[:12])]
        if not await self._may_change(turn, action):
            return [await self._not_owner(turn, action)]
        form = self._deadline_form(turn, action)
        clean, errors = read_form(form, self._relative_deadline(turn, values), turn.lang)
        today = self._today(turn)
        if clean["deadline"] is not None and clean["deadline"] < today:
            errors.append(turn.t("sched.form.past"))
        if errors:
            return [invalid_reply(form, values, errors, turn.lang, section="1d")]
        action.deadline, action.snoozed_until = clean["deadline"], None
        action.updated_at = turn.services.clock.now()
        await turn.repo.update(action)
        return [turn.reply("sched.cmd.deadline_saved", section="1d", id=action.id, title=action.title,
                           date=fmt_date(action.deadline, turn.lang, today))]

    # -- digest -----------------------------------------------------------------------------------------
    async def _digest_now(self, turn: Turn) -> list[Reply]:
        refused = await self._refuse(turn)
        if refused:
            return refused
        snap = await self._snapshot(turn)
        await collect(turn.services, turn.repo, snap, turn.services.clock.now(), GRACE)  # other features' sections
        reply = build_digest(turn.services.clock.now(), snap)
        # the digest is written in the organisation's language; "digest now" answers in the user's
        if turn.lang != snap.org.language:
            snap.org.language = turn.lang
            reply = build_digest(turn.services.clock.now(), snap)
        return [reply]

    def _settings_form(self, turn: Turn) -> Form:
        days = phrases()["weekdays"][turn.lang]
        return Form(id="sched:digest", title=turn.t("sched.form.digest_title"), submit_label=turn.t("sched.form.save"),
                    fields=[FormField("weekday", turn.t("sched.form.weekday"), "choice", required=True,
                                      options=[Choice(d.capitalize(), str(i)) for i, d in enumerate(days)],
                                      value=str(turn.org.digest_weekday)),
                            FormField("time", turn.t("sched.form.time"), "text", required=True,
                                      value=turn.org.digest_time, hint="09:00")])

    async def _digest_settings(self, turn: Turn) -> list[Reply]:
        refused = await self._refuse(turn)
        if refused:
            return refused
        return [Reply(text=self._settings_text(turn, "sched.cmd.digest_current"), form=self._settings_form(turn))]

    def _settings_text(self, turn: Turn, key: str) -> Md:
        day = phrases()["weekdays"][turn.lang][turn.org.digest_weekday]
        return turn.t(key, day=day, time=turn.org.digest_time)

    async def _save_digest_settings(self, turn: Turn, values: dict[str, Any]) -> list[Reply]:
        refused = await self._refuse(turn)
        if refused:
            return refused
        form = self._settings_form(turn)
        clean, errors = read_form(form, values, turn.lang)
        if clean["time"] is not None:
            try:
                clean["time"] = parse_time(clean["time"], "time")
            except ValidationError as exc:
                errors.append(exc.message(turn.lang, turn.t("sched.form.time")))
        if errors:
            return [invalid_reply(form, values, errors, turn.lang)]
        return await self._store_digest(turn, int(clean["weekday"]), clean["time"].strftime("%H:%M"))

    async def _digest_setting(self, turn: Turn, kind: str, rest: str) -> list[Reply]:
        refused = await self._refuse(turn)
        if refused:
            return refused
        org = turn.org
        if kind == "day":
            wanted = rest.split()[0]
            for lang in ("nl", "en"):
                days = phrases()["weekdays"][lang]
                hits = [i for i, d in enumerate(days) if d == wanted or (len(wanted) >= 2 and d.startswith(wanted))]
                if len(hits) == 1:
                    return await self._store_digest(turn, hits[0], org.digest_time)
            return [turn.reply("sched.cmd.bad_day", value=rest[:40])]
        try:
            clock = parse_time(rest.replace(" ", ":") if re.fullmatch(r"\d{1,2} \d{2}", rest) else rest)
        except ValidationError as exc:
            return [Reply(text=exc.message(turn.lang, turn.t("sched.form.time")))]
        return await self._store_digest(turn, org.digest_weekday, clock.strftime("%H:%M"))

    async def _store_digest(self, turn: Turn, weekday: int, clock: str) -> list[Reply]:
        org = turn.org
        org.digest_weekday, org.digest_time = weekday, clock
        await turn.repo.save_organisation(org, now=turn.services.clock.now())
        return [Reply(text=self._settings_text(turn, "sched.cmd.digest_saved"))]

    # -- the working group's channel --------------------------------------------------------------------
    async def _use_group(self, turn: Turn) -> list[Reply]:
        refused = await self._refuse(turn)
        if refused:
            return refused
        incoming = turn.incoming
        org = turn.org
        org.group_conversation = {"channel": incoming.channel, "conversation_id": incoming.conversation_id,
                                  "name": (org.group_conversation or {}).get("name", "") if (
                                      org.group_conversation or {}).get("conversation_id")
                                  == incoming.conversation_id else ""}
        await turn.repo.save_organisation(org, now=turn.services.clock.now())
        key = "sched.cmd.group_set" if incoming.is_group else "sched.cmd.group_set_direct"
        return [Reply(text=self._settings_text(turn, key))]

    # -- exports ----------------------------------------------------------------------------------------
    async def _export(self, turn: Turn, what: str) -> list[Reply]:
        snap = await self._snapshot(turn)
        today = self._today(turn).isoformat()
        if what == "meetings":
            if not any(m.next_date for m in snap.meetings):
                return [turn.reply("sched.cmd.no_meetings", section="4a")]
            data = exports.meetings_ics(snap, turn.services.clock.now(), turn.lang)
            return [Reply(text=turn.t("sched.cmd.export_meetings"), section="4a",
                          attachments=[Attachment(f"overleggen-{today}.ics", "text/calendar", data=data)])]
        if what != "actions":
            return [turn.reply("fallback.text")]
        if not snap.actions:
            return [turn.reply("sched.cmd.none_all", section="1d")]
        return [Reply(text=turn.t("sched.cmd.export_actions"), section="1d", attachments=[
            Attachment(f"actieplan-{today}.md", "text/markdown", data=exports.actions_markdown(snap, turn.lang)),
            Attachment(f"actieplan-{today}.csv", "text/csv", data=exports.actions_csv(snap, turn.lang))])]

    # -- home -------------------------------------------------------------------------------------------
    async def home(self, turn: Turn) -> list[Reply]:
        """The user's open actions (with done buttons) and the next progress meetings."""
        snap = await self._snapshot(turn)
        today = self._today(turn)
        now = turn.services.clock.now()
        tz = ZoneInfo(snap.org.timezone)
        member = turn.member
        mine = sorted((a for a in snap.actions if a.status == "open" and member is not None
                       and a.owner_id == member.id), key=lambda a: (a.deadline is None, a.deadline or today))
        if mine:
            text = Md(turn.t("sched.home.actions", count=len(mine)) + "\n"
                      + compose.lines([compose.action_line(a, turn.lang, today) for a in mine], turn.lang))
            choices = [Choice(turn.t("sched.cmd.done_button", id=a.id), f"sched:done:{a.id}")
                       for a in mine[:MAX_CHOICES - 1]]
        else:
            text = turn.t("sched.home.no_actions")
            choices = []
        choices.append(Choice(turn.t("sched.button.new_action"), "sched:new"))
        replies = [Reply(text=text, section="1d", choices=choices)]
        upcoming = sorted(((w, m) for m in snap.meetings
                           if (w := current_meeting(m.next_date, m.frequency, now, tz, m.series_start)) is not None),
                          key=lambda x: x[0])[:HOME_MEETINGS]
        if upcoming:
            lines = [compose.meeting_line(m, w, tz, turn.lang, today) for w, m in upcoming]
            replies.append(Reply(text=Md(turn.t("sched.home.meetings") + "\n" + compose.lines(lines, turn.lang)),
                                 section="4a", choices=[Choice(turn.t("sched.button.export_meetings"),
                                                               "sched:export:meetings")]))
        return replies
