"""The working group in chat: listing, removing, handing over the coordinator role, and who is linked to whom."""

from __future__ import annotations

from flow_walk import Walker, plain, values_of
from test_monitoring_cycle import tick
from test_walkthrough_validation import _at

from bot.records import Member

GROUP = (("Anna de Vries", ["hr_expert"], "coordinator"), ("Bert Bakker", ["procurement_expert"], "backup"),
         ("Carla Smit", ["contract_manager"], "none"))


async def _group(server) -> Walker:
    """Anna (u1) sets up the group in step 1b; she is linked as the coordinator she named."""
    w = Walker(server)
    await _at(w, "1b", "members")
    for name, roles, position in GROUP:
        await w.fill({"name": name, "roles": roles, "position": position}, "1b")
    return w


async def _members(server) -> dict[str, Member]:
    return {m.name.split()[0]: m for m in await server.services.repo("demo").list(Member)}


async def test_handing_over_the_coordinator_role_is_asked_first_and_roles_are_added_not_replaced(server):
    w = await _group(server)
    asked = await w.fill({"name": "Carla Smit", "roles": ["hr_expert"], "position": "coordinator"}, "1b")
    text = plain(asked[0]["text"])
    assert "Carla Smit wordt coördinator; jij blijft lid. Doorgaan?" in text
    assert "stond al in de werkgroep" in text
    members = await _members(server)
    assert members["Anna"].position == "coordinator" and members["Anna"].user_id == "u1"
    assert members["Carla"].position is None
    assert members["Carla"].roles == ["contract_manager", "hr_expert"]
    confirm = f"core:wg:coordinator:{members['Carla'].id}"
    assert confirm in values_of(asked[0])
    refused = await server.say(choice=confirm, user="olaf", name="Olaf")
    assert "Alleen de coördinator of de back-up" in plain(refused[0]["text"])
    assert (await _members(server))["Carla"].position is None
    done = await server.say(choice=confirm)
    assert "Carla Smit is nu de coördinator; Anna de Vries blijft lid." in plain(done[0]["text"])
    members = await _members(server)
    assert members["Carla"].position == "coordinator"
    assert members["Anna"].position is None and members["Anna"].active


async def test_the_working_group_is_listed_with_roles_positions_and_links_in_both_languages(server):
    await _group(server)
    await server.say("hoi", user="carla", name="Carla Smit")
    nl = plain((await server.say("Wie zit er in de werkgroep?"))[0]["text"])
    assert "De werkgroep** (3 leden)" in nl
    anna = next(line for line in nl.splitlines() if line.startswith("- Anna de Vries"))
    assert "HR-expert" in anna and "coördinator" in anna and "gekoppeld aan een chataccount" in anna
    bert = next(line for line in nl.splitlines() if line.startswith("- Bert Bakker"))
    assert "back-up" in bert and "nog niet gekoppeld" in bert
    assert "gekoppeld aan een chataccount" in next(line for line in nl.splitlines() if line.startswith("- Carla"))
    en = plain((await server.say("who is in the working group?", user="carla", name="Carla Smit"))[0]["text"])
    assert "The working group** (3 members)" in en and "not linked yet" in en


async def test_the_coordinator_removes_a_member_after_confirming_but_not_themselves(server):
    await _group(server)
    listed = await server.say("werkgroep")
    members = await _members(server)
    assert f"core:wg:remove:{members['Anna'].id}" not in values_of(listed[0])
    asked = await server.say(choice=f"core:wg:remove:{members['Carla'].id}")
    assert "Carla Smit uit de werkgroep halen?" in plain(asked[0]["text"])
    assert (await _members(server))["Carla"].active
    outsider = await server.say(choice=f"core:wg:removed:{members['Carla'].id}", user="olaf", name="Olaf")
    assert "Alleen de coördinator" in plain(outsider[0]["text"]) and (await _members(server))["Carla"].active
    gone = await server.say(choice=f"core:wg:removed:{members['Carla'].id}")
    assert "Carla Smit zit niet meer in de werkgroep" in plain(gone[0]["text"])
    assert not (await _members(server))["Carla"].active and "- Carla" not in plain(gone[0]["text"])
    myself = await server.say(choice=f"core:wg:removed:{members['Anna'].id}")
    assert "Maak eerst iemand anders coördinator" in plain(myself[0]["text"])
    assert (await _members(server))["Anna"].active


async def test_a_backup_is_never_linked_by_name_alone_and_a_linked_member_never_to_someone_else(server):
    await _group(server)
    await server.say("hoi", user="carla", name="Carla Smit")
    await server.say("hoi", user="evil99", name="Carla Smit")
    assert (await _members(server))["Carla"].user_id == "carla"  # an ordinary member: linked by name, once
    await server.say("hoi", user="evil99", name="Bert Bakker")
    bert = (await _members(server))["Bert"]
    assert bert.user_id is None and bert.claim and bert.claim["user_id"] == "evil99"
    settings = await server.say("instellingen", user="evil99", name="Bert Bakker")
    assert settings[0]["form"] is None  # no backup rights by a name
    listed = await server.say("werkgroep")
    assert "wacht op bevestiging: chatgebruiker Bert Bakker (evil99)" in plain(listed[0]["text"])
    await server.say(choice=f"core:wg:refuse:{bert.id}")
    assert (await _members(server))["Bert"].claim is None
    await server.say("hoi", user="bert", name="Bert Bakker")
    await server.say(choice=f"core:wg:link:{bert.id}")
    bert = (await _members(server))["Bert"]
    assert bert.user_id == "bert" and bert.claim is None
    assert (await server.say("instellingen", user="bert", name="Bert Bakker"))[0]["form"] is not None
    await server.say("hoi", user="evil99", name="Bert Bakker")
    assert (await _members(server))["Bert"].claim is None


