"""The web chat page in a real browser: headless Debian Chromium driven by Playwright.

Each test loads `/` from the running server and works the page the way a person would: typing,
pressing Enter, clicking choices, filling forms. Playwright's own browser download does not work
here, so the test uses /usr/bin/chromium, which `make test` installs when it is missing.
"""

from __future__ import annotations

import io
import random
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from conftest import ServerProcess
from PIL import Image
from playwright.async_api import Browser, Page, async_playwright, expect

from bot.markdown import escape, parse_inline
from bot.messages import Attachment, Choice, Form, FormField, Reply
from bot.notify import Target

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]
POLL_MS = 15_000  # the page polls GET /api/local/notifications this often
HOSTILE = "<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\">"

expect.set_options(timeout=20_000)


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (it installs Debian's chromium) "
                    "or `sudo apt-get install chromium`.")
    return CHROMIUM


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def open_page(browser: Browser, url: str, *, fake_clock: bool = False) -> tuple[Page, list[str]]:
    """A fresh page at `url`; the list collects script errors and Content-Security-Policy refusals."""
    context = await browser.new_context(locale="nl-NL", viewport={"width": 1100, "height": 900})
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
    page.on("console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None)
    if fake_clock:
        await page.clock.install()
    async with page.expect_response(lambda r: "/api/local/notifications" in r.url):
        await page.goto(url + "/")
    return page, problems


async def send(page: Page, text: str, box: str = "Bericht aan Partnerbot") -> None:
    await page.get_by_label(box).fill(text)
    await page.get_by_label(box).press("Enter")


def user_messages(page: Page):
    return page.locator(".msg-user .text")


def bot_messages(page: Page):
    return page.locator(".msg-bot:not(.msg-typing)")


async def assert_nothing_ran(page: Page) -> None:
    assert await page.evaluate("typeof window.__pwned") == "undefined"
    assert await page.locator("#messages img:not(.attachment-image)").count() == 0
    assert await page.locator("#messages script").count() == 0
    assert await page.locator("script").count() == 1  # app.js only


async def test_conversation_with_choices_and_a_form(server, browser):
    page, problems = await open_page(browser, server.url)
    await expect(page.get_by_role("heading", name="Welkom bij Partnerbot")).to_be_visible()
    await page.get_by_label("Je naam").fill("Anna de Vries")
    await page.get_by_label("Je naam").press("Tab")

    await send(page, "hoi")
    await expect(user_messages(page).last).to_have_text("hoi")
    await expect(bot_messages(page).last).to_contain_text("Hoi Anna! Ik ben Partnerbot")
    await expect(bot_messages(page).last.locator("strong")).to_have_text("Partnerbot")
    await expect(page.get_by_label("Bericht aan Partnerbot")).to_have_value("")
    settings = page.get_by_role("button", name="Instellingen", exact=True)
    await expect(settings).to_be_visible()
    await expect(page.get_by_role("button", name="English", exact=True)).to_be_visible()

    await settings.click()
    await expect(user_messages(page).last).to_have_text("Instellingen")
    form = page.locator("form.form").last
    await expect(form.get_by_role("group", name="Instellingen van je organisatie")).to_be_visible()
    name = form.get_by_label("Naam van de organisatie")
    await expect(name).to_have_attribute("required", "")
    await expect(form.locator(".req")).to_have_count(3)
    await expect(form.get_by_label("Taal van de bot")).to_have_value("nl")  # prefilled from the organisation
    await name.fill("Gemeente Testdorp")
    await form.get_by_label("Tijdzone").select_option("Europe/Brussels")
    await form.get_by_role("button", name="Opslaan").click()

    summary = user_messages(page).last
    await expect(summary).to_contain_text("Naam van de organisatie: Gemeente Testdorp")
    await expect(summary).to_contain_text("Tijdzone: Europe/Brussels")
    confirmation = bot_messages(page).last
    await expect(confirmation).to_contain_text("Opgeslagen. Gemeente Testdorp gebruikt nu taal Nederlands "
                                               "en tijdzone Europe/Brussels.")
    await expect(confirmation.locator("strong")).to_have_text("Gemeente Testdorp")
    await expect(form.get_by_role("button", name="Opslaan")).to_be_disabled()  # a sent form is not sent twice
    org = await server.services.repo("demo").organisation()
    assert (org.name, org.timezone) == ("Gemeente Testdorp", "Europe/Brussels")
    assert problems == []


async def test_markup_from_the_user_or_the_bot_is_shown_as_text(server, browser):
    page, problems = await open_page(browser, server.url)
    await send(page, "instellingen")
    form = page.locator("form.form").last
    await form.get_by_label("Naam van de organisatie").fill(HOSTILE)
    await form.get_by_role("button", name="Opslaan").click()
    confirmation = bot_messages(page).last
    await expect(confirmation).to_contain_text("Opgeslagen.")
    await expect(confirmation.locator("strong")).to_have_text(HOSTILE)  # the bot echoes the name back

    await send(page, f"Wat doet {HOSTILE} **vet** [link](javascript:alert(1))?")
    await expect(user_messages(page).last).to_have_text(
        f"Wat doet {HOSTILE} **vet** [link](javascript:alert(1))?")
    await expect(bot_messages(page)).to_have_count(3)

    # the settings form again: the hostile name comes back as the prefilled value, untouched
    await send(page, "instellingen")
    await expect(page.locator("form.form").last.get_by_label("Naam van de organisatie")).to_have_value(HOSTILE)
    await expect(bot_messages(page).last.locator("strong")).to_have_text(HOSTILE)

    await assert_nothing_ran(page)
    assert await page.locator("#messages a").count() == 0
    assert problems == []


async def test_shift_enter_makes_a_new_line_and_enter_sends(server, browser):
    page, _ = await open_page(browser, server.url)
    box = page.get_by_label("Bericht aan Partnerbot")
    await box.type("eerste regel")
    await box.press("Shift+Enter")
    await box.type("tweede regel")
    await expect(user_messages(page)).to_have_count(0)
    await box.press("Enter")
    await expect(user_messages(page)).to_have_count(1)
    assert await user_messages(page).inner_text() == "eerste regel\ntweede regel"
    await expect(bot_messages(page)).to_have_count(1)


async def test_bot_markdown_and_a_reminder_with_an_image(server, browser):
    page, problems = await open_page(browser, server.url, fake_clock=True)
    png = io.BytesIO()
    Image.new("RGB", (40, 20), "teal").save(png, "PNG")
    text = ("**Let op:** de actie _Plan maken_ vervalt *morgen*.\n- eerste punt\n- tweede punt\n"
            "1. stap een\n2. stap twee\n[De handreiking](https://example.org/handreiking) of "
            "[niet dit](javascript:window.__pwned=3), en \\*geen\\* opmaak.\n\\- geen lijst")
    reply = Reply(text=text, section="2B", attachments=[Attachment("grafiek.png", "image/png", data=png.getvalue()),
                                                        Attachment("acties.md", "text/markdown", data=b"# Acties\n")])
    notifier = server.services.notifiers["local"]
    await notifier.deliver(Target("demo", "local", "group"), [reply], key="reminder-1")
    await notifier.deliver(Target("demo", "local", "user", user_id="someone-else"), [Reply(text="niet voor jou")],
                           key="reminder-2")

    async with page.expect_response(lambda r: "/api/local/notifications" in r.url):
        await page.clock.fast_forward(POLL_MS)
    reminder = page.locator(".msg-reminder")
    await expect(reminder).to_have_count(1)
    await expect(reminder.locator(".tag")).to_have_text("Herinnering voor de werkgroep")
    await expect(reminder.locator(".badge")).to_have_text("2B")
    await expect(reminder.locator(".text strong")).to_have_text("Let op:")
    await expect(reminder.locator(".text em")).to_have_text(["Plan maken", "morgen"])
    await expect(reminder.locator(".text ul > li")).to_have_text(["eerste punt", "tweede punt"])
    await expect(reminder.locator(".text ol > li")).to_have_text(["stap een", "stap twee"])
    link = reminder.locator(".text a")
    await expect(link).to_have_count(1)
    await expect(link).to_have_attribute("href", "https://example.org/handreiking")
    await expect(link).to_have_attribute("rel", "noopener noreferrer")
    await expect(link).to_have_attribute("target", "_blank")
    await expect(reminder.locator(".text")).to_contain_text(
        "[niet dit](javascript:window.__pwned=3), en *geen* opmaak.")
    await expect(reminder.locator(".text p").last).to_have_text("- geen lijst")
    image = reminder.locator("img.attachment-image")
    await expect(image).to_have_attribute("alt", "grafiek.png")
    await image.evaluate("img => img.decode()")
    assert await image.evaluate("img => img.naturalWidth") == 40  # the picture itself loaded
    await expect(reminder.get_by_role("link", name="acties.md")).to_have_attribute("href",
                                                                                re.compile(r"/files/.+/acties\.md$"))

    # the next polls bring nothing new: each notification is shown once
    async with page.expect_response(lambda r: "/api/local/notifications" in r.url):
        await page.clock.fast_forward(POLL_MS)
    await expect(reminder).to_have_count(1)
    await expect(page.get_by_text("niet voor jou")).to_have_count(0)
    await assert_nothing_ran(page)
    assert problems == []


async def test_every_field_type_is_shown_prefilled_and_sent_back(server, browser):
    page, problems = await open_page(browser, server.url, fake_clock=True)
    options = [Choice("Optie A", "a"), Choice("Optie B", "b"), Choice("Optie C", "c")]
    form = Form(id="test:alles", title="Alle velden", submit_label="Verstuur het", fields=[
        FormField("naam", "Naam", "text", required=True, value="Anna"),
        FormField("bedrag", "Bedrag", "number", value=12.5, hint="in euro"),
        FormField("datum", "Datum", "date", value="2026-12-31"),
        FormField("een", "Eén keuze", "choice", options=options, value="b"),
        FormField("meer", "Meer keuzes", "multichoice", options=options, value=["a", "c"]),
        FormField("toelichting", "Toelichting", "textarea"),
    ])
    await server.services.notifiers["local"].deliver(Target("demo", "local", "group"),
                                                     [Reply(text="Vul dit in:", form=form)], key="form-1")
    async with page.expect_response(lambda r: "/api/local/notifications" in r.url):
        await page.clock.fast_forward(POLL_MS)
    shown = page.locator(".msg-reminder form")
    await expect(shown.get_by_role("group", name="Alle velden")).to_be_visible()
    await expect(shown.get_by_label("Naam")).to_have_value("Anna")
    await expect(shown.get_by_label("Bedrag")).to_have_value("12.5")
    await expect(shown.get_by_label("Bedrag")).to_have_accessible_description("in euro")
    await expect(shown.get_by_label("Datum")).to_have_value("2026-12-31")
    await expect(shown.get_by_label("Eén keuze")).to_have_value("b")
    choices = shown.get_by_role("group", name="Meer keuzes")
    await expect(choices.get_by_role("checkbox", name="Optie A")).to_be_checked()
    await expect(choices.get_by_role("checkbox", name="Optie B")).not_to_be_checked()
    await expect(choices.get_by_role("checkbox", name="Optie C")).to_be_checked()
    await expect(shown.locator(".req")).to_have_count(1)  # only Naam is required

    await shown.get_by_label("Datum").fill("2027-01-15")
    await choices.get_by_role("checkbox", name="Optie A").uncheck()
    await choices.get_by_role("checkbox", name="Optie B").check()
    await shown.get_by_label("Toelichting").fill("regel 1\nregel 2")
    async with page.expect_request("**/api/local/messages") as sent:
        await shown.get_by_role("button", name="Verstuur het").click()
    body = (await sent.value).post_data_json
    assert body["form"] == {"id": "test:alles", "values": {
        "naam": "Anna", "bedrag": "12.5", "datum": "2027-01-15", "een": "b", "meer": ["b", "c"],
        "toelichting": "regel 1\nregel 2"}}
    await expect(user_messages(page).last).to_contain_text("Meer keuzes: Optie B, Optie C")
    await expect(bot_messages(page).last).to_contain_text("Dit formulier ken ik niet")  # nobody owns test:
    assert problems == []


# renders one line with the page's own renderInline() and reads back the spans it built
READ_SPANS = """lines => lines.map(line => {
  const p = document.createElement("p");
  renderInline(line, p);
  const kinds = {STRONG: "bold", EM: "italic", A: "link"};
  return Array.from(p.childNodes, n => n.nodeType === Node.TEXT_NODE ? ["text", n.textContent, null]
                                     : [kinds[n.tagName], n.textContent, n.getAttribute("href")]);
})"""


def merged(spans: list[list[str | None]]) -> list[tuple[str | None, str | None]]:
    """(kind, text) per span, neighbouring plain text joined (the browser may split text nodes)."""
    out: list[tuple[str | None, str | None]] = []
    for kind, text, _ in spans:
        if out and kind == "text" and out[-1][0] == "text":
            out[-1] = ("text", f"{out[-1][1]}{text}")
        else:
            out.append((kind, text))
    return out


async def test_page_reads_markdown_exactly_as_bot_markdown_defines_it(server, browser):
    pieces = [*"ab _*\\[]()<>é1.-+#`", "**", "](", "https://example.org/a_b", "mailto:a@example.org",
              "javascript:x", "http://x.nl/(y"]
    rnd = random.Random(2026)
    typed = ["".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 24))) for _ in range(600)]
    lines = typed + [escape(line) for line in typed]
    page, _ = await open_page(browser, server.url)
    rendered = await page.evaluate(READ_SPANS, lines)
    for line, spans in zip(lines, rendered, strict=True):
        assert merged(spans) == merged([[s.kind, s.text, s.url] for s in parse_inline(line)]), line
        for kind, _, href in spans:
            assert kind != "link" or href.startswith(("https://", "http://", "mailto:")), line
    # escaped user text comes out literally, as plain text
    assert [merged(spans) for spans in rendered[600:]] == [[("text", line)] for line in typed]


