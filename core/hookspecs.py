"""The whole plugin contract on one page.

A plugin is a module (or object) with functions marked `@hookimpl` whose names match the
specs below. Built-in plugins are ordinary plugins (see `plugins.DEFAULT_PLUGINS`); third-party
ones are entry points in group `mobile_codex`, loaded only when the config allows them.

A plugin may set `REQUIRES_FLAGS = ("runAction",)`: when any listed feature flag is off in the
config being loaded, the plugin is not registered at all (its config models still check its
config, so turning a flag off never hides a mistake in the file).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

import pluggy

if TYPE_CHECKING:
    from .config import AgentConfig, RelayConfig
    from .plugin_types import ActionSpec, ConfigModelSpec, ExecModeSpec, LogSourceSpec, NotifierSpec, StorageBackendSpec
    from .plugin_types import TextFilterSpec, VolatileBackendSpec
    from .store import Store

PROJECT = "mobile_codex"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# --- config: the parts of a config file a plugin reads ------------------------------------


@hookspec
def register_config_models(side: str) -> "Iterable[ConfigModelSpec]":
    """Config models that check the parts of a config file this plugin reads.

    Called while a config file loads, once its plugins are loaded: its own section
    (`plugins.config.<distribution>`), its kind of `logSources` entry, or its storage backend's
    keys. Problems are reported like every config error, `file: key: message`, all at once; the
    checked values reach the other hooks in `config`.

    :param side: "relay" or "agent": which config file is loading
    """


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


@hookspec
def register_text_filters(config: "AgentConfig") -> "Iterable[TextFilterSpec]":
    """Filters every text the agent sends the relay passes through first (secret redaction).

    A filter's `find(text, where)` returns the `Finding`s (span and kind) in `text`; the agent
    replaces each with `[redacted: <kind>]`, unless the config's `redaction.allowlist` lets it
    through. A filter that raises withholds the whole text (`[withheld: filter <id> failed]`):
    output is never sent unfiltered. Called only while `redaction.enabled` is on.

    :param config: the agent config being loaded
    """


# --- relay: where it keeps its metadata ----------------------------------------------------


@hookspec
def register_storage_backends() -> "Iterable[StorageBackendSpec]":
    """Storage backends the relay can be configured to use (`storage.backend`)."""


@hookspec
def register_volatile_backends() -> "Iterable[VolatileBackendSpec]":
    """Backends of the shared volatile store the relay can be configured to use (`volatile.backend`)."""


# --- relay: telling people what happened -----------------------------------------------------


@hookspec
def register_notifiers(config: "RelayConfig", store: "Store") -> "Iterable[NotifierSpec]":
    """Channels that deliver notifications (core/notifications.py): every event goes to each.

    Only while the relay's `notifications` feature flag is on. A notifier reads what it needs
    from `store` (Web Push: the recipients' devices) and from its config section.

    :param config: the relay config being served
    :param store: the relay's open store
    """
