"""The `auth` object of API.md, returned by most endpoints."""

from __future__ import annotations

from typing import Any

from mobile_codex.core.config import RelayConfig
from mobile_codex.core.records import Passkey
from mobile_codex.core.store import Transaction

from ..http.cookies import cookie_name
from .permissions import permissions
from .sessions import Caller


def display_id(credential_id: str) -> str:
    return credential_id if len(credential_id) <= 18 else f"{credential_id[:8]}…{credential_id[-6:]}"


def passkey_view(passkey: Passkey) -> dict[str, Any]:
    return {
        "passkeyId": passkey.passkey_id,
        "displayId": display_id(passkey.credential_id),
        "label": passkey.label,
        "createdAt": passkey.created_at,
        "lastUsedAt": passkey.last_used_at,
        "transports": list(passkey.transports),
    }


def workspaces_of(tx: Transaction, user_id: str) -> list[dict[str, Any]]:
    rows = []
    for membership in tx.memberships.find(user_id=user_id, revoked_at=None, order_by="created_at"):
        workspace = tx.workspaces.get(membership.workspace_id)
        if workspace is None or workspace.archived_at is not None:
            continue
        rows.append({
            "membershipId": membership.membership_id, "workspaceId": workspace.workspace_id,
            "name": workspace.name, "role": membership.role, "createdAt": membership.created_at,
        })  # fmt: skip
    return rows


def auth_view(tx: Transaction, config: RelayConfig, caller: Caller | None) -> dict[str, Any]:
    base = {
        "passkeysEnabled": config.auth.passkeys.enabled,
        "recoveryLoginEnabled": True,
        "origin": config.public_origin,
        "rpId": config.rp_id,
        "sessionCookieName": cookie_name(config),
    }
    if caller is None:
        count = tx.passkeys.count()
        return base | {
            "hasPasskeys": count > 0, "passkeyCount": count, "currentUser": None, "isRelayOwner": False,
            "currentWorkspaceId": None, "currentRole": None, "workspaces": [],
            "permissions": {key: False for key in permissions(role=None, is_relay_owner=False, locked=False)},
            "needsPasskeyEnrollment": False, "passkeys": [],
        }  # fmt: skip
    user = caller.user
    passkeys = tx.passkeys.find(user_id=user.user_id, order_by="created_at")
    return base | {
        "hasPasskeys": bool(passkeys),
        "passkeyCount": len(passkeys),
        "currentUser": {"userId": user.user_id, "displayName": user.display_name, "createdAt": user.created_at},
        "isRelayOwner": caller.is_relay_owner,
        "currentWorkspaceId": caller.workspace_id,
        "currentRole": caller.role,
        "workspaces": workspaces_of(tx, user.user_id),
        "permissions": permissions(role=caller.role, is_relay_owner=caller.is_relay_owner, locked=caller.locked),
        "needsPasskeyEnrollment": caller.locked,
        "passkeys": [passkey_view(p) for p in passkeys],
    }
