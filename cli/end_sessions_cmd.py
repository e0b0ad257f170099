"""`end-sessions [--config F]`: sign every browser out of the relay (incident response)."""

from __future__ import annotations

from pathlib import Path

from mobile_codex.core.timeutil import iso, system_clock
from mobile_codex.relay_app.services.audit_trail import note
from mobile_codex.relay_app.services.sessions import SessionService

from . import paths
from .loading import load_with_plugins
from .relay_runtime import command_store


def run_end_sessions(args) -> int:
    loaded = load_with_plugins(Path(args.config) if args.config else paths.default_relay_config(), "relay")
    with command_store(loaded.config, loaded.plugins, "end the sessions") as store, store.transaction() as tx:
        ended = SessionService.end_all(tx)
        note(tx, "sessions.ended", at=iso(system_clock()), reason="end-sessions-command", count=ended)
    print(f"ended {ended} session{'' if ended == 1 else 's'}; every phone must sign in again")
    print("(passkey, bootstrap token, or a link from `mobile-codex login-code`)")
    return 0


def register(commands) -> None:
    p = commands.add_parser("end-sessions", help="sign every browser out of the relay (all users)")
    p.add_argument("--config", help="relay config (default: the user config dir's relay.json)")
    p.set_defaults(run=run_end_sessions)
