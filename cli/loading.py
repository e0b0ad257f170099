"""Loading a config and its plugins for a command, with errors turned into exit code 2."""

from __future__ import annotations

from pathlib import Path

from mobile_codex.core.config import AgentConfig, RelayConfig, load_config
from mobile_codex.core.errors import ConfigIssue, PluginError
from mobile_codex.core.plugins import Plugins, load_plugins

from .exit_codes import USAGE_OR_CONFIG, CommandFailed


def plugins_for(config: RelayConfig | AgentConfig | None) -> Plugins:
    try:
        if config is None:
            return load_plugins()
        return load_plugins(allow=config.plugins.allow, flags=config.features)
    except PluginError as err:
        raise CommandFailed(f"plugin error: {err}", USAGE_OR_CONFIG) from None


def plugin_issues(path: Path, config: RelayConfig | AgentConfig, plugins: Plugins) -> list[ConfigIssue]:
    """Config keys whose validity depends on which plugins are loaded."""
    issues = []
    try:
        if isinstance(config, RelayConfig):
            backends = plugins.storage_backends()
            if config.storage.backend not in backends:
                issues.append(
                    ConfigIssue(str(path), "storage.backend", f"expected one of {', '.join(sorted(backends))}, got {config.storage.backend!r}")
                )
        else:
            plugins.actions(config)
            plugins.log_sources(config)
            plugins.exec_modes(config)
    except PluginError as err:
        raise CommandFailed(f"plugin error: {err}", USAGE_OR_CONFIG) from None
    return issues


def load(path: str | Path) -> RelayConfig | AgentConfig:
    """ConfigError propagates: main() prints each issue on its own line and exits 2."""
    return load_config(Path(path))
