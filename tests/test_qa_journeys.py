"""Defects found by walking the bot as its users (QA pass of 2026-11-26), each checked the way a user meets it."""

from __future__ import annotations

from flow_walk import Walker, plain, values_of
from test_walkthrough_validation import _at, _with_members

from bot.records import MonitoringPlan


async def test_the_role_division_without_members_says_why_instead_of_showing_an_empty_form(server):
    w = Walker(server)
    replies = await w.send("3c", choice="flow:start:3c")
    assert replies[0]["form"] is None
    assert "nog geen werkgroepleden" in plain(replies[0]["text"])
    assert "flow:start:1b" in values_of(replies[0])
    await _with_members(w)
    replies = await w.send("3c", choice="flow:start:3c")
    assert [f["name"] for f in replies[0]["form"]["fields"]] == ["role_procurement_expert", "role_internal_client"]


async def test_a_monitoring_plan_without_any_members_points_to_1b_not_to_a_field_that_is_not_there(server):
    w = Walker(server)
    await _at(w, "2Ba", "contracts")
    await w.fill({"supplier": "CleanCo"}, "2Ba")
    await _at(w, "4a", "plan")
    assert "reporter_id" not in [f["name"] for f in w.last[-1]["form"]["fields"]]
    replies = await w.fill({"contract_id": w.options("contract_id")["CleanCo"], "frequency": "quarter"}, "4a")
    text = plain(replies[0]["text"])
    assert "nog geen werkgroepleden" in text and "Kies wie" not in text
    assert "flow:start:1b" in values_of(replies[0])
    assert await server.services.repo("demo").list(MonitoringPlan) == []
