"""The aiohttp server that every adapter mounts on: health check, file links, and the adapters' routes."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Sequence

from aiohttp import web

from bot import __version__
from bot.services import Services

log = logging.getLogger(__name__)
SERVICES: web.AppKey[Services] = web.AppKey("services", Services)
Mount = Callable[[web.Application, Services], None]


def file_url(stored_token: str, name: str) -> str:
    return f"/files/{stored_token}/{name}"


async def _healthz(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    config = services.config
    return web.json_response({
        "status": "ok",
        "version": __version__,
        "channels": {"local": config.local_api_enabled, "teams": config.teams_configured,
                     "slack": config.slack_configured},
    })


async def _file(request: web.Request) -> web.StreamResponse:
    stored = request.app[SERVICES].files.get(request.match_info["token"])
    if stored is None or not stored.path.exists():
        raise web.HTTPNotFound(text="This link has expired or does not exist.")
    disposition = "inline" if stored.media_type.startswith("image/") else "attachment"
    headers = {
        "Content-Type": stored.media_type,
        "Content-Disposition": f'{disposition}; filename="{stored.name}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=3600",
        "Content-Security-Policy": "default-src 'none'",
    }
    return web.FileResponse(stored.path, headers=headers)


@web.middleware
async def _errors(request: web.Request, handler: Callable) -> web.StreamResponse:
    """Whatever goes wrong inside a handler becomes a JSON 500 with no details; never a crash."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        log.exception("request failed: %s %s", request.method, request.path)
        return web.json_response({"error": "internal error"}, status=500)


def build_app(services: Services, mounts: Sequence[Mount]) -> web.Application:
    app = web.Application(middlewares=[_errors], client_max_size=1024 * 1024)
    app[SERVICES] = services
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/files/{token}/{name}", _file)
    for mount in mounts:
        mount(app, services)

    async def startup(_: web.Application) -> None:
        for hook in services.on_startup:
            await hook()
        # what start-up built (the knowledge index, texts, step flows) lives as long as the process:
        # keep it out of the garbage collector's full passes, which otherwise stall turns for ms
        gc.freeze()

    async def shutdown(_: web.Application) -> None:
        for hook in services.on_shutdown:
            await hook()

    app.on_startup.append(startup)
    app.on_cleanup.append(shutdown)
    return app
