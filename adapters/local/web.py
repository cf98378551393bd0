"""The web chat page: plain HTML, CSS and JavaScript from the repository, no build step."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.services import Services

STATIC = Path(__file__).with_name("static")
_HEADERS = {
    # the page only talks to this server; nothing inline runs
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


async def index(_: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html", headers=_HEADERS)


def mount(app: web.Application, services: Services) -> None:
    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC, show_index=False, follow_symlinks=False)
