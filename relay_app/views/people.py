"""How people look on the wire (API.md "member", "invitation", "recovery", "managed user", workspace)."""

from __future__ import annotations

from typing import Any

from mobile_codex.core.records import Workspace

from ..services.people_records import InvitationInfo, ManagedUser, Member, OwnMembership, RecoveryInfo
from .auth import workspace_rows


def workspace_view(workspace: Workspace) -> dict[str, Any]:
    return {
        "workspaceId": workspace.workspace_id, "name": workspace.name,
        "createdAt": workspace.created_at, "archivedAt": workspace.archived_at,
        "requireSecondApprover": workspace.require_second_approver,  # ours (issue 18)
    }  # fmt: skip


def member_view(member: Member) -> dict[str, Any]:
    membership = member.membership
    return {
        "membershipId": membership.membership_id,
        "userId": membership.user_id,
        "displayName": member.display_name,
        "role": membership.role,
        "createdAt": membership.created_at,
        "lastSignInAt": member.last_sign_in_at,  # ours (issue 21); null: not since the relay kept it
    }


def own_membership_view(own: OwnMembership) -> dict[str, Any]:
    """GET /api/auth/memberships (ours, issue 21): one of the caller's memberships."""
    inviter = own.invited_by
    return {
        "membershipId": own.membership.membership_id,
        "workspaceId": own.workspace.workspace_id,
        "name": own.workspace.name,
        "role": own.membership.role,
        "createdAt": own.membership.created_at,
        "invitedBy": None if inviter is None else {"userId": inviter.user_id, "displayName": inviter.display_name},
        "current": own.current,
        "lastOwner": own.last_owner,
    }


def invitation_view(info: InvitationInfo) -> dict[str, Any]:
    invitation = info.invitation
    return {
        "inviteId": invitation.invite_id,
        "type": invitation.type,
        "workspaceId": invitation.workspace_id,
        "workspaceName": info.workspace_name,
        "role": invitation.role,
        "note": invitation.note,
        "createdAt": invitation.created_at,
        "expiresAt": invitation.expires_at,
        "usedAt": invitation.used_at,
        "revokedAt": invitation.revoked_at,
        "createdByDisplayName": info.created_by_name,
    }


def recovery_view(info: RecoveryInfo) -> dict[str, Any]:
    recovery = info.recovery
    return {
        "recoveryId": recovery.recovery_id,
        "userId": recovery.user_id,
        "note": recovery.note,
        "createdAt": recovery.created_at,
        "expiresAt": recovery.expires_at,
        "usedAt": recovery.used_at,
        "revokedAt": recovery.revoked_at,
        "createdByDisplayName": info.created_by_name,
    }


def managed_user_view(managed: ManagedUser) -> dict[str, Any]:
    user = managed.user
    return {
        "userId": user.user_id,
        "displayName": user.display_name,
        "createdAt": user.created_at,
        "disabledAt": user.disabled_at,
        "isRelayOwner": managed.is_relay_owner,
        "passkeyCount": managed.passkey_count,
        "activeSessionCount": managed.active_session_count,
        "activeRecovery": recovery_view(managed.active_recovery) if managed.active_recovery else None,
        "lastWorkspaceId": user.last_workspace_id or "",
        "lastWorkspaceName": managed.last_workspace_name,
        "lastSignInAt": user.last_sign_in_at,  # ours (issue 21)
        "memberships": workspace_rows(managed.memberships),
    }
