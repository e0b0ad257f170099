"""`check --config F`: validate a relay or agent config; every problem on its own line, exit 2.

It loads the config the way `relay` and `agent` do, with the plugins the file allows (and only
those), so the sections plugins own are checked too. Production risks (cli/production_risks.py)
are warnings on stderr, `warning: FILE: KEY: …`; they never change the exit code. For an agent
config it also reads the agent's trust file, to warn when signatures are required and no passkey
is trusted yet.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mobile_codex.core.config import AgentConfig, RelayConfig
from mobile_codex.core.errors import PluginSectionsInvalid

from .loading import load_with_plugins
from .production_risks import plugin_action_risks, risks_for, trust_risks


def _warn(risks) -> None:
    for risk in risks:
        print(f"warning: {risk}", file=sys.stderr)


def check(args) -> int:
    path = Path(args.config)
    try:
        loaded = load_with_plugins(path)
    except PluginSectionsInvalid as err:
        # The core's keys are fine: warn about them, then main() lists the plugin sections' problems.
        # (Those sections are still as written in err.config, so no risk is judged from them.)
        _warn(risks_for(path, err.config))
        if isinstance(err.config, AgentConfig):
            _warn(trust_risks(path, err.config))
        raise
    config = loaded.config
    _warn(risks_for(path, config))
    if isinstance(config, AgentConfig):
        _warn(plugin_action_risks(path, config, loaded.plugins))
        _warn(trust_risks(path, config))
    kind = "relay" if isinstance(config, RelayConfig) else "agent"
    print(f"{path}: ok ({kind} config)")
    return 0


def register(commands) -> None:
    p = commands.add_parser("check", help="validate a relay or agent config and warn about production risks")
    p.add_argument("--config", required=True, help="the config file")
    p.set_defaults(run=check)
