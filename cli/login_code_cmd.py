"""`login-code [--config F]`: mint a one-time owner login code and print the sign-in URL."""

from __future__ import annotations

from pathlib import Path

from mobile_codex.core.timeutil import system_clock
from mobile_codex.relay_app.services.bootstrap import ensure_bootstrap
from mobile_codex.relay_app.services.login_codes import mint_login_code, sign_in_url

from . import paths
from .loading import load_with_plugins
from .relay_runtime import command_store


def run_login_code(args) -> int:
    loaded = load_with_plugins(Path(args.config) if args.config else paths.default_relay_config(), "relay")
    config = loaded.config
    with command_store(config, loaded.plugins, "write the login code") as store:
        ensure_bootstrap(store, system_clock)  # a store the relay never opened has no owner yet
        code = mint_login_code(store, system_clock)
    print(sign_in_url(config.public_origin, code))
    print("Open it on your phone within 15 minutes; it signs in once.")
    return 0


def register(commands) -> None:
    p = commands.add_parser("login-code", help="mint a one-time owner sign-in link")
    p.add_argument("--config", help="relay config (default: the user config dir's relay.json)")
    p.set_defaults(run=run_login_code)
