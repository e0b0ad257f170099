"""`plugins [--config F] [--json]`: what is installed, what is allowed, what loaded and why not."""

from __future__ import annotations

import json
from pathlib import Path

from mobile_codex.core.config import AgentConfig

from .loading import builtin_plugins, load_with_plugins


def _contributions(config, plugins) -> dict[str, list[dict]]:
    """What the loaded plugins give for this config (agent: actions etc.; relay: backends)."""
    if isinstance(config, AgentConfig):
        groups = {
            "actions": plugins.actions(config),
            "logSources": plugins.log_sources(config),
            "execModes": plugins.exec_modes(config),
        }
    else:
        groups = {"storageBackends": plugins.storage_backends(), "volatileBackends": plugins.volatile_backends()}
    return {name: [{"id": item_id, "plugin": c.plugin} for item_id, c in items.items()] for name, items in groups.items()}


def list_plugins(args) -> int:
    if args.config:
        loaded = load_with_plugins(Path(args.config))  # a bad section or a duplicate id: exit 2
        config, plugins = loaded.config, loaded.plugins
    else:
        config, plugins = None, builtin_plugins()
    rows = [info.to_dict() for info in plugins.report]
    contributions = _contributions(config, plugins) if config is not None else {}
    if args.json:
        print(json.dumps({"plugins": rows, "contributions": contributions}, indent=2))
        return 0
    width = max(len(row["name"]) for row in rows)
    print(f"{'PLUGIN':<{width}}  {'SOURCE':<11}  {'LOADED':<6}  WHY")
    for row in rows:
        loaded = "yes" if row["loaded"] else "no"
        why = row["reason"] + (f" ({', '.join(row['hooks'])})" if row["hooks"] else "")
        print(f"{row['name']:<{width}}  {row['source']:<11}  {loaded:<6}  {why}")
    for group, items in contributions.items():
        listed = ", ".join(f"{item['id']} ({item['plugin']})" for item in items) or "none"
        print(f"{group}: {listed}")
    return 0


def register(commands) -> None:
    p = commands.add_parser("plugins", help="list installed plugins and whether they load")
    p.add_argument("--config", help="judge against this relay or agent config (allowlist, flags)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=list_plugins)
