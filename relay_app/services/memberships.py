"""Revoking a membership (people, via `PeopleService`): `memberships.revoke` in the policy table
says who (an owner of the membership's workspace, their current one, or a relay owner, any). The
last owner of a workspace cannot be removed. The member loses access on their very next request
(sessions look the membership up every time)."""

from __future__ import annotations

import attrs

from mobile_codex.core.records import Membership
from mobile_codex.core.store import Transaction

from ..errors import Conflict, NotFound
from ..policy import reaches
from .callers import Caller


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


def revoke_membership(tx: Transaction, caller: Caller, membership_id: str, now: str) -> str:
    membership = _revocable(tx, caller, membership_id)
    if membership.role == "owner":
        owners = tx.memberships.count(workspace_id=membership.workspace_id, role="owner", revoked_at=None)
        if owners <= 1:
            raise Conflict("last-workspace-owner-protected")
    tx.memberships.put(attrs.evolve(membership, revoked_at=now))
    return membership.membership_id


def workspace_members(tx: Transaction, workspace_id: str) -> list[Membership]:
    """Active members, owners first, then by display name."""
    rank = {"owner": 0, "operator": 1, "viewer": 2}
    members = tx.memberships.find(workspace_id=workspace_id, revoked_at=None)

    def key(membership: Membership) -> tuple:
        user = tx.users.get(membership.user_id)
        return (rank.get(membership.role, 3), (user.display_name.casefold() if user else ""), membership.created_at)

    return sorted(members, key=key)
