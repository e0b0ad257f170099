"""`check --config F`: validate a relay or agent config; every problem on its own line, exit 2.

Production risks (cli/production_risks.py) are warnings on stderr, `warning: FILE: KEY: …`;
they never change the exit code.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mobile_codex.core.config import AgentConfig, RelayConfig

from .exit_codes import USAGE_OR_CONFIG
from .loading import load, plugin_issues, plugins_for
from .production_risks import plugin_action_risks, risks_for


def check(args) -> int:
    path = Path(args.config)
    config = load(path)
    for risk in risks_for(path, config):
        print(f"warning: {risk}", file=sys.stderr)
    plugins = plugins_for(config)
    issues = plugin_issues(path, config, plugins)
    for issue in issues:
        print(issue, file=sys.stderr)
    if issues:
        return USAGE_OR_CONFIG
    if isinstance(config, AgentConfig):
        for risk in plugin_action_risks(path, config, plugins):
            print(f"warning: {risk}", file=sys.stderr)
    kind = "relay" if isinstance(config, RelayConfig) else "agent"
    print(f"{path}: ok ({kind} config)")
    return 0


def register(commands) -> None:
    p = commands.add_parser("check", help="validate a relay or agent config and warn about production risks")
    p.add_argument("--config", required=True, help="the config file")
    p.set_defaults(run=check)
