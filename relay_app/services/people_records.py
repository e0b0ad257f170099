"""The typed values the people service returns, and how they are read inside its transaction.

Each carries the names the phone shows beside a record (a display name, a workspace name), read
from the same snapshot as the record itself; `views/people.py` renders them.
"""

from __future__ import annotations

import attrs

from mobile_codex.core.records import Invitation, Membership, RecoveryCode, RelayMeta, User, Workspace
from mobile_codex.core.store import Transaction

from .auth_state import AuthState, WorkspaceMembership, memberships_of
from .callers import Caller, is_relay_owner
from .memberships import invitation_of, is_last_owner
from .recovery import active_recovery_codes


@attrs.frozen(kw_only=True)
class Member:
    membership: Membership
    display_name: str
    last_sign_in_at: str | None  # owners see when each member last signed in (issue 21)


@attrs.frozen(kw_only=True)
class Inviter:
    user_id: str
    display_name: str  # "" once that user is deleted


@attrs.frozen(kw_only=True)
class OwnMembership:
    """One of the caller's own memberships, as "My workspaces" shows it (issue 21)."""

    membership: Membership
    workspace: Workspace
    invited_by: Inviter | None  # None: they made the workspace, or are the bootstrap owner
    current: bool  # the session's current workspace
    last_owner: bool  # its only owner: leaving is refused


@attrs.frozen(kw_only=True)
class InvitationInfo:
    invitation: Invitation
    workspace_name: str  # "" for account invites
    created_by_name: str


@attrs.frozen(kw_only=True)
class RecoveryInfo:
    recovery: RecoveryCode
    created_by_name: str


@attrs.frozen(kw_only=True)
class ManagedUser:
    """A user as relay owners manage them."""

    user: User
    is_relay_owner: bool
    passkey_count: int
    active_session_count: int
    active_recovery: RecoveryInfo | None  # the one usable code, if any
    last_workspace_name: str
    memberships: tuple[WorkspaceMembership, ...]


@attrs.frozen(kw_only=True)
class IssuedInvitation:
    code: str  # shown once, stored only hashed
    invitation: InvitationInfo


@attrs.frozen(kw_only=True)
class IssuedRecoveryCode:
    code: str  # shown once, stored only hashed
    recovery: RecoveryInfo
    user: ManagedUser


@attrs.frozen(kw_only=True)
class SessionsEnded:
    count: int
    user: ManagedUser


@attrs.frozen(kw_only=True)
class WorkspaceCreated:
    workspace: Workspace
    auth: AuthState  # the creator, switched to it


@attrs.frozen(kw_only=True)
class PeopleView:
    """The people parts of the state view, as far as the caller may see them."""

    members: tuple[Member, ...] = ()
    invitations: tuple[InvitationInfo, ...] = ()
    users: tuple[ManagedUser, ...] = ()


def _display_name(tx: Transaction, user_id: str | None) -> str:
    user = tx.users.get(user_id) if user_id else None
    return user.display_name if user else ""


def _workspace_name(tx: Transaction, workspace_id: str | None) -> str:
    workspace = tx.workspaces.get(workspace_id) if workspace_id else None
    return workspace.name if workspace else ""


def read_member(tx: Transaction, membership: Membership) -> Member:
    user = tx.users.get(membership.user_id)
    return Member(
        membership=membership, display_name=user.display_name if user else "",
        last_sign_in_at=user.last_sign_in_at if user else None,
    )  # fmt: skip


def read_own_memberships(tx: Transaction, caller: Caller) -> tuple[OwnMembership, ...]:
    """The caller's active memberships in live workspaces, oldest first."""
    rows = []
    for row in memberships_of(tx, caller.user.user_id):
        invitation = invitation_of(tx, row.membership)
        inviter = None
        if invitation is not None:
            inviter = Inviter(user_id=invitation.created_by_user_id, display_name=_display_name(tx, invitation.created_by_user_id))
        rows.append(OwnMembership(
            membership=row.membership, workspace=row.workspace, invited_by=inviter,
            current=row.workspace.workspace_id == caller.workspace_id, last_owner=is_last_owner(tx, row.membership),
        ))  # fmt: skip
    return tuple(rows)


def read_invitation(tx: Transaction, invitation: Invitation) -> InvitationInfo:
    return InvitationInfo(
        invitation=invitation, workspace_name=_workspace_name(tx, invitation.workspace_id),
        created_by_name=_display_name(tx, invitation.created_by_user_id),
    )  # fmt: skip


def read_recovery(tx: Transaction, recovery: RecoveryCode) -> RecoveryInfo:
    return RecoveryInfo(recovery=recovery, created_by_name=_display_name(tx, recovery.created_by_user_id))


def read_managed_user(tx: Transaction, user: User, *, meta: RelayMeta, now: str) -> ManagedUser:
    active = active_recovery_codes(tx, user.user_id, now)
    sessions = tx.sessions.find(user_id=user.user_id)
    return ManagedUser(
        user=user,
        is_relay_owner=is_relay_owner(meta, user.user_id),
        passkey_count=tx.passkeys.count(user_id=user.user_id, revoked_at=None),
        active_session_count=sum(1 for session in sessions if session.expires_at > now),
        active_recovery=read_recovery(tx, active[0]) if active else None,
        last_workspace_name=_workspace_name(tx, user.last_workspace_id),
        memberships=memberships_of(tx, user.user_id),
    )
