"""The `volatile` config section: a Redis password never in the file itself."""

from __future__ import annotations

import json

import pytest

from mobile_codex.core.config import load_relay_config
from mobile_codex.core.errors import ConfigError

BASE = {"bootstrapAdminTokenHash": "0" * 64, "tokenSecret": "s" * 32}


def load(tmp_path, volatile):
    path = tmp_path / "relay.json"
    path.write_text(json.dumps({**BASE, "dataDir": str(tmp_path / "data"), "volatile": volatile}))
    return load_relay_config(path)


def test_memory_is_the_default_and_redis_needs_a_url(tmp_path):
    assert load(tmp_path, {}).volatile.backend == "memory"
    with pytest.raises(ConfigError, match="volatile.url: required for backend 'redis'"):
        load(tmp_path, {"backend": "redis"})
    config = load(tmp_path, {"backend": "redis", "url": "redis://127.0.0.1:6379/0", "passwordEnv": "REDIS_PW"})
    assert (config.volatile.url, config.volatile.password_env, config.volatile.accept_persistence) == (
        "redis://127.0.0.1:6379/0", "REDIS_PW", False)


def test_a_password_in_the_url_is_refused(tmp_path):
    with pytest.raises(ConfigError) as refused:
        load(tmp_path, {"backend": "redis", "url": "redis://:hunter2@127.0.0.1:6379/0"})
    assert "volatile.url: must not contain a password" in str(refused.value) and "passwordFile" in str(refused.value)
    assert "hunter2" not in str(refused.value)


def test_an_unknown_backend_is_refused_when_the_relay_opens_it(tmp_path):
    from mobile_codex.core.errors import VolatileStoreRefused
    from mobile_codex.core.plugins import load_plugins
    from mobile_codex.relay_app.server import open_volatile

    config = load(tmp_path, {"backend": "memcached", "url": "redis://127.0.0.1:1/0"})
    with pytest.raises(VolatileStoreRefused, match="volatile.backend 'memcached' is not available"):
        open_volatile(config, load_plugins(entry_points=[]))
