"""The Teams app package: manifest.json and two icons in a zip, for uploading the bot to Teams.

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

import yaml
from PIL import Image, ImageDraw

from bot import __version__

MANIFEST_VERSION = "1.22"
SCHEMA = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
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
    return yaml.safe_load(Path(__file__).with_name("data").joinpath("manifest.yaml").read_text("utf-8"))


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


def manifest(app_id: str, *, name: str = "Partnerbot", website: str, developer: str = "Partnerbot",
             public_url: str | None = None) -> dict[str, Any]:
    app_id = check_app_id(app_id)
    website = _https(website, "--website")
    content = _content()
    commands = content["commands"]

    def command_list(scopes: list[str], items: list[dict[str, str]]) -> dict[str, Any]:
        if len(items) > MAX_COMMANDS:
            raise PackageError(f"at most {MAX_COMMANDS} commands per list")
        return {"scopes": scopes, "commands": [
            {"title": _limited(c["title"], "command.title"),
             "description": _limited(c["description"], "command.description")} for c in items]}

    result: dict[str, Any] = {
        "$schema": SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": __version__,
        "id": app_id,
        "developer": {"name": _limited(developer, "developer.name"), "websiteUrl": website, "privacyUrl": website,
                      "termsOfUseUrl": website},
        "name": {"short": _limited(name, "name.short"), "full": _limited(name, "name.full")},
        "description": {"short": _limited(content["description"]["short"], "description.short"),
                        "full": _limited(content["description"]["full"], "description.full")},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": content["accent_color"],
        "bots": [{
            "botId": app_id,
            "scopes": ["personal", "team", "groupChat"],
            "supportsFiles": False,
            "isNotificationOnly": False,
            "commandLists": [command_list(["personal"], commands["personal"]),
                             command_list(["team", "groupChat"], commands["team"])],
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
    """Write the zip (manifest.json, color.png, outline.png at its root) and return the manifest."""
    data = manifest(app_id, name=name, website=website, developer=developer, public_url=public_url)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(data, ensure_ascii=False, indent=2))
        zf.writestr("color.png", color_icon(data["accentColor"]))
        zf.writestr("outline.png", outline_icon())
    return data
