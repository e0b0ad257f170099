"""Built-in volatile backend `redis`: the state several relay replicas share, in a Redis without persistence."""

from __future__ import annotations

from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.plugin_types import VolatileBackendSpec

from .store import open_redis_store


@hookimpl
def register_volatile_backends() -> list[VolatileBackendSpec]:
    return [VolatileBackendSpec(name="redis", open=open_redis_store)]
