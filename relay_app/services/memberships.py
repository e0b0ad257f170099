"""Ending a membership (people, via `PeopleService`), and one's own memberships.

Revoking: `memberships.revoke` in the policy table says who (an owner of the membership's
workspace, their current one, or a relay owner, any). Leaving (issue 21): `memberships.own`, a
person ends one of their own. Either way the last owner of a workspace stays (409), and the member
loses access on their very next request (sessions look the membership up every time); their
sessions that were in the workspace move on to their next one, so they keep working elsewhere.
"""

from __future__ import annotations

import attrs

from mobile_codex.core.records import Invitation, Membership
from mobile_codex.core.store import Transaction

from ..errors import Conflict, NotFound
from ..policy import reaches
from .callers import Caller
from .sessions import first_workspace


def _revocable(tx: Transaction, caller: Caller, membership_id: str) -> Membership:
    membership = tx.memberships.get(membership_id)
    if membership is None or membership.revoked_at is not None:
        raise NotFound("membership-not-found")
    workspace = tx.workspaces.get(membership.workspace_id)
    if workspace is None or workspace.archived_at is not None or tx.users.get(membership.user_id) is None:
        raise NotFound("membership-not-found")
    if not reaches(caller, "memberships.revoke", membership.workspace_id):
        raise NotFound("membership-not-found")  # never reveal another workspace's members
    return membership


def is_last_owner(tx: Transaction, membership: Membership) -> bool:
    """Whether `membership` is the only active owner of its workspace (it must stay)."""
    if membership.role != "owner":
        return False
    return tx.memberships.count(workspace_id=membership.workspace_id, role="owner", revoked_at=None) <= 1


def revoke_membership(tx: Transaction, caller: Caller, membership_id: str, now: str) -> str:
    membership = _revocable(tx, caller, membership_id)
    if is_last_owner(tx, membership):
        raise Conflict("last-workspace-owner-protected")
    tx.memberships.put(attrs.evolve(membership, revoked_at=now))
    _move_sessions_on(tx, membership)
    return membership.membership_id


def own_membership(tx: Transaction, caller: Caller, membership_id: str) -> Membership:
    """One of the caller's active memberships in a live workspace; anyone else's is not found (404)."""
    membership = tx.memberships.get(membership_id)
    if membership is None or membership.revoked_at is not None or membership.user_id != caller.user.user_id:
        raise NotFound("membership-not-found")
    workspace = tx.workspaces.get(membership.workspace_id)
    if workspace is None or workspace.archived_at is not None:
        raise NotFound("membership-not-found")
    return membership


def leave(tx: Transaction, caller: Caller, membership_id: str, now: str) -> Membership:
    """The caller leaves one of their workspaces: 409 `last-owner` for its only owner. Their
    sessions there (this one and other devices) move to their next workspace, or to none."""
    membership = own_membership(tx, caller, membership_id)
    if is_last_owner(tx, membership):
        raise Conflict("last-owner")
    tx.memberships.put(attrs.evolve(membership, revoked_at=now))
    _move_sessions_on(tx, membership)
    return membership


def _move_sessions_on(tx: Transaction, ended: Membership) -> None:
    """After `ended` (already revoked in `tx`): the person's sessions in its workspace, on every
    device, and their usual workspace move to their next workspace, or to none."""
    user = tx.users.get(ended.user_id)
    if user.last_workspace_id == ended.workspace_id:
        user = attrs.evolve(user, last_workspace_id=None)
    next_workspace = first_workspace(tx, user)
    tx.users.put(attrs.evolve(user, last_workspace_id=next_workspace))
    for session in tx.sessions.find(user_id=user.user_id, current_workspace_id=ended.workspace_id):
        tx.sessions.put(attrs.evolve(session, current_workspace_id=next_workspace))


def invitation_of(tx: Transaction, membership: Membership) -> Invitation | None:
    """The workspace invitation whose redemption made `membership` (the latest spent by then), or
    None: the workspace's creator, the bootstrap owner and memberships made by import have none."""
    spent = [
        invitation
        for invitation in tx.invitations.find(redeemed_by_user_id=membership.user_id, workspace_id=membership.workspace_id)
        if invitation.type == "workspace" and invitation.used_at is not None and invitation.used_at <= membership.created_at
    ]
    return max(spent, key=lambda invitation: invitation.used_at, default=None)


def workspace_members(tx: Transaction, workspace_id: str) -> list[Membership]:
    """Active members, owners first, then by display name."""
    rank = {"owner": 0, "operator": 1, "viewer": 2}
    members = tx.memberships.find(workspace_id=workspace_id, revoked_at=None)

    def key(membership: Membership) -> tuple:
        user = tx.users.get(membership.user_id)
        return (rank.get(membership.role, 3), (user.display_name.casefold() if user else ""), membership.created_at)

    return sorted(members, key=key)
