"""POST /api/agent/passkeys (ours, issue 20): the passkeys of the agent's workspace's members.

`mobile-codex agent trust` lists them with fingerprints so the operator, on the server, can add the
ones whose fingerprint their phone showed; the agent then verifies signed intents against the public
keys it copied (agent_app/trust_store.py), never against what a later listing says. Only the
revocation of a trusted passkey is read from here again, and it only ever takes trust away.

A revoked passkey stays listed as a tombstone with its `revokedAt`, so the agent sees the revocation
rather than silence; a trusted passkey missing from the listing altogether (its user deleted) is
marked revoked upstream just the same (docs/security.md).
"""

from __future__ import annotations

from typing import Any

from webauthn.helpers import bytes_to_base64url, decode_credential_public_key

from mobile_codex.core.records import Passkey

from ..context import RelayContext
from ..services.passkeys import verifying_key


def _alg(passkey: Passkey) -> int | None:
    try:
        return int(decode_credential_public_key(verifying_key(passkey)).alg)
    except Exception:  # a key this relay cannot read: listed, but no agent can use it
        return None


def passkey_entry(passkey: Passkey, display_name: str) -> dict[str, Any]:
    try:
        public_key = passkey.public_key or bytes_to_base64url(verifying_key(passkey))
    except Exception:
        public_key = ""
    return {
        "passkeyId": passkey.passkey_id, "credentialId": passkey.credential_id, "userId": passkey.user_id,
        "displayName": display_name, "publicKey": public_key, "alg": _alg(passkey), "signCount": passkey.sign_count,
        "createdAt": passkey.created_at, "revokedAt": passkey.revoked_at,
    }  # fmt: skip


class AgentPasskeys:
    action = "agent"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        workspace_id = req.context.agent.agent.workspace_id
        entries = []
        with self.ctx.store.transaction(write=False) as tx:
            members = tx.memberships.find(workspace_id=workspace_id)
            for user_id in sorted({m.user_id for m in members if m.revoked_at is None}):
                user = tx.users.get(user_id)
                if user is None or user.disabled_at is not None:
                    continue
                for passkey in tx.passkeys.find(user_id=user_id, order_by="created_at"):
                    entries.append(passkey_entry(passkey, user.display_name))
        resp.media = {"ok": True, "passkeys": entries}


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/agent/passkeys", AgentPasskeys(ctx))
