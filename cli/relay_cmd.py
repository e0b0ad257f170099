"""`relay [--config F] [--port N] [--host H]`: serve the relay until SIGTERM/SIGINT.

`--port` and `--host` change only where this process listens, not its public origin: several
replicas of one relay config behind a load balancer each listen on their own loopback port.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from mobile_codex.relay_app.server import serve_forever

from . import paths
from .exit_codes import USAGE_OR_CONFIG, CommandFailed
from .loading import load_with_plugins
from .relay_runtime import relay_listening


def run_relay(args) -> int:
    loaded = load_with_plugins(Path(args.config) if args.config else paths.default_relay_config(), "relay")
    config = loaded.config
    if args.port is not None and not 1 <= args.port <= 65535:
        raise CommandFailed(f"--port: expected 1..65535, got {args.port}", USAGE_OR_CONFIG)
    listen = {"listen_port": args.port, "listen_host": args.host}
    config = attrs.evolve(config, **{key: value for key, value in listen.items() if value is not None})
    with relay_listening(config, loaded.plugins) as (app, server):
        serve_forever(app, server, on_ready=lambda url: print(f"relay listening on {url} (public origin {config.public_origin})", flush=True))
    print("relay stopped", flush=True)
    return 0


def register(commands) -> None:
    p = commands.add_parser("relay", help="run the relay")
    p.add_argument("--config", help="relay config (default: the user config dir's relay.json)")
    p.add_argument("--port", type=int, help="port to listen on for this run (default: the config's listenPort)")
    p.add_argument("--host", help="address to listen on for this run (default: the config's listenHost)")
    p.set_defaults(run=run_relay)
