"""Built-in storage backend `sqlite` (the default): the relay's metadata in one WAL-mode file."""

from __future__ import annotations

from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.plugin_types import ConfigModelSpec, StorageBackendSpec

from .backend import SqliteSettings, open_sqlite_store


@hookimpl
def register_storage_backends() -> list[StorageBackendSpec]:
    return [StorageBackendSpec(name="sqlite", open=open_sqlite_store)]


@hookimpl
def register_config_models() -> list[ConfigModelSpec]:
    return [ConfigModelSpec(section="storage", kind="sqlite", model=SqliteSettings)]
