"""Loading a config and its plugins for a command, with errors turned into exit code 2.

`load_with_plugins` is the one way `relay`, `agent`, `up`, `check`, `plugins` and the relay's
one-off commands load their config: the file, the plugins it allows, every section checked
(core/config), then what the plugins contribute, so a duplicate id stops the command too.
A ConfigError propagates: main() prints each issue on its own line and exits 2.
"""

from __future__ import annotations

from pathlib import Path

from mobile_codex.core.config import AgentConfig, LoadedConfig, load
from mobile_codex.core.errors import PluginError
from mobile_codex.core.plugins import Plugins, load_plugins

from .exit_codes import USAGE_OR_CONFIG, CommandFailed


def load_with_plugins(path: str | Path, kind: str | None = None) -> LoadedConfig:
    """The config at `path` (`kind` "relay" or "agent", or told by its keys) and its plugins."""
    try:
        loaded = load(Path(path), kind)
        if isinstance(loaded.config, AgentConfig):  # (a relay's storage backends were collected by load)
            loaded.plugins.actions(loaded.config)
            loaded.plugins.log_sources(loaded.config)
            loaded.plugins.exec_modes(loaded.config)
    except PluginError as err:
        raise CommandFailed(f"plugin error: {err}", USAGE_OR_CONFIG) from None
    return loaded


def builtin_plugins() -> Plugins:
    """The plugins that load without a config (built-ins only: nothing third-party is allowed)."""
    try:
        return load_plugins()
    except PluginError as err:
        raise CommandFailed(f"plugin error: {err}", USAGE_OR_CONFIG) from None
