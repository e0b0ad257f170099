"""How people records look on the wire (API.md "member", "invitation", "managed user").

Every function takes the open transaction so names (display names, workspace names) are read
from the same snapshot as the record itself.
"""

from __future__ import annotations

from typing import Any

from mobile_codex.core.records import Invitation, Membership, RecoveryCode, RelayMeta, User, Workspace
from mobile_codex.core.store import Transaction

from ..services.auth_state import memberships_of
from ..services.callers import is_relay_owner
from ..services.recovery import active_recovery_codes
from .auth import workspace_rows


def _display_name(tx: Transaction, user_id: str | None) -> str:
    user = tx.users.get(user_id) if user_id else None
    return user.display_name if user else ""


def _workspace_name(tx: Transaction, workspace_id: str | None) -> str:
    workspace = tx.workspaces.get(workspace_id) if workspace_id else None
    return workspace.name if workspace else ""


def workspace_view(workspace: Workspace) -> dict[str, Any]:
    return {
        "workspaceId": workspace.workspace_id, "name": workspace.name,
        "createdAt": workspace.created_at, "archivedAt": workspace.archived_at,
    }  # fmt: skip


def member_view(tx: Transaction, membership: Membership) -> dict[str, Any]:
    return {
        "membershipId": membership.membership_id,
        "userId": membership.user_id,
        "displayName": _display_name(tx, membership.user_id),
        "role": membership.role,
        "createdAt": membership.created_at,
    }


def invitation_view(tx: Transaction, invitation: Invitation) -> dict[str, Any]:
    return {
        "inviteId": invitation.invite_id,
        "type": invitation.type,
        "workspaceId": invitation.workspace_id,
        "workspaceName": _workspace_name(tx, invitation.workspace_id),
        "role": invitation.role,
        "note": invitation.note,
        "createdAt": invitation.created_at,
        "expiresAt": invitation.expires_at,
        "usedAt": invitation.used_at,
        "revokedAt": invitation.revoked_at,
        "createdByDisplayName": _display_name(tx, invitation.created_by_user_id),
    }


def recovery_view(tx: Transaction, recovery: RecoveryCode) -> dict[str, Any]:
    return {
        "recoveryId": recovery.recovery_id,
        "userId": recovery.user_id,
        "note": recovery.note,
        "createdAt": recovery.created_at,
        "expiresAt": recovery.expires_at,
        "usedAt": recovery.used_at,
        "revokedAt": recovery.revoked_at,
        "createdByDisplayName": _display_name(tx, recovery.created_by_user_id),
    }


def managed_user_view(tx: Transaction, user: User, *, meta: RelayMeta, now: str) -> dict[str, Any]:
    active = active_recovery_codes(tx, user.user_id, now)
    sessions = tx.sessions.find(user_id=user.user_id)
    return {
        "userId": user.user_id,
        "displayName": user.display_name,
        "createdAt": user.created_at,
        "disabledAt": user.disabled_at,
        "isRelayOwner": is_relay_owner(meta, user.user_id),
        "passkeyCount": tx.passkeys.count(user_id=user.user_id),
        "activeSessionCount": sum(1 for session in sessions if session.expires_at > now),
        "activeRecovery": recovery_view(tx, active[0]) if active else None,
        "lastWorkspaceId": user.last_workspace_id or "",
        "lastWorkspaceName": _workspace_name(tx, user.last_workspace_id),
        "memberships": workspace_rows(memberships_of(tx, user.user_id)),
    }
