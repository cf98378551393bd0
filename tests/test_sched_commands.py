"""The scheduler's chat commands through the local API: actions, digest, working-group channel, exports, home."""

from __future__ import annotations

from datetime import UTC, date, datetime

from icalendar import Calendar

from bot.feature import Turn
from bot.messages import Incoming
from bot.records import Action, ConversationState, Meeting, Member, Organisation


async def members(server) -> tuple[Member, Member]:
    repo = server.services.repo("demo")
    anna = await repo.add(Member(name="Anna de Vries", user_id="u1", channel="local", position="coordinator"))
    bert = await repo.add(Member(name="Bert Jansen", user_id="u2", channel="local"))
    return anna, bert


async def test_new_action_from_one_sentence(server):
    await members(server)
    replies = await server.say("Nieuwe actie: Marktconsultatie plannen voor Bert op 15 januari 2027")
    assert "#1" in replies[0]["text"] and "Bert Jansen" in replies[0]["text"]
    action = await server.services.repo("demo").get(Action, 1)
    assert (action.title, action.deadline) == ("Marktconsultatie plannen", date(2027, 1, 15))


async def test_new_action_without_owner_or_date_asks_with_a_form_and_checks_it(server):
    _, bert = await members(server)
    replies = await server.say("new action Call the supplier")
    form = replies[0]["form"]
    assert form["id"] == "sched:new" and form["fields"][0]["value"] == "Call the supplier"
    bad = await server.say(form={"id": "sched:new", "values": {"title": "Call the supplier", "owner": str(bert.id),
                                                                "deadline": "1-1-2020"}})
    assert "verleden" in bad[0]["text"] and bad[0]["form"]["id"] == "sched:new"
    empty = await server.say(form={"id": "sched:new", "values": {"title": " ", "owner": str(bert.id)}})
    assert "Wat moet er gebeuren: " in empty[0]["text"] and "gebeuren?:" not in empty[0]["text"]  # the label asks
    ok = await server.say(form={"id": "sched:new", "values": {"title": "Call the supplier", "owner": str(bert.id),
                                                               "deadline": "2026-12-01"}})
    assert "Bert Jansen" in ok[0]["text"]
    assert (await server.services.repo("demo").get(Action, 1)).owner_id == bert.id


async def test_my_actions_all_actions_and_done(server):
    _, bert = await members(server)
    repo = server.services.repo("demo")
    await repo.add(Action(title="Bestuursnotitie schrijven", owner_id=1, deadline=date(2026, 11, 20)))
    await repo.add(Action(title="Leveranciers uitnodigen", owner_id=bert.id, deadline=date(2026, 12, 4)))
    mine = await server.say("acties")
    assert "Bestuursnotitie" in mine[0]["text"] and "Leveranciers" not in mine[0]["text"]
    assert "te laat" in mine[0]["text"]
    everyone = await server.say(choice="sched:list:all")
    assert "Leveranciers" in everyone[0]["text"] and "Bert Jansen" in everyone[0]["text"]
    done = await server.say("klaar 1")
    assert "klaar" in done[0]["text"]
    assert (await repo.get(Action, 1)).status == "done"
    assert "Ik vind geen actie" in (await server.say("klaar 99"))[0]["text"]


async def test_someone_else_cannot_close_your_action(server):
    _, bert = await members(server)
    await server.services.repo("demo").add(Action(title="Van Bert", owner_id=bert.id))
    await server.services.repo("demo").add(Member(name="Cas", user_id="u3", channel="local"))
    replies = await server.say("done 1", user="u3", name="Cas")
    assert "iemand anders" in replies[0]["text"]
    assert (await server.services.repo("demo").get(Action, 1)).status == "open"


def done_buttons(reply: dict) -> list[str]:
    return [c["value"] for c in reply["choices"] if c["value"].startswith("sched:done:")]


