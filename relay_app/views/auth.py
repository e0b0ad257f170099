"""The `auth` object of API.md, returned by most endpoints."""

from __future__ import annotations

from typing import Any

from mobile_codex.core.config import RelayConfig
from mobile_codex.core.records import Passkey

from ..http.cookies import cookie_name
from ..policy import permissions
from ..services.auth_state import AuthState, WorkspaceMembership


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


def workspace_rows(memberships: tuple[WorkspaceMembership, ...]) -> list[dict[str, Any]]:
    return [
        {
            "membershipId": row.membership.membership_id, "workspaceId": row.workspace.workspace_id,
            "name": row.workspace.name, "role": row.membership.role, "createdAt": row.membership.created_at,
        }  # fmt: skip
        for row in memberships
    ]


def auth_view(config: RelayConfig, state: AuthState) -> dict[str, Any]:
    caller = state.caller
    user = caller.user if caller else None
    return {
        "passkeysEnabled": config.auth.passkeys.enabled,
        "recoveryLoginEnabled": True,
        "origin": config.public_origin,
        "rpId": config.rp_id,
        "sessionCookieName": cookie_name(config),
        "hasPasskeys": state.passkey_count > 0,
        "passkeyCount": state.passkey_count,
        "currentUser": None if user is None else {
            "userId": user.user_id, "displayName": user.display_name, "createdAt": user.created_at,
        },  # fmt: skip
        "isRelayOwner": caller.is_relay_owner if caller else False,
        "currentWorkspaceId": caller.workspace_id if caller else None,
        "currentRole": caller.role if caller else None,
        "workspaces": workspace_rows(state.workspaces),
        "permissions": permissions(caller),
        "needsPasskeyEnrollment": caller.locked if caller else False,
        "passkeys": [passkey_view(p) for p in state.passkeys],
    }


def auth_answer(config: RelayConfig, state: AuthState) -> dict[str, Any]:
    """`{ok, auth}`: how every way in, and every change a session sees, answers."""
    return {"ok": True, "auth": auth_view(config, state)}
