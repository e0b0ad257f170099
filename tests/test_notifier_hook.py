"""The `register_notifiers` hook, through the built-in Web Push plugin: a notifier only with a VAPID key."""

from __future__ import annotations

import json

import pytest

from mobile_codex.core.config import load_relay_config
from mobile_codex.core.errors import ConfigError
from mobile_codex.core.plugin_types import NotifierSpec
from mobile_codex.core.plugins import load_plugins
from mobile_codex.core.web_push import new_vapid_private_key

WEB_PUSH = "mobile_codex.plugins.notifiers.web_push"


def relay_config(tmp_path, **web_push):
    document = {
        "publicOrigin": "https://codex.example.com", "dataDir": str(tmp_path), "bootstrapAdminTokenHash": "a" * 64,
        "tokenSecret": "s" * 40, "notifications": {"webPush": web_push},
    }  # fmt: skip
    path = tmp_path / "relay.json"
    path.write_text(json.dumps(document))
    return load_relay_config(path)


def test_the_web_push_plugin_gives_a_notifier_only_with_a_vapid_key(tmp_path):
    plugins = load_plugins(builtins=(WEB_PUSH,), entry_points=[])
    assert plugins.notifiers(relay_config(tmp_path), store=None) == {}
    found = plugins.notifiers(relay_config(tmp_path, vapidPrivateKey=new_vapid_private_key()), store=None)
    assert list(found) == ["web-push"] and isinstance(found["web-push"].item, NotifierSpec)
    assert found["web-push"].plugin.endswith("web_push")


@pytest.mark.parametrize("web_push, key", [
    ({"vapidPrivateKey": "short"}, "notifications.webPush.vapidPrivateKey"),
    ({"allowedHosts": ["https://x.example"]}, "notifications.webPush.allowedHosts[0]"),
    ({"subject": "http://x.example"}, "notifications.webPush.subject"),
])  # fmt: skip
def test_bad_web_push_settings_are_config_errors(tmp_path, web_push, key):
    with pytest.raises(ConfigError) as error:
        relay_config(tmp_path, **web_push)
    assert key in str(error.value)