async def test_done_buttons_only_for_whom_they_apply_and_a_friendly_no_in_the_group(server):
    anna, bert = await members(server)
    repo = server.services.repo("demo")
    await repo.add(Member(name="Cas", user_id="u3", channel="local"))
    await repo.add(Action(title="Notitie", owner_id=anna.id, deadline=date(2026, 12, 4)))
    await repo.add(Action(title="Offerte", owner_id=bert.id, deadline=date(2026, 12, 11)))
    [outsider] = await server.say("alle acties", user="olaf", name="Olaf")
    assert "Notitie" in outsider["text"] and "Offerte" in outsider["text"]
    assert done_buttons(outsider) == []
    [member] = await server.say(choice="sched:list:all", user="u3", name="Cas")
    assert "Offerte" in member["text"] and done_buttons(member) == []
    [owner] = await server.say(choice="sched:list:all", user="u2", name="Bert Jansen")
    assert done_buttons(owner) == ["sched:done:2"]
    [coordinator] = await server.say(choice="sched:list:all")
    assert done_buttons(coordinator) == ["sched:done:1", "sched:done:2"]
    # in the group conversation everybody sees one message: the buttons stay, a press by someone else is refused
    [group] = await server.say("alle acties", user="olaf", name="Olaf", group=True, conversation="channel-1")
    assert done_buttons(group) == ["sched:done:1", "sched:done:2"]
    [refused] = await server.say(choice="sched:done:2", user="olaf", name="Olaf", group=True,
                                 conversation="channel-1")
    assert "Bert Jansen" in refused["text"] and "Offerte" in refused["text"] and "coördinator" in refused["text"]
    assert (await repo.get(Action, 2)).status == "open"
    [snoozed] = await server.say(choice="sched:snooze:2")  # the coordinator may; it is Bert who hears again
    assert "Bert Jansen hoort weer van me" in snoozed["text"]


async def test_snooze_and_change_deadline_buttons(server):
    _, bert = await members(server)
    repo = server.services.repo("demo")
    await repo.add(Action(title="Offerte", owner_id=bert.id, deadline=date(2026, 11, 20)))
    await server.say(choice="sched:snooze:1", user="u2", name="Bert Jansen")
    assert (await repo.get(Action, 1)).snoozed_until == date(2026, 11, 30)  # a week after Monday 23 Nov
    asked = await server.say(choice="sched:deadline:1", user="u2", name="Bert Jansen")
    assert asked[0]["form"]["id"] == "sched:deadline:1"
    await server.say(form={"id": "sched:deadline:1", "values": {"deadline": "18-12-2026"}}, user="u2",
                     name="Bert Jansen")
    action = await repo.get(Action, 1)
    assert action.deadline == date(2026, 12, 18) and action.snoozed_until is None


async def test_digest_now_is_for_the_coordinator_only(server):
    await members(server)
    await server.services.repo("demo").add(Action(title="Werkgroep samenstellen", owner_id=1,
                                                  deadline=date(2026, 11, 25)))
    refused = await server.say("digest nu", user="u2", name="Bert Jansen")
    assert "coördinator" in refused[0]["text"]
    digest = await server.say("digest nu")
    assert "Weekoverzicht" in digest[0]["text"] and "Werkgroep samenstellen" in digest[0]["text"]


async def test_digest_day_and_time_and_the_working_group_channel(server):
    await members(server)
    assert "vrijdag" in (await server.say("digest dag vrijdag"))[0]["text"]
    assert "16:30" in (await server.say("digest time 16.30"))[0]["text"]
    assert "Welke dag" in (await server.say("digest day someday"))[0]["text"]
    replies = await server.say("use this channel for the working group", conversation="team-chat", group=True)
    assert "working group's channel" in replies[0]["text"]
    org = await server.services.repo("demo").organisation()
    assert (org.digest_weekday, org.digest_time) == (4, "16:30")
    assert org.group_conversation["conversation_id"] == "team-chat"
    form = await server.say("digest instellingen")
    assert form[0]["form"]["id"] == "sched:digest"
    saved = await server.say(form={"id": "sched:digest", "values": {"weekday": "1", "time": "8:15"}})
    assert "dinsdag" in saved[0]["text"] and "08:15" in saved[0]["text"]


async def test_the_group_channel_button_value_works_as_typed_text(server):
    replies = await server.say(choice="gebruik dit kanaal voor de werkgroep", conversation="c9", group=True)
    assert "kanaal van de werkgroep" in replies[0]["text"]


async def test_exports_action_plan_and_meetings_calendar(server):
    anna, bert = await members(server)
    repo = server.services.repo("demo")
    await repo.add(Action(title="=HYPERLINK(evil)", owner_id=bert.id, deadline=date(2026, 12, 1)))
    await repo.add(Meeting(title="Voortgang CleanCo", frequency="quarterly",
                           next_date=datetime(2026, 12, 17, 9, 0, tzinfo=UTC), participant_ids=[anna.id]))
    replies = await server.say("exporteer acties")
    names = [a["name"] for a in replies[0]["attachments"]]
    assert names[0].endswith(".md") and names[1].endswith(".csv")
    async with server.session.get(server.url + replies[0]["attachments"][1]["url"]) as resp:
        csv_text = (await resp.read()).decode("utf-8-sig")
    assert "'=HYPERLINK(evil)" in csv_text and "Bert Jansen" in csv_text
    replies = await server.say("export meetings")
    att = replies[0]["attachments"][0]
    assert att["media_type"] == "text/calendar"
    async with server.session.get(server.url + att["url"]) as resp:
        cal = Calendar.from_ical(await resp.read())
    event = cal.walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Voortgang CleanCo"
    assert event["RRULE"]["FREQ"] == ["MONTHLY"] and event["RRULE"]["INTERVAL"] == [3]
    assert event.decoded("DTSTART").hour == 10  # 09:00 UTC is 10:00 in Amsterdam
    # the time zone the times refer to is in the file (RFC 5545), so Outlook places them right
    [zone] = cal.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Amsterdam" and event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}


