"""Partnerbot: composition root and command line (serve, chat, …). See README.md."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from aiohttp import web

from adapters.local import api as local_api
from adapters.local import web as local_web
from adapters.local.notifier import LocalNotifier
from adapters.server import Mount, build_app
from adapters.teams.lazy import LazyTeamsNotifier
from bot.claim_notices import ClaimSource
from bot.clock import Clock, FixedClock
from bot.config import Config, ConfigError
from bot.feature import Feature
from bot.notify import DueSource
from bot.router import Router
from bot.services import Services
from dialogs.feature import Dialogs
from knowledge.feature import KnowledgeFeature
from monitoring.feature import MonitoringFeature
from monitoring.source import MonitoringSource
from scheduler.feature import SchedulerFeature
from scheduler.runner import Runner
from scheduler.service import install as install_scheduler
from scheduler.tick import format_outcomes, parse_instant

log = logging.getLogger("partnerbot")


def build_features(services: Services) -> list[Feature]:
    """The features in the order they get free text (the knowledge base last: it answers anything)."""
    return [SchedulerFeature(), MonitoringFeature(), Dialogs(), KnowledgeFeature(services)]


def build_due_sources(services: Services) -> list[DueSource]:
    """Features with their own due notifications; the scheduler delivers them with its own."""
    return [MonitoringSource(), ClaimSource()]


def build_services(config: Config, clock: Clock | None = None) -> Services:
    services = Services.create(config, clock)
    services.notifiers["local"] = LocalNotifier(services.stores, services.files, services.clock)
    services.notifiers["teams"] = LazyTeamsNotifier(services)
    if config.slack_configured:
        from adapters.slack import endpoint as slack

        services.notifiers["slack"] = slack.notifier(services)
    Router(services, build_features(services))
    services.due_sources = build_due_sources(services)
    install_scheduler(services)
    return services


def build_mounts(services: Services) -> list[Mount]:
    from adapters.teams import api as teams_api  # loads the Agents SDK: only the server needs it

    mounts: list[Mount] = [local_api.mount, local_web.mount, teams_api.mount]
    if services.config.slack_configured:
        from adapters.slack import endpoint as slack

        mounts.append(slack.mount)
    return mounts


def build_web_app(services: Services) -> web.Application:
    return build_app(services, build_mounts(services))


def configure_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)


def cmd_serve(config: Config, _: argparse.Namespace) -> int:
    services = build_services(config)
    app = build_web_app(services)
    if not config.local_api_enabled:
        log.warning("HOST %s is not a loopback address and LOCAL_CHAT_TOKEN is not set: "
                    "the local chat API is off", config.host)
    log.info("Partnerbot listening on http://%s:%s (data in %s)", config.host, config.port, config.data_dir)
    web.run_app(app, host=config.host, port=config.port, print=None, access_log=None)
    return 0


def cmd_chat(config: Config, args: argparse.Namespace) -> int:
    from adapters.local.terminal import TerminalChat

    services = build_services(config)
    chat = TerminalChat(services, org=args.org, user=args.user, name=args.name, lang=args.lang)
    try:
        asyncio.run(chat.run())
    except KeyboardInterrupt:
        print()
    return 0


def cmd_tick(config: Config, args: argparse.Namespace) -> int:
    """Run the due computation once at `--now` and deliver (or with --dry-run only list) what is due."""
    try:
        now = parse_instant(args.now, config.timezone)
    except ValueError as exc:
        print(f"--now: {exc}", file=sys.stderr)
        return 2
    services = build_services(config, FixedClock(now))
    runner = Runner(services, grace=timedelta(hours=config.scheduler_grace_hours),
                    crash_at=os.environ.get("PARTNERBOT_TEST_CRASH") or None)
    outcomes = asyncio.run(runner.run(now, dry_run=args.dry_run))
    if args.json:
        print(json.dumps({"now": now.isoformat(), "dry_run": args.dry_run,
                          "notifications": [o.to_json() for o in outcomes]}, ensure_ascii=False, indent=2))
    else:
        print(format_outcomes(now, outcomes, args.dry_run))
    return 1 if any(o.status == "failed" for o in outcomes) else 0


def cmd_ask(config: Config, args: argparse.Namespace) -> int:
    from knowledge import ask

    code, output = ask.run(config, " ".join(args.question), lang=args.lang, org=args.org, as_json=args.json)
    print(output, file=sys.stdout if code == 0 else sys.stderr)
    return code


def cmd_slack_manifest(_: Config, args: argparse.Namespace) -> int:
    """Print the Slack app manifest with this server's Request URL (see README, "Slack")."""
    from adapters.slack.manifest import ManifestError, render

    try:
        print(render(args.url, socket_mode=args.socket_mode), end="")
    except ManifestError as exc:
        print(f"slack-manifest: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_teams_package(config: Config, args: argparse.Namespace) -> int:
    from adapters.teams.package import PLACEHOLDER_SITE, PackageError, write_package

    website = args.website or (config.public_url if (config.public_url or "").startswith("https://") else None)
    if website is None:
        print(f"No --website given (and PUBLIC_URL is not https): the developer links point to "
              f"{PLACEHOLDER_SITE}.", file=sys.stderr)
    try:
        data = write_package(Path(args.output), args.app_id, name=args.name, website=website or PLACEHOLDER_SITE,
                             developer=args.developer, public_url=config.public_url)
    except PackageError as exc:
        print(f"Cannot make the package: {exc}", file=sys.stderr)
        return 2
    print(f"Wrote {args.output}: Teams app {data['name']['short']!r} for bot {data['bots'][0]['botId']} "
          f"(manifest v{data['manifestVersion']}). Upload it in Teams: Apps > Manage your apps > Upload an app.")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="app.py", description="Partnerbot: the handbook "
                                "'Partnerships voor meer banen' in Teams, Slack and the browser.")
    sub = p.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the server (web chat, local API, Teams, Slack, scheduler)")
    chat = sub.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument("--org", default="demo")
    chat.add_argument("--user", default="terminal")
    chat.add_argument("--name", default="")
    chat.add_argument("--lang", choices=("nl", "en"))
    tick = sub.add_parser("tick", help="run the scheduler once at an instant (deliver what is due)")
    tick.add_argument("--now", required=True, help="ISO-8601 instant, e.g. 2026-12-07T09:00+01:00")
    tick.add_argument("--dry-run", action="store_true", help="only list what is due; record and send nothing")
    tick.add_argument("--json", action="store_true", help="print the outcome as JSON")
    ask = sub.add_parser("ask", help="one answer from the knowledge base")
    ask.add_argument("question", nargs="+", help="the question, e.g. \"Wat is een voorbehouden opdracht?\"")
    ask.add_argument("--json", action="store_true", help="print id, section, confidence and alternatives as JSON")
    ask.add_argument("--lang", choices=("nl", "en"), help="answer in this language (default: the question's)")
    ask.add_argument("--org", help="also match this organisation's own entries")
    manifest = sub.add_parser("slack-manifest", help="print the Slack app manifest for this server")
    manifest.add_argument("--url", help="the server's public https address, e.g. https://partnerbot.example.nl")
    manifest.add_argument("--socket-mode", action="store_true", help="for Socket Mode (SLACK_APP_TOKEN): no URLs")
    package = sub.add_parser("teams-package", help="write the Teams app package (zip) to upload in Teams")
    package.add_argument("--app-id", required=True, help="the bot's Microsoft App ID (a GUID)")
    package.add_argument("--name", default="Partnerbot", help="the app's name in Teams (at most 30 characters)")
    package.add_argument("--output", default="partnerbot-teams.zip", help="where to write the zip")
    package.add_argument("--website", help="https address for the developer, privacy and terms links "
                         "(default: PUBLIC_URL)")
    package.add_argument("--developer", default="Partnerbot", help="the developer name shown in Teams")
    return p


COMMANDS = {"serve": cmd_serve, "chat": cmd_chat, "tick": cmd_tick, "ask": cmd_ask,
            "slack-manifest": cmd_slack_manifest, "teams-package": cmd_teams_package}


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    configure_logging(logging.INFO if args.command in (None, "serve") else logging.WARNING)
    try:
        config = Config.from_env()
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    return COMMANDS[args.command or "serve"](config, args)


if __name__ == "__main__":
    sys.exit(main())
