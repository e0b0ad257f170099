"""Built-in storage backend `sqlite` (the default): the relay's metadata in one WAL-mode file."""

from __future__ import annotations

from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.plugin_types import StorageBackendSpec

from .backend import open_sqlite_store


@hookimpl
def register_storage_backends() -> list[StorageBackendSpec]:
    return [StorageBackendSpec(name="sqlite", open=open_sqlite_store)]