async def test_the_calendar_file_repeats_meetings_on_the_dates_the_bot_reminds_of(server):
    """Outlook expands the file's repeat rule itself; it must land on the same days as the bot's own
    reminders: a date on a weekend moves to the Monday, and the series keeps to its agreed day after that."""
    from zoneinfo import ZoneInfo

    from dateutil.rrule import rrulestr

    from scheduler.calendar import meeting_on
    tz = ZoneInfo("Europe/Amsterdam")
    series = {
        "Maandelijks op de 10e": ("monthly", datetime(2026, 12, 10, 10, 0, tzinfo=tz), None),
        "Maandelijks, al doorgerold": ("monthly", datetime(2026, 12, 10, 10, 0, tzinfo=tz),
                                       datetime(2027, 1, 11, 10, 0, tzinfo=tz)),  # Sunday 10 Jan moved on
        "Per kwartaal vanaf een zaterdag": ("quarterly", datetime(2027, 1, 16, 14, 30, tzinfo=tz), None),
        "Wekelijks vanaf een zondag": ("weekly", datetime(2026, 12, 13, 9, 0, tzinfo=tz), None),
        "Om de week": ("biweekly", datetime(2026, 12, 9, 9, 0, tzinfo=tz), None),
        "Jaarlijks": ("yearly", datetime(2027, 2, 26, 11, 0, tzinfo=tz), None),
        "Halfjaarlijks eind maart": ("halfyearly", datetime(2027, 3, 28, 11, 0, tzinfo=tz), None),  # a Sunday; Mar, Sep
    }
    repo = server.services.repo("demo")
    for title, (frequency, start, rolled) in series.items():
        await repo.add(Meeting(title=title, frequency=frequency, next_date=rolled or start, series_start=start))
    replies = await server.say("export meetings")
    async with server.session.get(server.url + replies[0]["attachments"][0]["url"]) as resp:
        cal = Calendar.from_ical(await resp.read())
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert set(events) == set(series)
    for title, (frequency, start, rolled) in series.items():
        event = events[title]
        first = event.decoded("DTSTART").replace(tzinfo=None)
        assert first == (rolled or start).replace(tzinfo=None), title
        rules = rrulestr(event["RRULE"].to_ical().decode(), dtstart=first, forceset=True)
        for skipped in ([event["EXDATE"]] if "EXDATE" in event else []):
            for d in skipped.dts:
                rules.exdate(d.dt.replace(tzinfo=None))
        in_calendar = [d for d in rules.xafter(first, count=24)]
        offset = 2 if rolled else 1
        by_bot = [meeting_on(start, frequency, k, tz).astimezone(tz).replace(tzinfo=None)
                  for k in range(offset, offset + 24)]
        assert in_calendar == by_bot, title


async def test_a_meeting_without_a_time_is_an_all_day_event(server):
    await members(server)
    await server.services.repo("demo").add(Meeting(
        title="Verkennend gesprek met CleanCo", frequency="once", time_set=False,
        next_date=datetime(2026, 12, 17, 9, 0, tzinfo=UTC)))
    [reply] = await server.say("export meetings")
    async with server.session.get(server.url + reply["attachments"][0]["url"]) as resp:
        cal = Calendar.from_ical(await resp.read())
    [event] = cal.walk("VEVENT")
    assert event.decoded("DTSTART") == date(2026, 12, 17)


async def test_home_shows_my_open_actions_with_done_buttons_and_next_meetings(services):
    repo = services.repo("demo")
    anna = await repo.add(Member(name="Anna", user_id="u1", channel="local"))
    await repo.add(Action(title="Mijn actie", owner_id=anna.id, deadline=date(2026, 12, 1)))
    await repo.add(Meeting(title="Voortgang", next_date=datetime(2026, 12, 1, 9, tzinfo=UTC)))
    feature = next(f for f in services.router.features if f.name == "scheduler")
    incoming = Incoming(org_id="demo", user_id="u1", user_name="Anna", conversation_id="c", channel="local",
                        text="overzicht")
    turn = Turn(incoming=incoming, lang="nl", repo=repo, org=await repo.organisation(Organisation()),
                state=ConversationState(user_id="u1"), services=services, member=anna)
    replies = await feature.home(turn)
    assert "Mijn actie" in replies[0].text and replies[0].choices[0].value == "sched:done:1"
    assert "Voortgang" in replies[1].text


