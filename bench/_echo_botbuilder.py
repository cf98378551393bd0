"""A minimal Bot Framework echo bot on botbuilder (run by bench/teams.py from .venv-bench-botbuilder).

The baseline for Teams turns: the same protocol (POST /api/messages in, a reply POSTed to the activity's
serviceUrl), anonymous like Partnerbot's local mode, on the same aiohttp. Usage: python _echo_botbuilder.py PORT
"""

import sys

from aiohttp import web
from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication


class Settings:
    PORT = int(sys.argv[1])
    APP_ID = ""
    APP_PASSWORD = ""
    APP_TYPE = "MultiTenant"
    APP_TENANTID = ""


class EchoBot(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(f"Echo: {turn_context.activity.text}")


ADAPTER = CloudAdapter(ConfigurationBotFrameworkAuthentication(Settings()))
BOT = EchoBot()


async def messages(request: web.Request) -> web.Response:
    return await ADAPTER.process(request, BOT)


app = web.Application()
app.router.add_post("/api/messages", messages)
web.run_app(app, host="127.0.0.1", port=Settings.PORT, print=None, access_log=None)
