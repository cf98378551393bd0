"""The Teams app package: manifest.json (Dutch), en.json (its English texts) and two icons in a zip,
for uploading the bot to Teams.

Manifest schema v1.22, the current one in Microsoft's documentation when this was written (1.18 was
never released); nothing here needs a feature newer than v1.13, so older Teams clients read it too.
The icons are drawn with Pillow: the colour icon 192×192, the outline icon 32×32, white on transparent.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PIL import Image, ImageDraw

from bot import __version__
from bot.yamldata import load_yaml

MANIFEST_VERSION = "1.22"
SCHEMA = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
LOCALIZATION_SCHEMA = (f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/"
                       "MicrosoftTeams.Localization.schema.json")
COLOR_SIZE, OUTLINE_SIZE = 192, 32
LIMITS = {"developer.name": 32, "name.short": 30, "name.full": 100, "description.short": 80, "description.full": 4000,
          "command.title": 32, "command.description": 128}
MAX_COMMANDS = 10
PLACEHOLDER_SITE = "https://example.org"
"""Used for the developer's links when neither --website nor an https PUBLIC_URL is given."""


class PackageError(ValueError):
    """The package cannot be made from these arguments; the message says why."""


@cache
def _content() -> dict[str, Any]:
    return load_yaml(Path(__file__).with_name("data").joinpath("manifest.yaml").read_text("utf-8"))


def _limited(text: str, limit: str) -> str:
    text = " ".join(text.split())
    if len(text) > LIMITS[limit]:
        raise PackageError(f"{limit} is longer than {LIMITS[limit]} characters: {text!r}")
    return text


def check_app_id(app_id: str) -> str:
    """The Microsoft App ID of the bot registration: a GUID."""
    try:
        return str(uuid.UUID(app_id.strip()))
    except (ValueError, AttributeError):
        raise PackageError(f"--app-id must be the bot's Microsoft App ID (a GUID), not {app_id!r}") from None


def _https(url: str, what: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise PackageError(f"{what} must be an https:// address, not {url!r}")
    return url


def _command_lists(lang: str) -> list[tuple[list[str], list[dict[str, str]]]]:
    """(scopes, commands) of the personal and the team command list, in `lang`."""
    commands = _content()["commands"]
    lists = []
    for scopes, items in ((["personal"], commands["personal"]), (["team", "groupChat"], commands["team"])):
        if len(items) > MAX_COMMANDS:
            raise PackageError(f"at most {MAX_COMMANDS} commands per list")
        lists.append((scopes, [{"title": _limited(c["title"][lang], "command.title"),
                                "description": _limited(c["description"][lang], "command.description")}
                               for c in items]))
    return lists


def _description(lang: str) -> dict[str, str]:
    texts = _content()["description"]
    return {"short": _limited(texts["short"][lang], "description.short"),
            "full": _limited(texts["full"][lang], "description.full")}


def localization(name: str, lang: str) -> dict[str, Any]:
    """The localization file for `lang`: the manifest's texts by their path in manifest.json."""
    description = _description(lang)
    result: dict[str, Any] = {"$schema": LOCALIZATION_SCHEMA, "name.short": _limited(name, "name.short"),
                              "name.full": _limited(name, "name.full"), "description.short": description["short"],
                              "description.full": description["full"]}
    for i, (_, commands) in enumerate(_command_lists(lang)):
        for j, command in enumerate(commands):
            result[f"bots[0].commandLists[{i}].commands[{j}].title"] = command["title"]
            result[f"bots[0].commandLists[{i}].commands[{j}].description"] = command["description"]
    return result


def _default_language() -> str:
    """The manifest's own language ("nl" of "nl-nl")."""
    return _content()["default_language"].split("-")[0]


def _additional_languages() -> list[str]:
    return [lang for lang in _content()["languages"] if lang != _default_language()]


def manifest(app_id: str, *, name: str = "Partnerbot", website: str, developer: str = "Partnerbot",
             public_url: str | None = None) -> dict[str, Any]:
    app_id = check_app_id(app_id)
    website = _https(website, "--website")
    content = _content()
    default = _default_language()

    result: dict[str, Any] = {
        "$schema": SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": __version__,
        "id": app_id,
        "developer": {"name": _limited(developer, "developer.name"), "websiteUrl": website, "privacyUrl": website,
                      "termsOfUseUrl": website},
        "name": {"short": _limited(name, "name.short"), "full": _limited(name, "name.full")},
        "description": _description(default),
        "localizationInfo": {"defaultLanguageTag": content["default_language"], "additionalLanguages": [
            {"languageTag": lang, "file": f"{lang}.json"} for lang in _additional_languages()]},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": content["accent_color"],
        "bots": [{
            "botId": app_id,
            "scopes": ["personal", "team", "groupChat"],
            "supportsFiles": False,
            "isNotificationOnly": False,
            "commandLists": [{"scopes": scopes, "commands": commands} for scopes, commands in _command_lists(default)],
        }],
        "validDomains": [],
    }
    if public_url and urlsplit(public_url).hostname:
        result["validDomains"] = [urlsplit(public_url).hostname]
    return result


def _rings(draw: ImageDraw.ImageDraw, size: int, width: int, fill: tuple[int, int, int, int]) -> None:
    """Two linked rings: a partnership."""
    radius = size * 0.24
    for cx in (size * 0.38, size * 0.62):
        cy = size * 0.5
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), outline=fill, width=width)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def color_icon(accent: str | None = None) -> bytes:
    accent = accent or _content()["accent_color"]
    image = Image.new("RGBA", (COLOR_SIZE, COLOR_SIZE), accent)
    _rings(ImageDraw.Draw(image), COLOR_SIZE, width=14, fill=(255, 255, 255, 255))
    return _png(image)


def outline_icon() -> bytes:
    image = Image.new("RGBA", (OUTLINE_SIZE, OUTLINE_SIZE), (0, 0, 0, 0))
    _rings(ImageDraw.Draw(image), OUTLINE_SIZE, width=3, fill=(255, 255, 255, 255))
    return _png(image)


def write_package(path: Path, app_id: str, *, name: str = "Partnerbot", website: str,
                  developer: str = "Partnerbot", public_url: str | None = None) -> dict[str, Any]:
    """Write the zip (manifest.json, a <lang>.json per further language, color.png, outline.png at its
    root) and return the manifest."""
    data = manifest(app_id, name=name, website=website, developer=developer, public_url=public_url)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(data, ensure_ascii=False, indent=2))
        for lang in _additional_languages():
            zf.writestr(f"{lang}.json", json.dumps(localization(name, lang), ensure_ascii=False, indent=2))
        zf.writestr("color.png", color_icon(data["accentColor"]))
        zf.writestr("outline.png", outline_icon())
    return data
