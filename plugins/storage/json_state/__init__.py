"""Built-in storage backend `json`: the reference's state.json (v4), for compatibility and migration."""

from __future__ import annotations

from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.plugin_types import ConfigModelSpec, StorageBackendSpec

from .backend import JsonSettings, open_json_store


@hookimpl
def register_storage_backends() -> list[StorageBackendSpec]:
    return [StorageBackendSpec(name="json", open=open_json_store)]


@hookimpl
def register_config_models() -> list[ConfigModelSpec]:
    return [ConfigModelSpec(section="storage", kind="json", model=JsonSettings)]
