"""`up [--workspace DIR] [--port N] [--host H]`: the one-command local start — relay and agent in one process.

Creates test-mode configs in the platformdirs locations if they are absent, serves the relay
(waitress in a thread), pairs and approves the local agent through the relay's own services (no
phone needed), runs the agent against the relay over HTTP like any other agent, and prints the
sign-in URL with a fresh single-use login code on every run. Ctrl-C (or SIGTERM) stops both.
`--port` and `--host` choose where the relay listens for this run (a new relay config is written
with that port); a local `http://localhost`-style public origin follows the port, so the printed
link and the relay's Origin check agree.
This is the only module that imports both apps.
"""

from __future__ import annotations

import signal
import socket
import threading
from pathlib import Path
from urllib.parse import urlsplit

import attrs

from mobile_codex.agent_app.agent import build_agent, token_store_for
from mobile_codex.agent_app.errors import TokenNotSaved, TokenRevoked
from mobile_codex.core.config import AgentConfig, load_relay_config
from mobile_codex.core.timeutil import system_clock
from mobile_codex.relay_app.errors import ApiError
from mobile_codex.relay_app.server import run_server, stop_serving
from mobile_codex.relay_app.services.login_codes import mint_login_code, sign_in_url
from mobile_codex.relay_app.services.pairing import PairBody

from . import paths
from .agent_cmd import check_at_start, say, warn
from .exit_codes import USAGE_OR_CONFIG, CommandFailed
from .files import write_private_json
from .init_cmd import agent_config_document, relay_config_document, safe_agent_id
from .loading import load_with_plugins
from .relay_runtime import relay_listening

UP_NOTE = "mobile-codex up"


LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


def ensure_configs(workspace: Path | None, port: int | None = None) -> tuple[Path, Path]:
    relay_path, agent_path = paths.default_relay_config(), paths.default_agent_config()
    if not relay_path.exists():
        document, bootstrap_token = relay_config_document(f"http://localhost:{port or 8787}")
        write_private_json(relay_path, document)
        say(f"wrote relay config {relay_path}")
        say(f"bootstrap token (shown once, only its hash is stored): {bootstrap_token}")
    if not agent_path.exists():
        relay = load_relay_config(relay_path)
        root = (workspace or Path.cwd()).expanduser().resolve()
        if not root.is_dir():
            raise CommandFailed(f"--workspace: {root} is not a directory", USAGE_OR_CONFIG)
        document = agent_config_document(local_url(relay), root, safe_agent_id(socket.gethostname()))
        # The local agent's signatures name the relay's own origin (signed intents stay off until set).
        document["webauthnOrigin"] = relay.public_origin
        write_private_json(agent_path, document)
        say(f"wrote agent config {agent_path}")
    return relay_path, agent_path


def local_url(relay) -> str:
    host = "127.0.0.1" if relay.listen_host in ("0.0.0.0", "::", "") else relay.listen_host
    return f"http://{'[' + host + ']' if ':' in host else host}:{relay.listen_port}"


def listening_where_asked(relay, port: int | None, host: str | None):
    """The relay config with `--port` / `--host` applied for this run."""
    changes = {}
    if host:
        changes["listen_host"] = host
    if port:
        changes["listen_port"] = port
        origin = urlsplit(relay.public_origin)
        name = origin.netloc.rsplit(":", 1)[0] if origin.port else origin.netloc
        if origin.scheme == "http" and name in LOOPBACK_NAMES:
            changes["public_origin"] = f"http://{name}:{port}"
    return attrs.evolve(relay, **changes)


