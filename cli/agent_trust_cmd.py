"""`agent trust [--config F] [--add PASSKEY_ID] [--remove PASSKEY_ID] [--json]`: which passkeys may sign.

The trust ceremony of signed intents (issue 20, docs/tutorial.md): the operator, on the server, lists
the passkeys of the agent's workspace (from the relay, with the agent's token), compares each one's
fingerprint with the one their phone showed when it made the passkey, and adds the ones that match.
Only what is added here is trusted (agent_app/trust_store.py); the relay's listing can only mark a
trusted passkey `revoked-upstream`, which stays listed (and refused) until it is removed here.

Exit codes: 2 config or usage (also: an id not listed), 5 the relay refused the agent's token,
1 the relay could not be reached or the trust file not written.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from mobile_codex.agent_app.agent import token_store_for
from mobile_codex.agent_app.relay_client import RelayClient, RelayRefused, RelayUnavailable
from mobile_codex.agent_app.token_store import initial_token
from mobile_codex.agent_app.trust_store import TrustStore, passkey_fingerprint
from mobile_codex.core.config import load_agent_config
from mobile_codex.core.timeutil import iso, system_clock

from . import paths
from .exit_codes import RUNTIME_FAILURE, TOKEN_REVOKED, USAGE_OR_CONFIG, CommandFailed


def _listing(config) -> list[dict]:
    token = initial_token(token_store_for(config))
    if not token:
        raise CommandFailed("not paired yet: pair the agent first (`mobile-codex agent --pair-code CODE`)", USAGE_OR_CONFIG)
    try:
        return RelayClient(config.relay_base_url, token).passkeys()
    except RelayRefused as err:
        code = TOKEN_REVOKED if err.status == 401 else RUNTIME_FAILURE
        raise CommandFailed(f"the relay refused the passkey listing ({err.code})", code) from None
    except RelayUnavailable as err:
        raise CommandFailed(f"relay not reachable: {err}", RUNTIME_FAILURE) from None


def _fingerprint(entry: dict) -> str:
    try:
        return passkey_fingerprint(entry.get("publicKey") or "")
    except ValueError:
        return "(unusable key)"


def rows(listed: list[dict], trusted: list[dict]) -> list[dict]:
    """One row per passkey the relay lists or this agent trusts, with its trust status."""
    by_id = {entry.get("credentialId"): entry for entry in trusted}
    out = []
    for entry in listed:
        held = by_id.pop(entry.get("credentialId"), None)
        status = "untrusted"
        if held is not None:
            status = "revoked-upstream" if held.get("revokedUpstream") or entry.get("revokedAt") else "trusted"
        elif entry.get("revokedAt"):
            status = "revoked"
        out.append({
            "passkeyId": entry.get("passkeyId"), "displayName": entry.get("displayName") or "", "status": status,
            "fingerprint": held["fingerprint"] if held else _fingerprint(entry), "createdAt": entry.get("createdAt"),
        })  # fmt: skip
    for held in by_id.values():  # trusted here, gone from the relay's listing
        out.append({
            "passkeyId": held.get("passkeyId"), "displayName": held.get("displayName") or "",
            "status": "revoked-upstream", "fingerprint": held.get("fingerprint"), "createdAt": None,
        })  # fmt: skip
    return out


def run_trust(args) -> int:
    path = Path(args.config) if args.config else paths.default_agent_config()
    config = load_agent_config(path)
    store = TrustStore(config.state_dir)
    listed = _listing(config)
    try:
        store.note_listing(listed)  # revocations upstream only ever take trust away
        if args.add:
            entry = next((p for p in listed if p.get("passkeyId") == args.add and p.get("revokedAt") is None), None)
            if entry is None:
                raise CommandFailed(f"no live passkey {args.add} in this agent's workspace", USAGE_OR_CONFIG)
            try:
                added = store.add(entry, now=iso(system_clock()))
            except ValueError as err:
                raise CommandFailed(f"passkey {args.add}: {err}", USAGE_OR_CONFIG) from None
            print(f"trusted {added['passkeyId']} ({added['displayName']}), fingerprint {added['fingerprint']}")
        if args.remove:
            if not store.remove(args.remove):
                raise CommandFailed(f"passkey {args.remove} is not trusted on this agent", USAGE_OR_CONFIG)
            print(f"removed {args.remove}")
    except OSError as err:
        raise CommandFailed(f"cannot write {store.path}: {err.strerror or err}", RUNTIME_FAILURE) from None
    table = rows(listed, store.entries())
    if args.json:
        print(json.dumps({"requireSignedIntents": config.require_signed_intents, "passkeys": table}, indent=2))
        return 0
    if not table:
        print("no passkeys in this agent's workspace yet: register one on your phone")
    for row in table:
        print(f"{row['fingerprint']:<19}  {row['status']:<16}  {row['passkeyId']}  {row['displayName']}")
    if config.require_signed_intents == "off":
        print("requireSignedIntents is off in this config: the agent does not check signatures yet")
    return 0


def register_trust(agent_commands) -> None:
    p = agent_commands.add_parser("trust", help="list, add or remove the passkeys this agent trusts to sign intents")
    # SUPPRESS: `agent --config F trust` keeps the F given before the word
    p.add_argument("--config", default=argparse.SUPPRESS, help="agent config (default: the user config dir's agent.json)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--add", metavar="PASSKEY_ID", help="trust this passkey (compare its fingerprint with your phone's)")
    group.add_argument("--remove", metavar="PASSKEY_ID", help="stop trusting this passkey")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=run_trust)