async def test_an_unknown_owner_is_named_and_the_sender_picks_one(server):
    await members(server)
    [reply] = await server.say("nieuwe actie Offerte opvragen voor Zorro op 1-2-2027")
    assert "Zorro staat niet in de werkgroep" in reply["text"]
    assert "Anna de Vries" in reply["text"] and "Bert Jansen" in reply["text"]
    fields = {f["name"]: f for f in reply["form"]["fields"]}
    assert fields["title"]["value"] == "Offerte opvragen" and fields["owner"].get("value") is None
    assert await server.services.repo("demo").list(Action) == []


async def test_an_unknown_owner_after_the_date_is_named_too_and_never_kept_in_the_title(server):
    await members(server)
    [reply] = await server.say("nieuwe actie Offerte opvragen op 1-2-2027 voor Zorro van Dijk")
    assert "Zorro van Dijk staat niet in de werkgroep" in reply["text"]
    fields = {f["name"]: f for f in reply["form"]["fields"]}
    assert fields["title"]["value"] == "Offerte opvragen" and fields["owner"].get("value") is None
    assert fields["deadline"]["value"] == "2027-02-01"


async def test_an_impossible_date_is_explained_and_the_owner_is_kept(server):
    _, bert = await members(server)
    [reply] = await server.say("nieuwe actie Offerte opvragen voor Bert op 31-2-2027")
    assert "31-2-2027 bestaat niet" in reply["text"]
    fields = {f["name"]: f for f in reply["form"]["fields"]}
    assert fields["title"]["value"] == "Offerte opvragen" and fields["owner"]["value"] == str(bert.id)
    assert fields["deadline"].get("value") is None
    # an unknown owner and an impossible date: both are said, in English too
    [reply] = await server.say("new action Call the supplier for Zorro on 30-2-2027")
    assert "30-2-2027 is not a day" in reply["text"] and "Zorro is not in the working group" in reply["text"]
    assert {f["name"]: f for f in reply["form"]["fields"]}["title"]["value"] == "Call the supplier"
    assert await server.services.repo("demo").list(Action) == []


async def test_relative_deadlines_count_from_the_bots_clock(server):
    # the fixed clock says Monday 23 November 2026
    await members(server)
    cases = [("nieuwe actie Zaal boeken voor Bert morgen", date(2026, 11, 24)),
             ("nieuwe actie Agenda maken voor Anna overmorgen", date(2026, 11, 25)),
             ("nieuwe actie Notulen rondsturen voor Bert volgende week", date(2026, 11, 30)),
             ("nieuwe actie Leverancier bellen voor Bert op vrijdag", date(2026, 11, 27)),
             ("nieuwe actie Evaluatie voor Anna maandag", date(2026, 11, 30)),
             ("new action Send the minutes for Bert tomorrow", date(2026, 11, 24)),
             ("new action Book a room for Anna next week", date(2026, 11, 30)),
             ("new action Call the supplier for Bert by friday", date(2026, 11, 27))]
    for text, _ in cases:
        [reply] = await server.say(text)
        assert "#" in reply["text"] and not reply.get("form"), text
    actions = await server.services.repo("demo").list(Action)
    assert [(a.title, a.deadline) for a in actions] == [
        (text.split(" ", 2)[2].split(" voor ")[0].split(" for ")[0], expected) for text, expected in cases]
    # typed into the form, too
    ok = await server.say(form={"id": "sched:new", "values": {"title": "Offerte", "owner": "1",
                                                               "deadline": "overmorgen"}})
    assert "due Wed 25 Nov" in ok[0]["text"]  # the conversation went on in English


async def test_an_action_without_an_owner_says_who_is_reminded(server):
    # no members and no group conversation: nobody can be reminded, and the reply says so
    [reply] = await server.say("nieuwe actie Offerte opvragen op 15-1-2027")
    assert "zonder eigenaar" in reply["text"] and "kan niemand herinneren" in reply["text"]
    assert "Ik herinner eraan" not in reply["text"]
    # with a working-group conversation, that conversation is reminded
    await server.say("gebruik dit kanaal voor de werkgroep", conversation="wg", group=True)
    [reply] = await server.say("nieuwe actie Zaal boeken op 20-1-2027")
    assert "herinner ik de werkgroep" in reply["text"]
