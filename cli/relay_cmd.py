"""`relay [--config F]`: serve the relay until SIGTERM/SIGINT."""

from __future__ import annotations

from pathlib import Path

from mobile_codex.core.config import load_relay_config
from mobile_codex.core.errors import StorageError
from mobile_codex.relay_app.app import create_app
from mobile_codex.relay_app.server import make_server, open_store, serve_forever

from . import paths
from .exit_codes import RUNTIME_FAILURE, CommandFailed
from .loading import plugins_for


def run_relay(args) -> int:
    config = load_relay_config(Path(args.config) if args.config else paths.default_relay_config())
    plugins = plugins_for(config)
    try:
        store = open_store(config, plugins)
    except StorageError as err:
        raise CommandFailed(f"cannot open storage: {err}", RUNTIME_FAILURE) from None
    try:
        app = create_app(config, store=store)
        try:
            server = make_server(app, config)
        except OSError as err:
            raise CommandFailed(f"cannot listen on {config.listen_host}:{config.listen_port}: {err.strerror}") from None
        serve_forever(server, on_ready=lambda url: print(f"relay listening on {url} (public origin {config.public_origin})", flush=True))
    finally:
        store.close()
    print("relay stopped", flush=True)
    return 0


def register(commands) -> None:
    p = commands.add_parser("relay", help="run the relay")
    p.add_argument("--config", help="relay config (default: the user config dir's relay.json)")
    p.set_defaults(run=run_relay)
