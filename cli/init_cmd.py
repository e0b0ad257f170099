"""`init-relay` and `init-agent`: write a working config with safe defaults.

`--mode test` (default) makes a config for this machine: loopback, data under the user's dirs.
`--mode production` makes one for a service account behind a TLS proxy: an https origin,
loopback listen, state under /var/lib/mobile-codex, write mode off. Either way the document is
validated before it is written and loaded back after.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from mobile_codex.core.config import AgentConfig, RelayConfig, load_agent_config, load_document, load_relay_config
from mobile_codex.core.config.schema import Context
from mobile_codex.core.crypto import new_secret, sha256_hex
from mobile_codex.core.features import FeatureFlags
from mobile_codex.core.identity import APP_DIR_NAME
from mobile_codex.core.task_catalog import agent_flags
from mobile_codex.core.web_push import new_vapid_private_key

from . import paths
from .exit_codes import USAGE_OR_CONFIG, CommandFailed
from .files import write_private_json
from .production_risks import is_plain_http_to_another_host

PRODUCTION_ROOT = Path("/var/lib") / APP_DIR_NAME
PRODUCTION_LISTEN_PORT = 8787  # behind the reverse proxy, whatever port the public origin has
LOCAL_PROXY = "127.0.0.1"  # the reverse proxy on this host connects from here


def validated(model: type, document: dict, output: Path) -> None:
    """Refuse to write a document that would not load (exit 2, nothing written): a ConfigError."""
    kind = "relay" if model is RelayConfig else "agent"
    load_document(document, Context(file=str(output), base_dir=output.resolve().parent), kind)


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
        # A relay secret like tokenSecret (the file is mode 0600); changing it invalidates every Web Push device.
        "notifications": {"webPush": {"vapidPrivateKey": new_vapid_private_key()}},
    }
    return document, bootstrap_token


def production_relay_document(document: dict, data_dir: str | None) -> dict:
    """Test-mode `document` made fit for a server: https only, loopback, /var/lib, proxy trusted."""
    if not document["publicOrigin"].startswith("https://"):
        raise CommandFailed(
            f"--mode production needs --origin https://HOST (the phone reaches the relay over TLS), got {document['publicOrigin']!r}",
            USAGE_OR_CONFIG,
        )
    return {
        **document,
        "listenHost": "127.0.0.1",
        "listenPort": PRODUCTION_LISTEN_PORT,
        "dataDir": data_dir or str(PRODUCTION_ROOT / "relay"),
        "features": {**document["features"], "codexExecWrite": False},
        "trustedProxies": [LOCAL_PROXY],
    }


def init_relay(args) -> int:
    output = Path(args.output) if args.output else paths.default_relay_config()
    document, bootstrap_token = relay_config_document(args.origin)
    if args.mode == "production":
        document = production_relay_document(document, args.data_dir)
    elif args.data_dir:
        document["dataDir"] = args.data_dir
    validated(RelayConfig, document, output)
    write_private_json(output, document, force=args.force)
    load_relay_config(output)  # what we wrote must load; a ConfigError here is our bug, shown plainly
    print(f"Wrote relay config: {output}")
    print(f"Bootstrap token (shown once, only its hash is stored): {bootstrap_token}")
    print("Keep it as a break-glass login; sign in with a passkey once you have one.")
    if args.mode == "production":
        print(f"Next: mobile-codex scaffold-production --relay-config {output}")
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
        "features": agent_flags(FeatureFlags()),  # relay-only flags (pairings) have no place here
        "actions": {},
        "logSources": {},
        "plugins": {"allow": []},
    }


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL: the WebAuthn origin of the relay's web app at that address."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


def production_agent_document(document: dict, state_dir: str | None) -> dict:
    """Test-mode `document` made fit for a service account: state (and Codex's home) under /var/lib."""
    if is_plain_http_to_another_host(document["relayBaseUrl"]):
        raise CommandFailed(
            f"--mode production needs --relay https://HOST (or http to this machine), got {document['relayBaseUrl']!r}: "
            "the agent token must not cross the network unencrypted",
            USAGE_OR_CONFIG,
        )
    state = Path(state_dir or PRODUCTION_ROOT / "agent")
    return {
        **document,
        "stateDir": str(state),
        "features": {**document["features"], "codexExecWrite": False},
        # A compromised relay must not be able to run anything here unsigned (docs/security.md); the
        # origin every signature names is pinned now, from the relay this agent is written for.
        "requireSignedIntents": "all",
        "webauthnOrigin": origin_of(document["relayBaseUrl"]),
        # Codex writes its sessions on every run: pin its home where the service may write.
        "codex": {"homeDir": str(state / "codex-home")},
    }


def init_agent(args) -> int:
    output = Path(args.output) if args.output else paths.default_agent_config()
    workspace = Path(args.workspace or ".").expanduser().resolve()
    if not workspace.is_dir():
        raise CommandFailed(f"--workspace: {workspace} is not a directory", USAGE_OR_CONFIG)
    agent_id = args.agent_id or safe_agent_id(socket.gethostname())
    document = agent_config_document(args.relay, workspace, agent_id)
    if args.mode == "production":
        document = production_agent_document(document, args.state_dir)
    elif args.state_dir:
        document["stateDir"] = args.state_dir
    validated(AgentConfig, document, output)
    write_private_json(output, document, force=args.force)
    load_agent_config(output)
    print(f"Wrote agent config: {output}")
    if args.mode == "production":
        print(f"Next: mobile-codex scaffold-production --agent-config {output}")
    return 0


def register(commands) -> None:
    p = commands.add_parser("init-relay", help="write a relay config and print its bootstrap token once")
    p.add_argument("--origin", default="http://localhost:8787", help="publicOrigin (default http://localhost:8787)")
    p.add_argument("--output", help="config file to write (default: the user config dir's relay.json)")
    p.add_argument("--mode", choices=("test", "production"), default="test",
                   help="production: https origin required, loopback listen, dataDir under /var/lib, write mode off")
    p.add_argument("--data-dir", help="dataDir (default: the user data dir; production: /var/lib/mobile-codex/relay)")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.set_defaults(run=init_relay)

    p = commands.add_parser("init-agent", help="write an agent config")
    p.add_argument("--relay", default="http://localhost:8787", help="relayBaseUrl (default http://localhost:8787)")
    p.add_argument("--workspace", help="workspaceRoot (default: the current directory)")
    p.add_argument("--agent-id", help="agentId (default: this host's name made safe)")
    p.add_argument("--output", help="config file to write (default: the user config dir's agent.json)")
    p.add_argument("--mode", choices=("test", "production"), default="test",
                   help="production: stateDir and Codex home under /var/lib, write mode off")
    p.add_argument("--state-dir", help="stateDir (default: the user state dir; production: /var/lib/mobile-codex/agent)")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.set_defaults(run=init_agent)
