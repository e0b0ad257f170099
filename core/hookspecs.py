"""The whole plugin contract on one page.

A plugin is a module (or object) with functions marked `@hookimpl` whose names match the
specs below. Built-in plugins are ordinary plugins (see `plugins.DEFAULT_PLUGINS`); third-party
ones are entry points in group `mobile_codex`, loaded only when the config allows them.

A plugin may set `REQUIRES_FLAGS = ("runAction",)`: when any listed feature flag is off in the
config being loaded, the plugin is not registered at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

import pluggy

if TYPE_CHECKING:
    from .config import AgentConfig
    from .plugin_types import ActionSpec, ExecModeSpec, LogSourceSpec, StorageBackendSpec

PROJECT = "mobile_codex"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# --- agent: what the agent can do for the phone -------------------------------------------


@hookspec
def register_actions(config: "AgentConfig") -> "Iterable[ActionSpec]":
    """Predefined actions the agent may run by id.

    :param config: the agent config being loaded
    """


@hookspec
def register_log_sources(config: "AgentConfig") -> "Iterable[LogSourceSpec]":
    """Predefined log sources the agent may read by id, as a bounded tail.

    :param config: the agent config being loaded
    """


@hookspec
def register_exec_modes(config: "AgentConfig") -> "Iterable[ExecModeSpec]":
    """Ways a codex_exec task becomes a `codex` command line.

    :param config: the agent config being loaded
    """


# --- relay: where it keeps its metadata ----------------------------------------------------


@hookspec
def register_storage_backends() -> "Iterable[StorageBackendSpec]":
    """Storage backends the relay can be configured to use (`storage.backend`)."""
