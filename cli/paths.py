"""Default locations of config files: the platformdirs user config dir."""

from __future__ import annotations

from pathlib import Path

import platformdirs

from mobile_codex.core.identity import APP_DIR_NAME


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_DIR_NAME))


def default_relay_config() -> Path:
    return config_dir() / "relay.json"


def default_agent_config() -> Path:
    return config_dir() / "agent.json"
