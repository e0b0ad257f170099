"""`relay [--config F]`: serve the relay until SIGTERM/SIGINT."""

from __future__ import annotations

from pathlib import Path

from mobile_codex.relay_app.server import serve_forever

from . import paths
from .loading import load_with_plugins
from .relay_runtime import relay_listening


def run_relay(args) -> int:
    loaded = load_with_plugins(Path(args.config) if args.config else paths.default_relay_config(), "relay")
    config = loaded.config
    with relay_listening(config, loaded.plugins) as (app, server):
        serve_forever(app, server, on_ready=lambda url: print(f"relay listening on {url} (public origin {config.public_origin})", flush=True))
    print("relay stopped", flush=True)
    return 0


def register(commands) -> None:
    p = commands.add_parser("relay", help="run the relay")
    p.add_argument("--config", help="relay config (default: the user config dir's relay.json)")
    p.set_defaults(run=run_relay)
