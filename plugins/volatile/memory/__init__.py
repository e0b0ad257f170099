"""Built-in volatile backend `memory` (the default): this process's memory, for a single relay."""

from __future__ import annotations

from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.plugin_types import VolatileBackendSpec

from .store import MemoryVolatileStore


def open_memory_store(config) -> MemoryVolatileStore:
    return MemoryVolatileStore()


@hookimpl
def register_volatile_backends() -> list[VolatileBackendSpec]:
    return [VolatileBackendSpec(name="memory", open=open_memory_store)]
