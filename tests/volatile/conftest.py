"""A shared volatile store of each backend, opened as the relay opens it (through the plugins)."""

from __future__ import annotations

import pytest

from mobile_codex.core.config.relay import VolatileConfig
from mobile_codex.core.plugins import load_plugins


def open_shared(backend: str, url: str = "", **settings):
    config = VolatileConfig(backend=backend, url=url, **settings)
    return load_plugins(entry_points=[]).volatile_backends()[backend].item.open(config)


@pytest.fixture(params=["memory", "redis"])
def shared(request):
    url = request.getfixturevalue("redis_url") if request.param == "redis" else ""
    store = open_shared(request.param, url)
    yield store
    store.close()
