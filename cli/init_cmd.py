"""`init-relay` and `init-agent`: write a working config with safe defaults."""

from __future__ import annotations

import re
import socket
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from mobile_codex.core.config import load_agent_config, load_relay_config
from mobile_codex.core.config.relay import APP_DIR_NAME
from mobile_codex.core.crypto import new_secret, sha256_hex
from mobile_codex.core.features import FeatureFlags

from . import paths
from .exit_codes import RUNTIME_FAILURE, USAGE_OR_CONFIG, CommandFailed
from .files import write_private_json


def _production_not_ready(args) -> None:
    if args.mode == "production":
        raise CommandFailed("--mode production is not implemented yet (arrives with the operations work)", RUNTIME_FAILURE)


def relay_config_document(origin: str) -> tuple[dict, str]:
    """A test-mode relay config for `origin` and the bootstrap token it accepts (shown once)."""
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise CommandFailed(f"--origin: expected scheme://host[:port], got {origin!r}", USAGE_OR_CONFIG)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    bootstrap_token = new_secret(32)
    document = {
        "listenHost": "127.0.0.1",
        "listenPort": port if parts.port else 8787,
        "publicOrigin": f"{parts.scheme}://{parts.netloc}",
        "dataDir": str(Path(platformdirs.user_data_dir(APP_DIR_NAME)) / "relay"),
        "sessionTtlSec": 43200,
        "maxLoginAttemptsPerMinute": 10,
        "maxPairAttemptsPerMinute": 20,
        "bootstrapAdminTokenHash": sha256_hex(bootstrap_token),
        "tokenSecret": new_secret(),
        "features": FeatureFlags().to_dict(),
        "storage": {"backend": "sqlite"},
        "plugins": {"allow": []},
    }
    return document, bootstrap_token


def init_relay(args) -> int:
    _production_not_ready(args)
    output = Path(args.output) if args.output else paths.default_relay_config()
    document, bootstrap_token = relay_config_document(args.origin)
    write_private_json(output, document, force=args.force)
    load_relay_config(output)  # what we wrote must load; a ConfigError here is our bug, shown plainly
    print(f"Wrote relay config: {output}")
    print(f"Bootstrap token (shown once, only its hash is stored): {bootstrap_token}")
    print("Keep it as a break-glass login; sign in with a passkey once you have one.")
    return 0


def safe_agent_id(hostname: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", hostname).strip("-.")[:64]
    return cleaned or "agent"


def agent_config_document(relay: str, workspace: Path, agent_id: str) -> dict:
    return {
        "relayBaseUrl": relay,
        "agentId": agent_id,
        "agentLabel": agent_id,
        "stateDir": str(Path(platformdirs.user_state_dir(APP_DIR_NAME)) / "agent"),
        "workspaceRoot": str(workspace),
        # `pairings` is a relay-side flag; an agent config need not carry it.
        "features": {key: value for key, value in FeatureFlags().to_dict().items() if key != "pairings"},
        "actions": {},
        "logSources": {},
        "plugins": {"allow": []},
    }


def init_agent(args) -> int:
    _production_not_ready(args)
    output = Path(args.output) if args.output else paths.default_agent_config()
    workspace = Path(args.workspace or ".").expanduser().resolve()
    if not workspace.is_dir():
        raise CommandFailed(f"--workspace: {workspace} is not a directory", USAGE_OR_CONFIG)
    agent_id = args.agent_id or safe_agent_id(socket.gethostname())
    document = agent_config_document(args.relay, workspace, agent_id)
    write_private_json(output, document, force=args.force)
    load_agent_config(output)
    print(f"Wrote agent config: {output}")
    return 0


def register(commands) -> None:
    p = commands.add_parser("init-relay", help="write a relay config and print its bootstrap token once")
    p.add_argument("--origin", default="http://localhost:8787", help="publicOrigin (default http://localhost:8787)")
    p.add_argument("--output", help="config file to write (default: the user config dir's relay.json)")
    p.add_argument("--mode", choices=("test", "production"), default="test")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.set_defaults(run=init_relay)

    p = commands.add_parser("init-agent", help="write an agent config")
    p.add_argument("--relay", default="http://localhost:8787", help="relayBaseUrl (default http://localhost:8787)")
    p.add_argument("--workspace", help="workspaceRoot (default: the current directory)")
    p.add_argument("--agent-id", help="agentId (default: this host's name made safe)")
    p.add_argument("--output", help="config file to write (default: the user config dir's agent.json)")
    p.add_argument("--mode", choices=("test", "production"), default="test")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.set_defaults(run=init_agent)
