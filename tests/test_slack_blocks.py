"""Rendering a neutral Reply as Block Kit: Slack's formatting, escaping and limits (pure functions)."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from adapters.slack import blocks
from bot.markdown import Md, escape, to_plain
from bot.messages import Choice, Form, FormField, Reply


def texts_of(rendered: list[dict]) -> list[str]:
    return [b["text"]["text"] for b in rendered if b["type"] == "section"]


def test_our_markdown_becomes_slack_mrkdwn():
    text = Md("**Let op**: lees _stap 2_ in [de handreiking](https://example.org/h?a=1&b=2).\n- eerste\n- tweede")
    assert blocks.mrkdwn(text) == ("*Let op*: lees _stap 2_ in <https://example.org/h?a=1&amp;b=2|de handreiking>.\n"
                                   "• eerste\n• tweede")


@given(st.text(max_size=300))
def test_user_text_can_never_become_a_mention_or_a_link(user_text: str):
    rendered = blocks.mrkdwn(escape(user_text))
    assert "<" not in rendered and ">" not in rendered
    # nothing else changed: undoing Slack's three escapes gives the text as the user wrote it
    unescaped = rendered.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert unescaped.replace(blocks.ZERO_WIDTH_SPACE, "") == to_plain(escape(user_text)).replace(
        blocks.ZERO_WIDTH_SPACE, "")
    assert "<!channel>" not in blocks.fallback_text(Reply(text=escape(user_text)))


def test_special_mentions_typed_by_a_user_come_back_escaped():
    rendered = blocks.mrkdwn(Md("Je schreef: ") + escape("<!channel> <!here> <@U123> <https://evil.example|bank>"))
    assert rendered == ("Je schreef: &lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; "
                        "&lt;https://evil.example|bank&gt;")


def test_formatting_characters_typed_by_a_user_do_not_format_in_slack():
    rendered = blocks.mrkdwn(Md("**Actie**: ") + escape("*vet* _schuin_ ~weg~ `code`"))
    assert rendered.startswith("*Actie*: ")  # our own bold stays bold
    for pair in ("*vet*", "_schuin_", "~weg~", "`code`"):
        assert pair not in rendered  # each mark stands apart, so Slack cannot pair them
    assert rendered.replace(blocks.ZERO_WIDTH_SPACE, "") == "*Actie*: *vet* _schuin_ ~weg~ `code`"


def test_escaped_list_markers_and_numbers_stay_plain():
    assert to_plain(escape("- geen lijst\n1. geen nummer")) == "- geen lijst\n1. geen nummer"
    assert blocks.mrkdwn(escape("- geen lijst")) == "- geen lijst"


def test_long_text_is_split_into_sections_of_at_most_3000_characters():
    paragraph = "Social return betekent dat een leverancier een deel van de opdrachtwaarde inzet voor werk & kansen. "
    reply = Reply(text=Md((paragraph * 25 + "\n") * 4))
    sections = texts_of(blocks.reply_blocks(reply, "nl"))
    assert len(sections) > 3
    assert all(len(s) <= blocks.MAX_SECTION_TEXT for s in sections)
    assert all("&amp" not in s.replace("&amp;", "") for s in sections)  # no entity cut in half
    assert " ".join(" ".join(sections).split()) == " ".join(blocks.mrkdwn(reply.text).split())


def test_a_single_very_long_line_is_split_without_breaking_a_link():
    line = ("woord " * 480) + "[link](https://example.org/" + "x" * 40 + ") " + ("woord " * 200)
    sections = blocks.split_text(blocks.mrkdwn(Md(line)))
    assert all(len(s) <= 3000 for s in sections)
    assert sum(s.count("<https://example.org/") for s in sections) == 1
    assert all(s.count("<") == s.count(">") for s in sections)


def test_a_reply_with_more_than_50_blocks_becomes_several_messages():
    reply = Reply(text=Md(("x" * 2900 + "\n") * 60), section="2B", choices=[Choice("Verder", "flow:resume")])
    messages = blocks.messages(reply, "nl")
    assert len(messages) == 2
    assert all(len(m.blocks) <= blocks.MAX_MESSAGE_BLOCKS for m in messages)
    assert messages[-1].blocks[-1]["type"] == "actions"
    assert sum(len(texts_of(m.blocks)) for m in messages) == 60


def test_buttons_respect_slack_limits_and_have_unique_action_ids():
    choices = [Choice("Een heel erg lange knoptekst die veel langer is dan vijfenzeventig tekens en dus "
                      "ingekort moet worden", "kb:a"), Choice("Twee", "kb:b"), Choice("Drie", "kb:c")]
    rendered = blocks.reply_blocks(Reply(text=Md("Kies"), choices=choices), "nl")
    [actions] = [b for b in rendered if b["type"] == "actions"]
    labels = [e["text"]["text"] for e in actions["elements"]]
    assert all(len(label) <= 75 for label in labels) and labels[0].endswith("…")
    assert len({e["action_id"] for e in actions["elements"]}) == 3
    assert [e["value"] for e in actions["elements"]] == ["kb:a", "kb:b", "kb:c"]


def test_the_section_code_is_a_small_context_line():
    def line(section: str) -> str:
        rendered = blocks.reply_blocks(Reply(text=Md("Over route 2B"), section=section), "nl")
        [context] = [b for b in rendered if b["type"] == "context"]
        return context["elements"][0]["text"]

    assert line("2B") == "Stap 2B: Kansen in bestaande contracten"  # the title names its code: not twice
    assert line("1a") == "1a Het bestuur betrekken"
    assert line("intro") == "intro · Over social return en de banenafspraak"


def settings_like_form() -> Form:
    return Form(id="mon:figures", title="Monitoring van het derde kwartaal 2026", fields=[
        FormField("note", "Toelichting", "textarea", value="Loopt goed"),
        FormField("jobs", "Aantal banen", "number", required=True, value="12,5"),
        FormField("start", "Startdatum", "date", value=date(2026, 1, 5)),
        FormField("bad_date", "Einddatum", "date", value="31-02-2026"),
        FormField("kind", "Soort", "choice", options=[Choice("Werkervaring", "x" * 300), Choice("Baan", "job")],
                  value="job"),
        FormField("groups", "Doelgroepen", "multichoice", options=[Choice("A", "a"), Choice("B", "b"),
                                                                   Choice("C", "c")], value=["a", "c"]),
        FormField("name", "Naam", "text", hint="Zoals in het contract"),
    ])


def test_a_form_becomes_a_modal_within_slack_limits():
    view = blocks.modal_view(settings_like_form(), "nl", '{"token": "t1"}')
    assert view["type"] == "modal" and len(view["title"]["text"]) <= 24
    assert view["blocks"][0]["type"] == "section"  # the full title, since the modal title is cut
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    elements = [b["element"] for b in inputs]
    assert [e["type"] for e in elements] == ["plain_text_input", "number_input", "datepicker", "datepicker",
                                             "static_select", "multi_static_select", "plain_text_input"]
    assert elements[0]["multiline"] and elements[0]["initial_value"] == "Loopt goed"
    assert elements[1]["initial_value"] == "12.5" and not inputs[1]["optional"]
    assert elements[2]["initial_date"] == "2026-01-05"
    assert "initial_date" not in elements[3]  # a date Slack would refuse is left out
    assert all(len(o["value"]) <= 150 for o in elements[4]["options"])
    assert elements[4]["initial_option"]["text"]["text"] == "Baan"
    assert [o["text"]["text"] for o in elements[5]["initial_options"]] == ["A", "C"]
    assert inputs[6]["hint"]["text"] == "Zoals in het contract"
    assert view["private_metadata"] == '{"token": "t1"}'


def test_the_problems_of_a_refused_form_stand_escaped_at_the_top_of_its_modal():
    problems = Md("Dat kon ik nog niet opslaan:\n- ") + escape("Naam: <!channel> & co is te lang")
    view = blocks.modal_view(settings_like_form(), "nl", "{}", problems=problems + Md("\n- " + "x" * 20000))
    assert texts_of(view["blocks"])[0].startswith(
        "Dat kon ik nog niet opslaan:\n• Naam: &lt;!channel&gt; &amp; co is te lang")
    assert "<!channel>" not in str(view)
    assert all(len(text) <= 3000 for text in texts_of(view["blocks"]))
    # a very long text is cut short: the form itself (its full title, every field) is all still there
    plain_view = blocks.modal_view(settings_like_form(), "nl", "{}")
    assert view["blocks"][-len(plain_view["blocks"]):] == plain_view["blocks"]
    assert len(view["blocks"]) <= len(plain_view["blocks"]) + 3


def test_submitted_modal_values_come_back_by_field_name():
    form = settings_like_form()
    view = blocks.modal_view(form, "nl", "{}")
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    ids = list(inputs)
    state = {
        ids[0]: {"value": {"type": "plain_text_input", "value": "Prima"}},
        ids[1]: {"value": {"type": "number_input", "value": "14"}},
        ids[2]: {"value": {"type": "datepicker", "selected_date": "2026-03-01"}},
        ids[3]: {"value": {"type": "datepicker", "selected_date": None}},
        ids[4]: {"value": {"type": "static_select", "selected_option": inputs[ids[4]]["options"][0]}},
        ids[5]: {"value": {"type": "multi_static_select", "selected_options": inputs[ids[5]]["options"][1:]}},
    }
    assert blocks.form_values(form, state) == {"note": "Prima", "jobs": "14", "start": "2026-03-01",
                                               "bad_date": None, "kind": "x" * 300, "groups": ["b", "c"]}


def test_the_home_view_stays_within_100_blocks_with_unique_action_ids():
    replies = [Reply(text=Md(f"Actie {i}"), section="3a", choices=[Choice("Klaar", f"sched:done:{i}")])
               for i in range(60)]
    view = blocks.home_view(replies, "nl")
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    ids = [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert len(ids) == len(set(ids)) > 10
    assert view["blocks"][-1]["type"] == "context"  # "there is more" at the end