def pair_through_store(app, config: AgentConfig) -> str:
    """Code, request, approval and token in one go, through the relay's services (no phone)."""
    ctx = app.relay
    with ctx.store.transaction(write=False) as tx:
        workspace_id = tx.users.get(tx.get_meta().bootstrap_user_id).last_workspace_id
        existing = tx.agents.get((workspace_id, config.agent_id))
    if existing is not None and existing.revoked_at is None:
        ctx.services.agents.revoke(workspace_id, config.agent_id)  # its token is lost: replace it
    pairing = ctx.services.pairing
    code = pairing.create_code(workspace_id, note=UP_NOTE).code
    pending = pairing.request(PairBody(
        pairing_code=code, agent_id=config.agent_id, label=config.agent_label, hostname=socket.gethostname(),
        workspace_root_name=Path(config.workspace_root).name,
    ))  # fmt: skip
    pairing.decide(workspace_id, pending.request.request_id, approve=True)
    return pairing.status(pending.request.request_id, pending.request_token).token


def run_up(args) -> int:
    relay_path, agent_path = ensure_configs(Path(args.workspace) if args.workspace else None, args.port)
    relay = load_with_plugins(relay_path, "relay")
    agent = load_with_plugins(agent_path, "agent")
    relay_config = listening_where_asked(relay.config, args.port, args.host)
    agent_config, agent_plugins = agent.config, agent.plugins
    if args.port or args.host:
        agent_config = attrs.evolve(agent_config, relay_base_url=local_url(relay_config))
    if args.workspace:
        agent_config = attrs.evolve(agent_config, workspace_root=Path(args.workspace).expanduser().resolve())
    check_at_start(agent_path, agent_config)

    stop = threading.Event()
    with relay_listening(relay_config, relay.plugins) as (app, server):
        threading.Thread(target=run_server, args=(server,), name="relay", daemon=True).start()
        say(f"relay listening on http://{server.effective_host}:{server.effective_port} (public origin {relay_config.public_origin})")

        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda signum, frame: stop.set())
        agent_thread = threading.Thread(target=_run_agent, args=(app, agent_config, agent_plugins, stop), name="agent", daemon=True)
        agent_thread.start()

        say(f"sign in on your phone (one use, 15 minutes): {sign_in_url(relay_config.public_origin, mint_login_code(app.relay.store, system_clock))}")
        say("press Ctrl-C to stop")
        stop.wait()
        agent_thread.join(20)  # the agent first: its last reports go to this relay
        stop_serving(app, server)
    say("stopped")
    return 0


def _run_agent(app, config: AgentConfig, plugins, stop: threading.Event) -> None:
    """Run the local agent until `stop`; re-pair it (once per start) when its token stopped working."""
    tokens = token_store_for(config)
    token = tokens.load()
    repaired = False
    while not stop.is_set():
        if token is None:
            try:
                token = pair_through_store(app, config)
                tokens.save(token)
            except ApiError as err:  # e.g. pairings-disabled in the relay config
                warn(f"agent: the local relay refused to pair it ({err.code}); stopping the agent (the relay keeps running)")
                return
            except TokenNotSaved as err:
                warn(f"agent: {err}; stopping the agent (the relay keeps running)")
                return
            say(f"agent {config.agent_id} paired with the local relay")
            repaired = True
        agent = build_agent(config, plugins, token=token, say=lambda message: say(f"agent: {message}"))
        watcher = threading.Thread(target=lambda: (stop.wait(), agent.stop()), daemon=True)
        watcher.start()
        try:
            agent.run()
            return
        except TokenNotSaved as err:
            warn(f"agent: {err}; stopping the agent (the relay keeps running)")
            return
        except TokenRevoked as err:
            if repaired:
                warn(f"agent: {err}; stopping the agent (the relay keeps running)")
                return
            token = None


def register(commands) -> None:
    p = commands.add_parser("up", help="start relay and agent locally and print a sign-in link")
    p.add_argument("--workspace", help="workspace for the local agent (default: the agent config's, else the current directory)")
    p.add_argument("--port", type=int, help="port the relay listens on for this run (default: the relay config's, 8787 for a new one)")
    p.add_argument("--host", help="address the relay listens on for this run (default: the relay config's, 127.0.0.1)")
    p.set_defaults(run=run_up)
