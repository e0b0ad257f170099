"""`agent [--config F] [--relay URL] [--pair-code CODE]`: pair if asked, then poll the relay and run tasks.

On a fresh machine `--relay URL --pair-code CODE` first writes the agent config (init-agent's
test-mode defaults, the current directory as workspace) and says where, so the one command the
phone shows is all a new server needs. An existing config is used as it is; `--relay` naming
another relay than the config's is refused rather than pairing against the wrong one.

Exit codes (PRODUCT.md): 2 config or usage (also: not paired and no code), 3 pairing rejected,
4 pairing code or request expired, 5 token revoked or invalid, 1 any other refusal or a token that
cannot be saved (I/O error); SIGTERM or Ctrl-C stops the agent cleanly with 0.
"""

from __future__ import annotations

import signal
import socket
import threading
from pathlib import Path

from mobile_codex.agent_app.agent import build_agent, token_store_for
from mobile_codex.agent_app.errors import PairingExpired, PairingRefused, PairingRejected, TokenNotSaved, TokenRevoked
from mobile_codex.agent_app.pairing import pair
from mobile_codex.agent_app.relay_client import RelayClient
from mobile_codex.agent_app.token_store import ENV_TOKEN, initial_token
from mobile_codex.core.config import AgentConfig, load_agent_config
from mobile_codex.plugins.logs.file_tail import FileLogConfig

from . import paths
from .agent_trust_cmd import register_trust
from .exit_codes import (PAIRING_EXPIRED, PAIRING_REJECTED, RUNTIME_FAILURE, TOKEN_REVOKED, USAGE_OR_CONFIG,
                         CommandFailed)  # fmt: skip
from .files import write_private_json
from .init_cmd import agent_config_document, safe_agent_id, validated
from .loading import load_with_plugins
from .production_risks import is_plain_http_to_another_host


def say(message: str) -> None:
    print(message, flush=True)


def warn(message: str) -> None:
    import sys

    print(f"warning: {message}", file=sys.stderr, flush=True)


def check_at_start(path: Path, config: AgentConfig) -> None:
    """What PRODUCT.md checks when the agent starts rather than when the file is parsed."""
    if not Path(config.workspace_root).is_dir():
        raise CommandFailed(f"{path}: workspaceRoot: {config.workspace_root} is not a directory", USAGE_OR_CONFIG)
    for source_id, source in config.log_sources.items():
        if isinstance(source, FileLogConfig) and not Path(source.path).is_file():
            warn(f"{path}: logSources.{source_id}.path: {source.path} does not exist (yet); reading it fails until it does")


def obtain_token(config: AgentConfig, pair_code: str | None, config_path: Path) -> str:
    store = token_store_for(config)
    if pair_code:
        try:
            token = pair(RelayClient(config.relay_base_url), config, pair_code, say=say)
        except PairingRejected as err:
            raise CommandFailed(str(err), PAIRING_REJECTED) from None
        except PairingExpired as err:
            raise CommandFailed(f"{err}; create a new pairing code on your phone", PAIRING_EXPIRED) from None
        except PairingRefused as err:
            raise CommandFailed(str(err), RUNTIME_FAILURE) from None
        try:
            store.save(token)
        except TokenNotSaved as err:  # the relay never shows this token again
            raise CommandFailed(
                f"paired, but {err}; make stateDir writable, revoke agent {config.agent_id} on your phone "
                "and pair again with a new code",
                RUNTIME_FAILURE,
            ) from None
        say(f"paired as {config.agent_id}; token saved in {store.path}")
        return token
    token = initial_token(store)
    if not token:
        raise CommandFailed(
            f"not paired yet: create a pairing code on your phone, then run "
            f"`mobile-codex agent --config {config_path} --pair-code CODE` (or set {ENV_TOKEN})",
            USAGE_OR_CONFIG,
        )
    return token


def ensure_config(path: Path, relay: str | None, pair_code: str | None) -> None:
    """Write the config a fresh machine lacks when `--relay` says where to; check it otherwise."""
    if path.exists():
        if relay:
            named = load_agent_config(path).relay_base_url
            if named.rstrip("/") != relay.rstrip("/"):
                raise CommandFailed(
                    f"{path} is for relay {named}, not {relay}: pass --config with a new file to pair with {relay}",
                    USAGE_OR_CONFIG,
                )  # fmt: skip
        return
    if not relay:
        raise CommandFailed(
            f"{path}: file not found; on a new machine run `mobile-codex agent --relay URL --pair-code CODE` "
            "(the command your phone shows), or write one with `mobile-codex init-agent`",
            USAGE_OR_CONFIG,
        )  # fmt: skip
    if not pair_code:
        raise CommandFailed("--relay writes a new agent config only together with --pair-code", USAGE_OR_CONFIG)
    document = agent_config_document(relay, Path.cwd().resolve(), safe_agent_id(socket.gethostname()))
    validated(AgentConfig, document, path)
    write_private_json(path, document)
    say(f"wrote agent config {path} (workspace {document['workspaceRoot']}, write mode off; edit it to change that)")
    if is_plain_http_to_another_host(relay):
        warn(f"{relay} is plain http to another machine: the agent token would cross the network unencrypted; use https")


def run_agent(args) -> int:
    path = Path(args.config) if args.config else paths.default_agent_config()
    ensure_config(path, args.relay, args.pair_code)
    loaded = load_with_plugins(path, "agent")  # a bad section or a duplicate id stops the start (exit 2)
    config, plugins = loaded.config, loaded.plugins
    check_at_start(path, config)
    token = obtain_token(config, args.pair_code, path)
    agent = build_agent(config, plugins, token=token, say=say)
    if not agent.codex.binary.available:
        warn(f"codex binary {config.codex.binary!r} not found: Codex tasks will fail with codex-not-installed")
    if threading.current_thread() is threading.main_thread():
        # The handler runs on this thread, which is the one polling: it only wakes a helper that
        # stops the agent, since Poller.stop takes a lock the interrupted poll loop may hold.
        stop = threading.Event()
        threading.Thread(target=lambda: (stop.wait(), agent.stop()), name="stopper", daemon=True).start()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda signum, frame: stop.set())
    say(f"agent {config.agent_id} polling {config.relay_base_url} (workspace {config.workspace_root})")
    try:
        agent.run()
    except TokenRevoked as err:
        raise CommandFailed(
            f"{err}: the agent was revoked or its token is invalid; pair it again with "
            f"`mobile-codex agent --config {path} --pair-code CODE`",
            TOKEN_REVOKED,
        ) from None
    except TokenNotSaved as err:
        raise CommandFailed(
            f"{err}; the agent stopped (its current token still works until it expires): make stateDir "
            "writable and start it again",
            RUNTIME_FAILURE,
        ) from None
    say("agent stopped")
    return 0


def register(commands) -> None:
    p = commands.add_parser("agent", help="run the agent (pair first with --pair-code)")
    p.add_argument("--config", help="agent config (default: the user config dir's agent.json)")
    p.add_argument("--relay", help="relay URL; with --pair-code on a new machine, writes the agent config first")
    p.add_argument("--pair-code", help="pairing code shown on the phone (XXXX-XXXX)")
    p.set_defaults(run=run_agent)
    register_trust(p.add_subparsers(dest="agent_command", metavar="{trust}"))
