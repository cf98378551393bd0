"""The pure due computation, table-driven: every kind, weekends, DST, ISO week 53, other time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.records import Action, Contract, ConversationRef, JourneyStep, Meeting, Member, Organisation
from scheduler.due import build_digest, compute_due
from scheduler.snapshot import OrgSnapshot, SentEntry

GROUP = {"channel": "local", "conversation_id": "wg"}


def snapshot(*, tz: str = "Europe/Amsterdam", actions=(), meetings=(), contracts=(), journey=(), refs=(),
             sent=(), group=True, weekday: int = 0, at: str = "09:00") -> OrgSnapshot:
    org = Organisation(org_id="demo", name="Gemeente Demo", timezone=tz, digest_weekday=weekday, digest_time=at,
                       group_conversation=dict(GROUP) if group else None)
    members = [Member(id=1, name="Anna", user_id="u1", channel="local", position="coordinator"),
               Member(id=2, name="Bert", user_id="u2", channel="local"),
               Member(id=3, name="Cas zonder chat")]
    return OrgSnapshot(org=org, members=members, actions=list(actions), meetings=list(meetings),
                       contracts=list(contracts), journey=list(journey), refs=list(refs),
                       sent={k: SentEntry(k, k.split(":")[0], "sent", datetime(2026, 1, 1, tzinfo=UTC)) for k in sent})


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def act(deadline: date | None, **kw) -> Action:
    return Action(id=kw.pop("id", 1), title=kw.pop("title", "Offerte opvragen"), owner_id=kw.pop("owner_id", 2),
                  deadline=deadline, **kw)


def keys(now: datetime, snap: OrgSnapshot, *, with_digest: bool = False) -> list[str]:
    return sorted(d.key + (" (folded)" if d.fold else "") for d in compute_due(now, snap)
                  if with_digest or d.kind != "digest")


D = date
CASES = [
    # --- action nudges: 3 days before, on the day, weekly while overdue (09:00 Amsterdam = 08:00 UTC in winter)
    ("nudge 3 days before", "2026-12-07T08:00+00:00", dict(actions=[act(D(2026, 12, 10))]), ["nudge:1:2026-12-07"]),
    ("not before 09:00", "2026-12-07T07:59+00:00", dict(actions=[act(D(2026, 12, 10))]), []),
    ("nudge on the day", "2026-12-10T08:00+00:00", dict(actions=[act(D(2026, 12, 10))]), ["nudge:1:2026-12-10"]),
    ("between nudges nothing new", "2026-12-08T10:00+00:00",
     dict(actions=[act(D(2026, 12, 10))], sent=["nudge:1:2026-12-07"]), []),
    ("overdue one week", "2026-12-17T08:00+00:00", dict(actions=[act(D(2026, 12, 10))]), ["nudge:1:2026-12-17"]),
    ("overdue two weeks", "2026-12-24T08:30+00:00",
     dict(actions=[act(D(2026, 12, 10))], sent=["nudge:1:2026-12-17"]), ["nudge:1:2026-12-24"]),
    ("done action: silence", "2026-12-10T08:00+00:00", dict(actions=[act(D(2026, 12, 10), status="done")]), []),
    ("no deadline: silence", "2026-12-10T08:00+00:00", dict(actions=[act(None)]), []),
    ("owner without chat: the coordinator passes it on", "2026-12-10T08:00+00:00",
     dict(actions=[act(D(2026, 12, 10), owner_id=3)]), ["nudge:1:2026-12-10"]),
    ("snoozed past the deadline", "2026-12-10T08:00+00:00",
     dict(actions=[act(D(2026, 12, 10), snoozed_until=D(2026, 12, 14))]), []),
    ("snooze ends: overdue nudge", "2026-12-14T08:00+00:00",
     dict(actions=[act(D(2026, 12, 10), snoozed_until=D(2026, 12, 14))]), ["nudge:1:2026-12-14"]),
    ("snooze ends: weekly after", "2026-12-21T08:00+00:00",
     dict(actions=[act(D(2026, 12, 10), snoozed_until=D(2026, 12, 14))], sent=["nudge:1:2026-12-14"]),
     ["nudge:1:2026-12-21"]),
    # --- weekends: before the deadline → the Friday before; overdue → the Monday after
    ("Saturday deadline: day nudge on Friday", "2026-12-11T08:00+00:00", dict(actions=[act(D(2026, 12, 12))]),
     ["nudge:1:2026-12-11"]),
    ("Saturday deadline: heads-up Wednesday", "2026-12-09T08:00+00:00", dict(actions=[act(D(2026, 12, 12))]),
     ["nudge:1:2026-12-09"]),
    ("Sunday deadline: nothing on Sunday", "2026-12-13T08:00+00:00",
     dict(actions=[act(D(2026, 12, 13))], sent=["nudge:1:2026-12-10", "nudge:1:2026-12-11"]), []),
    ("Tuesday deadline: heads-up moves to Friday", "2026-12-11T08:00+00:00", dict(actions=[act(D(2026, 12, 15))]),
     ["nudge:1:2026-12-11"]),
    ("Saturday deadline: overdue on Monday", "2026-12-21T08:00+00:00",
     dict(actions=[act(D(2026, 12, 12))], sent=["nudge:1:2026-12-11"]), ["nudge:1:2026-12-21"]),
    # --- DST: 09:00 local stays 09:00 local (UTC+1 in winter, UTC+2 in summer)
    ("after the March change 07:00 UTC", "2027-03-29T07:00+00:00", dict(actions=[act(D(2027, 3, 29))]),
     ["nudge:1:2027-03-29"]),
    ("after the March change 06:59 UTC is too early", "2027-03-29T06:59+00:00",
     dict(actions=[act(D(2027, 3, 29))], sent=["nudge:1:2027-03-26"]), []),
    ("after the October change 07:00 UTC is too early", "2026-10-26T07:00+00:00",
     dict(actions=[act(D(2026, 10, 26))], sent=["nudge:1:2026-10-23"]), []),
    ("after the October change 08:00 UTC", "2026-10-26T08:00+00:00", dict(actions=[act(D(2026, 10, 26))]),
     ["nudge:1:2026-10-26"]),
    # --- year boundary
    ("heads-up in the old year", "2026-12-29T08:00+00:00", dict(actions=[act(D(2027, 1, 1))]),
     ["nudge:1:2026-12-29"]),
    # --- another time zone (Curaçao, UTC-4, no DST): 09:00 there is 13:00 UTC
    ("Curaçao: not at 09:00 Amsterdam", "2026-12-10T08:00+00:00",
     dict(tz="America/Curacao", actions=[act(D(2026, 12, 10))], sent=["nudge:1:2026-12-07"]), []),
    ("Curaçao: at 09:00 local", "2026-12-10T13:00+00:00",
     dict(tz="America/Curacao", actions=[act(D(2026, 12, 10))]), ["nudge:1:2026-12-10"]),
    # --- catch-up after downtime: within 48 h sent, older folded, older than 30 days ignored
    ("missed by a day: still sent", "2026-12-11T12:00+00:00", dict(actions=[act(D(2026, 12, 10))]),
     ["nudge:1:2026-12-10"]),
    ("missed by three days: folded", "2026-12-13T09:00+00:00", dict(actions=[act(D(2026, 12, 10))]),
     ["nudge:1:2026-12-10 (folded)"]),
    # --- meetings: 7 days and 1 day before, to the participants; the Friday when that falls in a weekend
    ("meeting in 7 days", "2026-12-10T08:00+00:00",
     dict(meetings=[Meeting(id=4, title="Voortgang", next_date=at("2026-12-17T09:00+00:00"), participant_ids=[1, 2])]),
     ["meeting:4:2026-12-17:7@m1", "meeting:4:2026-12-17:7@m2"]),
    ("meeting tomorrow", "2026-12-16T08:00+00:00",
     dict(meetings=[Meeting(id=4, title="Voortgang", next_date=at("2026-12-17T09:00+00:00"), participant_ids=[1])]),
     ["meeting:4:2026-12-17:1@m1"]),
    ("Monday meeting: day-before reminder on Friday", "2026-12-18T08:00+00:00",
     dict(meetings=[Meeting(id=4, title="Voortgang", next_date=at("2026-12-21T09:00+00:00"), participant_ids=[1])],
          sent=["meeting:4:2026-12-21:7@m1"]), ["meeting:4:2026-12-21:1@m1"]),
    ("no participants: the working group", "2026-12-10T08:00+00:00",
     dict(meetings=[Meeting(id=4, title="Voortgang", next_date=at("2026-12-17T09:00+00:00"))]),
     ["meeting:4:2026-12-17:7@group"]),
    ("past meeting rolls on by its frequency", "2026-12-10T08:00+00:00",
     dict(meetings=[Meeting(id=4, title="Voortgang", frequency="monthly", next_date=at("2026-11-17T09:00+00:00"),
                            participant_ids=[1])]), ["meeting:4:2026-12-17:7@m1"]),
    ("past one-off meeting: nothing", "2026-12-10T08:00+00:00",
     dict(meetings=[Meeting(id=4, title="Kick-off", frequency="once", next_date=at("2026-11-17T09:00+00:00"),
                            participant_ids=[1])]), []),
    # --- contracts: 12, 6, 3 months before the end; 1 month before the extension decision
    ("contract ends in 12 months", "2026-12-10T08:00+00:00",
     dict(contracts=[Contract(id=7, supplier="CleanCo", end=D(2027, 12, 10), contract_manager_id=1)]),
     ["expiry:7:12:2027-12-10@group", "expiry:7:12:2027-12-10@m1"]),
    ("contract ends in 6 months (Sunday → Friday)", "2027-06-11T08:00+00:00",
     dict(contracts=[Contract(id=7, supplier="CleanCo", end=D(2027, 12, 13), contract_manager_id=1)],
          sent=["expiry:7:12:2027-12-13@group", "expiry:7:12:2027-12-13@m1"]),
     ["expiry:7:6:2027-12-13@group", "expiry:7:6:2027-12-13@m1"]),
    ("extension decision in a month", "2026-12-10T08:00+00:00",
     dict(contracts=[Contract(id=7, supplier="CleanCo", extension_decision=D(2027, 1, 10), contract_manager_id=1)]),
     ["extension:7:1:2027-01-10@group", "extension:7:1:2027-01-10@m1"]),
    ("contract without dates", "2026-12-10T08:00+00:00", dict(contracts=[Contract(id=7, supplier="CleanCo")]), []),
    ("no group channel: the coordinator instead", "2026-12-10T08:00+00:00",
     dict(group=False, contracts=[Contract(id=7, supplier="CleanCo", end=D(2027, 12, 10))]),
     ["expiry:7:12:2027-12-10@m1"]),
    ("no group channel: the manager and the coordinator", "2026-12-10T08:00+00:00",
     dict(group=False, contracts=[Contract(id=7, supplier="CleanCo", end=D(2027, 12, 10), contract_manager_id=2)]),
     ["expiry:7:12:2027-12-10@m1", "expiry:7:12:2027-12-10@m2"]),
    # --- a contract entered after its warnings were due: the latest one, once
    ("entered 25 days before its end", "2026-12-10T08:00+00:00",
     dict(contracts=[Contract(id=7, supplier="Groen", end=D(2027, 1, 4), contract_manager_id=2)]),
     ["expiry:7:3:2027-01-04@group", "expiry:7:3:2027-01-04@m2"]),
    ("entered late and warned: not again", "2026-12-11T08:00+00:00",
     dict(contracts=[Contract(id=7, supplier="Groen", end=D(2027, 1, 4), contract_manager_id=2)],
          sent=["expiry:7:3:2027-01-04@group", "expiry:7:3:2027-01-04@m2"]), []),
    ("warned before, then missed in downtime: folded as usual", "2026-12-20T08:00+00:00",
     dict(contracts=[Contract(id=7, supplier="CleanCo", end=D(2027, 3, 10), contract_manager_id=2)],
          sent=["expiry:7:6:2027-03-10@m2"]),
     ["expiry:7:3:2027-03-10@group (folded)", "expiry:7:3:2027-03-10@m2 (folded)"]),
    # --- an action without an owner: the coordinator is reminded, else the working group
    ("no owner: the coordinator", "2026-12-10T08:00+00:00", dict(actions=[act(D(2026, 12, 10), owner_id=None)]),
     ["nudge:1:2026-12-10"]),
]


@pytest.mark.parametrize(("now", "setup", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_due(now, setup, expected):
    assert keys(at(now), snapshot(**setup)) == expected


DIGESTS = [
    ("Monday 09:00 Amsterdam", "2026-11-23T08:00+00:00", {}, "digest:demo:2026-W48"),
    ("Monday 08:59 is too early (last week's is too old)", "2026-11-23T07:59+00:00", {}, None),
    ("missed this morning, sent in the afternoon", "2026-11-23T14:00+00:00", {}, "digest:demo:2026-W48"),
    ("missed for three days: skipped, next week's comes", "2026-11-26T09:00+00:00", {}, None),
    ("after the March change", "2027-03-29T07:00+00:00", {}, "digest:demo:2027-W13"),
    ("after the October change, 07:00 UTC too early", "2026-10-26T07:00+00:00", {}, None),
    ("after the October change, 08:00 UTC", "2026-10-26T08:00+00:00", {}, "digest:demo:2026-W44"),
    ("ISO week 53", "2026-12-28T08:00+00:00", {}, "digest:demo:2026-W53"),
    ("first week of the new ISO year", "2027-01-04T08:00+00:00", {}, "digest:demo:2027-W01"),
    ("Friday 16:30 setting", "2026-11-27T15:30+00:00", {"weekday": 4, "at": "16:30"}, "digest:demo:2026-W48"),
    ("Curaçao 09:00", "2026-11-23T13:00+00:00", {"tz": "America/Curacao"}, "digest:demo:2026-W48"),
    ("Curaçao before 09:00", "2026-11-23T12:59+00:00", {"tz": "America/Curacao"}, None),
    ("already sent", "2026-11-23T08:05+00:00", {"sent": ["digest:demo:2026-W48"]}, None),
]


@pytest.mark.parametrize(("now", "setup", "expected"), [c[1:] for c in DIGESTS], ids=[c[0] for c in DIGESTS])
def test_digest_due(now, setup, expected):
    digests = [d.key for d in compute_due(at(now), snapshot(**setup)) if d.kind == "digest"]
    assert digests == ([expected] if expected else [])


def test_digest_goes_to_the_coordinator_when_there_is_no_group_channel():
    due = [d for d in compute_due(at("2026-11-23T08:00+00:00"), snapshot(group=False)) if d.kind == "digest"]
    assert due[0].target.to == "user" and due[0].target.user_id == "u1"


def test_digest_for_an_organisation_with_nothing_open_is_one_short_line():
    snap = snapshot()
    reply = build_digest(at("2026-11-23T08:00+00:00"), snap)
    assert "\n" not in reply.text and "niets open" in reply.text


def test_digest_lists_overdue_first_and_leaves_empty_sections_out():
    now = at("2026-11-23T08:00+00:00")
    snap = snapshot(actions=[act(D(2026, 12, 20), id=1, title="Later"), act(D(2026, 11, 18), id=2, title="Te laat"),
                             act(D(2026, 11, 26), id=3, title="Deze week", owner_id=1)],
                    journey=[JourneyStep(section="1a", status="done"), JourneyStep(section="1b", status="done")])
    text = build_digest(now, snap).text
    assert text.index("Te laat") < text.index("Later")
    assert "**te laat**" in text and "Deze week af" in text and "Anna" in text and "Bert" in text
    assert "Overleggen" not in text and "Contracten" not in text
    assert "1c Doelstellingen bepalen" in text  # the next step of the walk-through


def test_digest_mentions_folded_reminders_and_unreachable_conversations():
    now = at("2026-12-14T08:00+00:00")  # Monday; the nudge of Thursday the 10th is > 48 h old
    snap = snapshot(actions=[act(D(2026, 12, 10), title="Leverancier bellen")],
                    refs=[ConversationRef(channel="teams", kind="group", conversation_id="19:x", name="Inkoop-team",
                                          active=False)])
    due = compute_due(now, snap)
    assert [d.key for d in due if d.fold] == ["nudge:1:2026-12-10"]
    digest = next(d for d in due if d.kind == "digest").replies[0].text
    assert "Eerdere herinneringen" in digest and "Leverancier bellen" in digest
    assert "Inkoop-team" in digest


def test_digest_when_the_group_channel_is_gone_goes_to_the_coordinator():
    snap = snapshot(refs=[ConversationRef(channel="local", kind="group", conversation_id="wg", active=False)])
    digest = next(d for d in compute_due(at("2026-11-23T08:00+00:00"), snap) if d.kind == "digest")
    assert digest.target.to == "user" and digest.target.user_id == "u1"


def test_meeting_reminder_has_the_agenda_of_its_contract():
    snap = snapshot(actions=[act(D(2026, 12, 20), title="Cijfers opvragen", contract_id=7),
                             act(D(2026, 12, 20), id=2, title="Iets anders")],
                    meetings=[Meeting(id=4, title="Voortgang CleanCo", contract_id=7,
                                      next_date=at("2026-12-17T09:00+00:00"), participant_ids=[1])])
    due = [d for d in compute_due(at("2026-12-10T08:00+00:00"), snap) if d.kind == "meeting"]
    text = due[0].replies[0].text
    assert "Cijfers opvragen" in text and "Iets anders" not in text and "7 dagen" in text


def test_expiry_warning_advises_tender_or_extension_with_buttons():
    snap = snapshot(contracts=[Contract(id=7, name="Schoonmaak", supplier="CleanCo", end=D(2027, 12, 10),
                                        contract_manager_id=1)])
    due = compute_due(at("2026-12-10T08:00+00:00"), snap)
    reply = next(d for d in due if d.key.endswith("@m1")).replies[0]
    assert "2A" in reply.text and "2B" in reply.text and "wezenlijke wijziging" in reply.text
    assert [c.value for c in reply.choices] == ["flow:start:2A", "flow:start:2B"]


def test_member_gets_messages_in_their_own_language():
    snap = snapshot(actions=[act(D(2026, 12, 10))])
    snap.langs["u2"] = "en"
    due = compute_due(at("2026-12-10T08:00+00:00"), snap)
    assert "due today" in due[0].replies[0].text


def test_the_computation_is_pure():
    snap = snapshot(actions=[act(D(2026, 12, 10))])
    now = at("2026-12-10T08:00+00:00")
    first = [(d.key, d.at, d.target) for d in compute_due(now, snap)]
    assert first == [(d.key, d.at, d.target) for d in compute_due(now, snap)]
    assert [d.key for d in compute_due(now + timedelta(days=60), snap) if d.kind == "nudge"] != [first[0][0]]


def test_an_action_without_an_owner_reminds_the_coordinator_or_else_the_group():
    snap = snapshot(actions=[act(D(2026, 12, 10), owner_id=None)])
    [due] = [d for d in compute_due(at("2026-12-10T08:00+00:00"), snap) if d.kind == "nudge"]
    assert due.target.user_id == "u1" and "geen eigenaar" in due.replies[0].text
    snap.members[0].position = None
    [due] = [d for d in compute_due(at("2026-12-10T08:00+00:00"), snap) if d.kind == "nudge"]
    assert due.target.to == "group" and due.target.conversation_id == "wg"
    snap.org.group_conversation = None
    assert [d for d in compute_due(at("2026-12-10T08:00+00:00"), snap) if d.kind == "nudge"] == []


def test_a_contract_entered_late_is_warned_with_the_days_left():
    snap = snapshot(contracts=[Contract(id=7, name="Groen", supplier="Groen BV", end=D(2027, 1, 4),
                                        contract_manager_id=1)])
    reply = next(d for d in compute_due(at("2026-12-10T08:00+00:00"), snap) if d.kind == "expiry").replies[0]
    assert "over 25 dagen" in reply.text and "maanden" not in reply.text


def test_the_working_group_meeting_has_the_open_action_plan_as_agenda_and_no_made_up_time():
    snap = snapshot(actions=[act(D(2026, 12, 20), title="Cijfers opvragen", contract_id=7),
                             act(D(2026, 12, 1), id=2, title="Notitie directie"),
                             act(D(2026, 12, 1), id=3, title="Al klaar", status="done")],
                    meetings=[Meeting(id=4, title="Overleg werkgroep", next_date=at("2026-12-17T09:00+00:00"),
                                      participant_ids=[1]),
                              Meeting(id=5, title="Verkennend gesprek met CleanCo", contract_id=9, frequency="once",
                                      time_set=False, next_date=at("2026-12-17T09:00+00:00"), participant_ids=[2])])
    due = {d.key: d for d in compute_due(at("2026-12-10T08:00+00:00"), snap) if d.kind == "meeting"}
    group = due["meeting:4:2026-12-17:7@m1"].replies[0].text
    assert "Cijfers opvragen" in group and "Notitie directie" in group and "Al klaar" not in group
    assert "10:00" in group  # 09:00 UTC is 10:00 in Amsterdam: a time that was set is shown
    talk = due["meeting:5:2026-12-17:7@m2"].replies[0].text
    assert "voortgangsoverleg" not in talk and "Verkennend gesprek met CleanCo" in talk
    assert "do 17 dec" in talk and "10:00" not in talk and "geen open acties" in talk


def test_a_meeting_rolled_on_by_its_frequency_skips_the_weekend():
    from zoneinfo import ZoneInfo

    from scheduler.calendar import current_meeting
    tz = ZoneInfo("Europe/Amsterdam")
    first = datetime(2026, 12, 10, 10, 0, tzinfo=tz)  # Thursday; a month later is Sunday 10 January
    nxt = current_meeting(first, "monthly", datetime(2026, 12, 11, tzinfo=UTC), tz)
    assert nxt is not None and nxt.astimezone(tz).date() == D(2027, 1, 11) and nxt.astimezone(tz).hour == 10


def test_a_meeting_moved_off_a_sunday_does_not_shift_the_ones_after_it():
    """Monthly on the 10th: Sunday 10 January moves to Monday the 11th, and February is on the 10th again
    (counted from the agreed start, not from the moved date)."""
    from zoneinfo import ZoneInfo

    from scheduler.calendar import current_meeting
    tz = ZoneInfo("Europe/Amsterdam")
    start = datetime(2026, 12, 10, 10, 0, tzinfo=tz)
    moved = current_meeting(start, "monthly", datetime(2026, 12, 11, tzinfo=UTC), tz, start)
    assert moved is not None and moved.astimezone(tz).date() == D(2027, 1, 11)
    after = current_meeting(moved, "monthly", datetime(2027, 1, 12, tzinfo=UTC), tz, start)  # rolled on from 11 Jan
    assert after is not None and after.astimezone(tz).date() == D(2027, 2, 10) and after.astimezone(tz).hour == 10
    # and the digest's meeting line a year on still says the 10th (or the Monday after)
    later = [current_meeting(moved, "monthly", datetime(2027, m, 1, tzinfo=UTC), tz, start) for m in range(2, 13)]
    assert [w.astimezone(tz).day for w in later if w] == [10, 10, 12, 10, 10, 12, 10, 10, 11, 10, 10]


def test_a_nudge_for_an_owner_without_chat_goes_to_the_coordinator_who_is_asked_to_pass_it_on():
    now = at("2026-12-10T08:00+00:00")
    [nudge] = [d for d in compute_due(now, snapshot(actions=[act(D(2026, 12, 10), owner_id=3)])) if d.kind == "nudge"]
    assert (nudge.target.to, nudge.target.user_id) == ("user", "u1")  # Anna, the coordinator
    text = nudge.replies[0].text
    assert "Offerte opvragen" in text and "Cas zonder chat" in text and "doorgeven" in text
    own = [d for d in compute_due(now, snapshot(actions=[act(D(2026, 12, 10), owner_id=2)])) if d.kind == "nudge"]
    assert own[0].target.user_id == "u2" and "doorgeven" not in own[0].replies[0].text
