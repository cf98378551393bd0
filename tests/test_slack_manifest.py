"""`python app.py slack-manifest`: the Slack app manifest filled in for this server."""

from __future__ import annotations

import yaml

from tests.conftest import run_app


def test_manifest_points_everything_at_the_one_request_url(tmp_path):
    result = run_app("slack-manifest", "--url", "https://partnerbot.gemeente.example/", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    manifest = yaml.safe_load(result.stdout)
    url = "https://partnerbot.gemeente.example/slack/events"
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["request_url"] == url
    assert settings["interactivity"] == {"is_enabled": True, "request_url": url}
    assert settings["socket_mode_enabled"] is False
    assert set(settings["event_subscriptions"]["bot_events"]) == {"app_home_opened", "app_mention", "message.im"}
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/sroi" and command["url"] == url
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] and home["messages_tab_enabled"] and not home["messages_tab_read_only_enabled"]
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"chat:write", "commands", "app_mentions:read", "im:history", "im:write", "files:write",
            "users:read"} <= scopes


def test_socket_mode_manifest_has_no_request_urls(tmp_path):
    result = run_app("slack-manifest", "--socket-mode", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    manifest = yaml.safe_load(result.stdout)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "url" not in manifest["features"]["slash_commands"][0]
    assert "request_url" not in result.stdout and "https://" not in result.stdout


def test_an_address_slack_cannot_use_is_refused_with_a_reason(tmp_path):
    for args in (["--url", "http://partnerbot.example"], ["--url", "partnerbot.example"], []):
        result = run_app("slack-manifest", *args, data_dir=tmp_path)
        assert result.returncode == 2
        assert "https://" in result.stderr and result.stdout == ""