async def test_english_labels_when_english_is_picked(server, browser):
    page, _ = await open_page(browser, server.url)
    await page.get_by_label("Taal", exact=True).select_option("en")
    await expect(page.get_by_role("button", name="Send")).to_be_visible()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(bot_messages(page).last).to_contain_text("I'll speak English")
    await send(page, "settings", box="Message to Partnerbot")
    form = page.locator("form.form").last
    await expect(form.get_by_label("Name of the organisation")).to_be_visible()
    await page.reload()
    await expect(page.get_by_label("Message to Partnerbot")).to_be_visible()  # the choice is remembered


async def test_settings_bar_picks_the_organisation_and_keeps_the_user(server, browser):
    page, _ = await open_page(browser, server.url)
    await expect(page.get_by_label("Organisatie")).to_have_value("demo")
    user_id = await page.locator("#user-id").inner_text()
    assert user_id.startswith("web-")
    await send(page, "hoi")
    await expect(bot_messages(page)).to_have_count(1)

    await page.get_by_label("Organisatie").fill("gemeente-b")
    await page.get_by_label("Organisatie").press("Enter")
    await expect(page.get_by_text("Je praat nu namens organisatie “gemeente-b”.")).to_be_visible()
    await expect(bot_messages(page)).to_have_count(0)  # a new conversation
    await send(page, "instellingen")
    form = page.locator("form.form").last
    await form.get_by_label("Naam van de organisatie").fill("Gemeente B")
    await form.get_by_role("button", name="Opslaan").click()
    await expect(bot_messages(page).last).to_contain_text("Opgeslagen.")
    assert (await server.services.repo("gemeente-b").organisation()).name == "Gemeente B"
    assert (await server.services.repo("demo").organisation()).name != "Gemeente B"

    await page.reload()
    await expect(page.get_by_label("Organisatie")).to_have_value("gemeente-b")
    await expect(page.locator("#user-id")).to_have_text(user_id)


async def test_errors_are_shown_and_the_message_can_be_sent_again(tmp_path, browser):
    server = ServerProcess(tmp_path / "data", LOCAL_CHAT_TOKEN="geheim-123").start()
    try:
        page, problems = await open_page(browser, server.url)
        status = page.get_by_role("alert")
        await send(page, "hoi")
        await expect(status).to_contain_text("toegangscode")
        await expect(page.locator(".msg-failed")).to_contain_text("Niet verstuurd")
        box = page.get_by_label("Bericht aan Partnerbot")
        await expect(box).to_have_value("hoi")  # nothing typed is lost

        await page.get_by_label("Toegangscode").fill("geheim-123")
        await page.get_by_label("Toegangscode").press("Tab")
        await box.press("Enter")
        await expect(bot_messages(page).last).to_contain_text("Ik ben Partnerbot")
        await expect(status).to_be_hidden()

        server.stop()
        await send(page, "help")
        await expect(status).to_contain_text("Geen verbinding met Partnerbot")
        await expect(box).to_have_value("help")

        server.start()
        await box.press("Enter")
        await expect(bot_messages(page)).to_have_count(2)
        await expect(status).to_be_hidden()
        assert problems == []
    finally:
        server.stop()
