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
        assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]
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
