"""Config files: models for relay and agent, loaded from JSON with every problem reported at once."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import ConfigError, ConfigIssue
from .agent import AGENT_MARKER_KEYS, AgentConfig
from .relay import RELAY_MARKER_KEYS, RelayConfig
from .schema import Context, build

__all__ = ["AgentConfig", "RelayConfig", "load_config", "load_relay_config", "load_agent_config", "config_kind"]


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


def _load(model: type, data: object, ctx: Context):
    issues: list[ConfigIssue] = []
    config = build(model, data, ctx, "", issues)
    if issues:
        raise ConfigError(issues)
    return config


def config_kind(data: object) -> str | None:
    """'relay' or 'agent' judged by the keys present; None when it cannot tell."""
    if not isinstance(data, dict):
        return None
    relay, agent = bool(data.keys() & RELAY_MARKER_KEYS), bool(data.keys() & AGENT_MARKER_KEYS)
    if relay != agent:
        return "relay" if relay else "agent"
    return None


def load_relay_config(path: Path) -> RelayConfig:
    data, ctx = _read(Path(path))
    return _load(RelayConfig, data, ctx)


def load_agent_config(path: Path) -> AgentConfig:
    data, ctx = _read(Path(path))
    return _load(AgentConfig, data, ctx)


def load_config(path: Path) -> RelayConfig | AgentConfig:
    """Load a relay or an agent config, recognised by its keys."""
    data, ctx = _read(Path(path))
    kind = config_kind(data)
    if kind is None:
        raise ConfigError(
            [ConfigIssue(str(path), "(file)", "cannot tell a relay config (tokenSecret, ...) from an agent config (relayBaseUrl, agentId, ...)")]
        )
    return _load(RelayConfig if kind == "relay" else AgentConfig, data, ctx)
