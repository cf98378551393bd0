"""`python app.py teams-package`: the zip Teams admins upload."""

from __future__ import annotations

import io
import json
import zipfile

from PIL import Image

from tests.conftest import run_app

APP_ID = "0f3b6c2e-5d7a-4f41-9b8e-2c1d4e6a7b90"


def test_package_has_a_manifest_for_the_bot_and_icons_of_the_right_size(tmp_path):
    out = tmp_path / "pkg" / "partnerbot.zip"
    result = run_app("teams-package", "--app-id", APP_ID, "--name", "Partnerbot Zaanstad", "--output", str(out),
                     data_dir=tmp_path / "data", PUBLIC_URL="https://bot.zaanstad.example")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == ["color.png", "en.json", "manifest.json", "outline.png"]
        manifest = json.loads(zf.read("manifest.json"))
        color = Image.open(io.BytesIO(zf.read("color.png")))
        outline = Image.open(io.BytesIO(zf.read("outline.png")))
    version = manifest["manifestVersion"]
    assert tuple(int(p) for p in version.split(".")) >= (1, 17)
    assert manifest["$schema"].endswith(f"/v{version}/MicrosoftTeams.schema.json")
    for key in ("version", "id", "developer", "name", "description", "icons", "accentColor"):
        assert manifest[key], key
    assert manifest["id"] == APP_ID and manifest["name"]["short"] == "Partnerbot Zaanstad"
    assert manifest["developer"]["websiteUrl"] == "https://bot.zaanstad.example"
    assert manifest["validDomains"] == ["bot.zaanstad.example"]
    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert {"personal", "team"} <= set(bot["scopes"])
    titles = {scope: [c["title"] for c in lst["commands"]] for lst in bot["commandLists"] for scope in lst["scopes"]}
    assert "help" in titles["personal"] and "help" in titles["team"]
    for lst in bot["commandLists"]:
        assert len(lst["commands"]) <= 10
        assert all(len(c["title"]) <= 32 and len(c["description"]) <= 128 for c in lst["commands"])
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert color.format == "PNG" and color.size == (192, 192)
    assert outline.format == "PNG" and outline.size == (32, 32) and outline.mode == "RGBA"
    pixels = list(outline.get_flattened_data())
    assert any(p[3] == 0 for p in pixels), "the outline icon has a transparent background"
    assert all(p[3] == 0 or p[:3] == (255, 255, 255) for p in pixels), "only white on transparent"


def test_package_refuses_an_app_id_that_is_not_a_guid(tmp_path):
    out = tmp_path / "p.zip"
    result = run_app("teams-package", "--app-id", "mijn-bot", "--output", str(out), data_dir=tmp_path / "data")
    assert result.returncode == 2 and "GUID" in result.stderr
    assert not out.exists()


def test_package_without_a_website_uses_a_placeholder_and_says_so(tmp_path):
    out = tmp_path / "p.zip"
    result = run_app("teams-package", "--app-id", APP_ID, "--output", str(out), data_dir=tmp_path / "data")
    assert result.returncode == 0 and "--website" in result.stderr
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["developer"]["privacyUrl"].startswith("https://")
    assert manifest["name"]["short"] == "Partnerbot"


def _package(tmp_path) -> dict[str, dict]:
    out = tmp_path / "p.zip"
    result = run_app("teams-package", "--app-id", APP_ID, "--name", "Partnerbot Zaanstad", "--output", str(out),
                     data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as zf:
        return {name: json.loads(zf.read(name)) for name in zf.namelist() if name.endswith(".json")}


def test_package_has_english_texts_for_people_whose_teams_runs_in_english(tmp_path):
    files = _package(tmp_path)
    manifest, english = files["manifest.json"], files["en.json"]
    assert manifest["localizationInfo"] == {"defaultLanguageTag": "nl-nl",
                                            "additionalLanguages": [{"languageTag": "en", "file": "en.json"}]}
    assert english["$schema"].endswith(f"/v{manifest['manifestVersion']}/MicrosoftTeams.Localization.schema.json")
    assert english["name.short"] == "Partnerbot Zaanstad"
    assert "social return" in english["description.short"] and "werkgroep" not in english["description.full"]
    lists = manifest["bots"][0]["commandLists"]
    for i, lst in enumerate(lists):
        for j, command in enumerate(lst["commands"]):
            title = english[f"bots[0].commandLists[{i}].commands[{j}].title"]
            description = english[f"bots[0].commandLists[{i}].commands[{j}].description"]
            assert len(title) <= 32 and len(description) <= 128
            assert description != command["description"], f"{command['title']} has no English description"
    keys = {k for k in english if k.startswith("bots[0]")}
    assert len(keys) == 2 * sum(len(lst["commands"]) for lst in lists), "a key points at no command"


async def test_every_command_title_does_in_english_what_it_does_in_dutch(tmp_path, server):
    """A title is sent as a message when clicked: the English one must reach the same command (the same
    buttons and section as the Dutch one, each in an organisation of its own), not the knowledge base."""
    files = _package(tmp_path)
    lists = files["manifest.json"]["bots"][0]["commandLists"]
    english = files["en.json"]

    def shape(replies: list[dict]) -> tuple:
        """Section and button values; not the offer to switch to the other language than the one spoken."""
        return tuple((r.get("section"), tuple(c["value"] for c in r.get("choices") or ()
                                              if not c["value"].startswith("core:lang:"))) for r in replies)

    for i, lst in enumerate(lists):
        for j, command in enumerate(lst["commands"]):
            dutch_title, english_title = command["title"], english[f"bots[0].commandLists[{i}].commands[{j}].title"]
            if dutch_title == "english":  # the language switch: each list offers the other language
                assert english_title == "nederlands"
                assert shape(await server.say("english", org="nl-org", user="switcher")) == shape(
                    await server.say("in english please", org="nl-ref", user="switcher"))
                assert shape(await server.say("nederlands", org="en-org", user="switcher")) == shape(
                    await server.say("in het nederlands", org="en-ref", user="switcher"))
                continue
            dutch = await server.say(dutch_title, org="nl-org")
            in_english = await server.say(english_title, org="en-org")
            assert shape(dutch) == shape(in_english), f"{english_title!r} does not do what {dutch_title!r} does"
