"""Config files: models for relay and agent, loaded from JSON with every problem reported at once.

Loading is one function, `load`: read the file, check the core's keys, load the plugins the
file allows (`plugins.allow`, `features`), then check the sections the plugins own with their
models (plugin_sections.py). Every problem of both steps comes out in one ConfigError.
"""

from __future__ import annotations

import json
from contextlib import suppress
from pathlib import Path
from typing import Iterable

import attrs

from ..errors import ConfigError, ConfigIssue, PluginSectionsInvalid
from ..features import FeatureFlags
from ..plugins import DEFAULT_PLUGINS, Plugins, load_plugins
from .agent import AGENT_MARKER_KEYS, AgentConfig
from .common import allow_rules, features
from .plugin_sections import check_plugin_sections
from .relay import RELAY_MARKER_KEYS, RelayConfig
from .schema import Context, Invalid, build

__all__ = [
    "AgentConfig", "RelayConfig", "LoadedConfig", "load", "load_document", "load_config", "load_relay_config",
    "load_agent_config", "config_kind",
]  # fmt: skip

MODELS = {"relay": RelayConfig, "agent": AgentConfig}


@attrs.frozen
class LoadedConfig:
    """A checked config and the plugins it loaded (the ones that checked its sections)."""

    config: RelayConfig | AgentConfig
    plugins: Plugins


def _read(path: Path) -> tuple[object, Context]:
    ctx = Context(file=str(path), base_dir=path.resolve().parent)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([ConfigIssue(str(path), "(file)", "file not found")]) from None
    except OSError as err:
        raise ConfigError([ConfigIssue(str(path), "(file)", f"cannot read: {err.strerror}")]) from None
    except UnicodeDecodeError:
        raise ConfigError([ConfigIssue(str(path), "(file)", "expected UTF-8 text")]) from None
    try:
        return json.loads(text), ctx
    except json.JSONDecodeError as err:
        raise ConfigError(
            [ConfigIssue(str(path), "(file)", f"invalid JSON at line {err.lineno} column {err.colno}: {err.msg}")]
        ) from None


def config_kind(data: object) -> str | None:
    """'relay' or 'agent' judged by the keys present; None when it cannot tell."""
    if not isinstance(data, dict):
        return None
    relay, agent = bool(data.keys() & RELAY_MARKER_KEYS), bool(data.keys() & AGENT_MARKER_KEYS)
    if relay != agent:
        return "relay" if relay else "agent"
    return None


def load(
    path: str | Path, kind: str | None = None, *, builtins: Iterable[str] = DEFAULT_PLUGINS, entry_points=None,
) -> LoadedConfig:  # fmt: skip
    """Load a relay or agent config file (`kind`, or recognised by its keys) with its plugins.

    Raises ConfigError listing every problem; PluginSectionsInvalid (a ConfigError) when only the
    plugins' sections are wrong; PluginError when the plugins themselves cannot load.
    """
    path = Path(path)
    data, ctx = _read(path)
    kind = kind or config_kind(data)
    if kind is None:
        raise ConfigError(
            [ConfigIssue(str(path), "(file)", "cannot tell a relay config (tokenSecret, ...) from an agent config (relayBaseUrl, agentId, ...)")]
        )
    return load_document(data, ctx, kind, builtins=builtins, entry_points=entry_points)


def load_document(
    data: object, ctx: Context, kind: str, *, builtins: Iterable[str] = DEFAULT_PLUGINS, entry_points=None,
) -> LoadedConfig:  # fmt: skip
    """`load` for a parsed document (`ctx` names its file and the folder relative paths start from)."""
    issues: list[ConfigIssue] = []
    config = build(MODELS[kind], data, ctx, "", issues)  # the core's keys; plugin sections as written
    allow, flags = (config.plugins.allow, config.features) if config is not None else _plugin_choice(data, ctx)
    plugins = load_plugins(allow=allow, flags=flags, builtins=builtins, entry_points=entry_points)
    section_issues: list[ConfigIssue] = []
    checked = check_plugin_sections(data, ctx, kind, plugins, section_issues)
    if issues:
        raise ConfigError(issues + section_issues)
    if section_issues:
        raise PluginSectionsInvalid(section_issues, config)
    return LoadedConfig(_with_sections(config, checked), plugins)


def _plugin_choice(data: object, ctx: Context) -> tuple[tuple[str, ...], FeatureFlags]:
    """`plugins.allow` and `features` as far as they are valid, for a file whose core keys are
    not: its plugin sections are checked all the same, so every problem shows at once."""
    allow, flags, scratch = (), FeatureFlags(), []  # their own problems are the first step's to report
    if isinstance(data, dict):
        plugins = data.get("plugins")
        if isinstance(plugins, dict) and "allow" in plugins:
            with suppress(Invalid):
                allow = allow_rules(plugins["allow"], ctx, "plugins.allow", scratch)
        if "features" in data:
            with suppress(Invalid):
                flags = features(data["features"], ctx, "features", scratch)
    return allow, flags


def _with_sections(config, checked: dict):
    changes = {}
    if "log_sources" in checked:
        changes["log_sources"] = checked["log_sources"]
    if "storage" in checked:
        changes["storage"] = attrs.evolve(checked["storage"], data_dir=config.data_dir)
    plugins = attrs.evolve(config.plugins, config=checked.get("plugins_config", {}))
    return attrs.evolve(config, plugins=plugins, **changes)


def load_config(path: str | Path) -> RelayConfig | AgentConfig:
    """Load a relay or an agent config, recognised by its keys (with the plugins it allows)."""
    return load(path).config


def load_relay_config(path: str | Path) -> RelayConfig:
    return load(path, "relay").config


def load_agent_config(path: str | Path) -> AgentConfig:
    return load(path, "agent").config
