"""Built-in storage backend `postgres`: the relay's metadata in PostgreSQL, shared by several relays."""

from __future__ import annotations

from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.plugin_types import ConfigModelSpec, StorageBackendSpec

from .backend import open_postgres_store
from .settings import PostgresSettings


@hookimpl
def register_storage_backends() -> list[StorageBackendSpec]:
    return [StorageBackendSpec(name="postgres", open=open_postgres_store)]


@hookimpl
def register_config_models() -> list[ConfigModelSpec]:
    return [ConfigModelSpec(section="storage", kind="postgres", model=PostgresSettings)]