async def test_the_coordinator_steps_down_only_by_handing_over(server):
    w = await _group(server)
    for position in ("none", "backup"):
        kept = await w.fill({"name": "Anna de Vries", "roles": ["hr_expert"], "position": position}, "1b")
        assert "Anna de Vries blijft coördinator" in plain(kept[0]["text"])
        members = await _members(server)
        assert members["Anna"].position == "coordinator" and members["Bert"].position == "backup"
    refused = await server.say("instellingen", user="olaf", name="Olaf")
    assert refused[0]["form"] is None


async def test_whoever_must_confirm_a_waiting_backup_gets_a_notice_with_the_buttons_once(server):
    await _group(server)
    await server.say("hoi", user="evil99", name="Bert Bakker")
    bert = (await _members(server))["Bert"]
    assert bert.claim and bert.claim["user_id"] == "evil99"
    outcomes = tick(server, "2026-11-23T10:00+01:00")
    first_key = f"wg:claim:{bert.id}:evil99:{bert.claim['attempt']}:u1"
    assert [o for o in outcomes if o[0].startswith("wg:claim:")] == [(first_key, "sent")]
    [notice] = [n for n in await server.notifications(user="u1") if n["key"].startswith("wg:claim:")]
    text = plain(notice["text"])
    assert "Chatgebruiker Bert Bakker (evil99) zegt **Bert Bakker** te zijn, de back-up" in text
    assert values_of(notice) == [f"core:wg:link:{bert.id}", f"core:wg:refuse:{bert.id}"]
    assert not [n for n in await server.notifications(user="evil99") if n["key"].startswith("wg:claim:")]
    assert not [o for o in tick(server, "2026-11-23T10:05+01:00") if o[0].startswith("wg:claim:")]
    # the coordinator answers from the notice; the real Bert is announced when he turns up
    await server.say(choice=f"core:wg:refuse:{bert.id}")
    assert (await _members(server))["Bert"].claim is None
    await server.say("hoi", user="bert", name="Bert Bakker")
    bert = (await _members(server))["Bert"]
    outcomes = tick(server, "2026-11-23T11:00+01:00")
    assert [o for o in outcomes if o[0].startswith("wg:claim:")] == [
        (f"wg:claim:{bert.id}:bert:{bert.claim['attempt']}:u1", "sent")]


async def test_a_user_whose_claim_was_refused_and_who_tries_again_is_announced_again(server):
    """The coordinator must hear of every new attempt, also by the same chat account (one notice each)."""
    await _group(server)
    claims = []
    for hour in (10, 11):
        await server.say("hoi", user="evil99", name="Bert Bakker")
        await server.say("nog eens hoi", user="evil99", name="Bert Bakker")  # the same claim: no second notice
        outcomes = tick(server, f"2026-11-23T{hour}:00+01:00")
        claims.append([o for o in outcomes if o[0].startswith("wg:claim:")])
        bert = (await _members(server))["Bert"]
        await server.say(choice=f"core:wg:refuse:{bert.id}")
    assert [len(c) for c in claims] == [1, 1] and claims[0] != claims[1]
    notices = [n for n in await server.notifications(user="u1") if n["key"].startswith("wg:claim:")]
    assert len(notices) == 2 and all("Bert Bakker (evil99)" in plain(n["text"]) for n in notices)


async def test_a_claimant_hears_once_that_the_link_waits_and_who_confirms_it(server):
    """Without this, 'Bert' only learns it when a coordinator's action is refused, with a list naming Bert."""
    await _group(server)
    await server.say("hoi", user="bert", name="Bert Bakker")
    bert = (await _members(server))["Bert"]
    outcomes = tick(server, "2026-11-23T10:00+01:00")
    waiting = [o for o in outcomes if o[0].startswith("wg:claim-wait:")]
    assert waiting == [(f"wg:claim-wait:{bert.id}:bert:{bert.claim['attempt']}", "sent")]
    [told] = [n for n in await server.notifications(user="bert") if n["key"].startswith("wg:claim-wait:")]
    text = plain(told["text"])
    assert "**Bert Bakker**, de back-up" in text and "zodra Anna de Vries bevestigt" in text
    assert values_of(told) == []  # the buttons are for Anna, not for Bert
    assert not [o for o in tick(server, "2026-11-23T10:05+01:00") if o[0].startswith("wg:claim-wait:")]
    # once Anna confirms, nothing more is said to him
    await server.say(choice=f"core:wg:link:{bert.id}")
    assert (await _members(server))["Bert"].user_id == "bert"
    assert not [o for o in tick(server, "2026-11-23T11:00+01:00") if o[0].startswith("wg:claim")]
