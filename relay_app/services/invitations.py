"""Invitations: workspace invites (a role in one workspace) and account invites (a new user, no workspace).

Who may (the policy table's `invitations.workspace` or `invitations.account`, picked by `rule_of`):
- a workspace invite is made and revoked by an owner of the caller's current workspace; it always
  invites into that workspace, and one of another workspace is not found (404) — for relay owners too;
- an account invite is made and revoked by a relay owner (relay-wide).
Redeeming: without a session the code makes a new user (plus the membership of a workspace invite);
with a session only a workspace invite can be redeemed, adding a membership and switching to it.
A code works once, until it expires or is revoked.
Quotas (docs/security.md): at most `limits.maxActiveInvitationsPerWorkspace` active invites per
workspace (account invites share one such pool) and `limits.maxInvitationCreatesPerUserPerMinute`
creates per user; past either, 429 `too-many-invitations`.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from mobile_codex.core.crypto import new_id
from mobile_codex.core.records import Invitation, User
from mobile_codex.core.store import Transaction
from mobile_codex.core.timeutil import iso, iso_after

from ..errors import Conflict, NotFound, TooManyRequests, Unauthorized
from ..policy import allows, enforce, reaches
from .audit_trail import note
from .bootstrap import new_user_handle
from .one_time_codes import find_active, mint_code
from .callers import Caller, active_membership
from .sessions import move_session
from .workspaces import add_membership

INVITE_TYPES = ("workspace", "account")
TTL_DEFAULT, TTL_MIN, TTL_MAX = 86400, 300, 604800


def rule_of(invite_type: str) -> str:
    """The policy table's rule for making, seeing and revoking invites of this type."""
    return "invitations.account" if invite_type == "account" else "invitations.workspace"


def _active(tx: Transaction, invite_type: str, workspace_id: str | None, now: str) -> list[Invitation]:
    """Unspent, unrevoked, unexpired invites of one type — of one workspace for workspace invites.

    Looked up by type and workspace (an index in sqlite), never by reading every invitation."""
    where = {"workspace_id": workspace_id} if invite_type == "workspace" else {}
    found = tx.invitations.find(type=invite_type, used_at=None, revoked_at=None, **where)
    return [invitation for invitation in found if invitation.expires_at > now]


def create_invitation(
    tx: Transaction, caller: Caller, *, invite_type: str, role: str, note: str, ttl_sec: int, now: datetime,
    max_active: int,
) -> tuple[str, Invitation]:
    """(the code, shown once; the stored invitation): a workspace invite is always for the caller's
    current workspace. The caller passed `rule_of(invite_type)` first. 429 `too-many-invitations`
    when `max_active` invites of the workspace (or account invites) are already active."""
    workspace_id = caller.workspace_id if invite_type == "workspace" else ""
    if len(_active(tx, invite_type, workspace_id, iso(now))) >= max_active:
        raise TooManyRequests("too-many-invitations")
    code, code_hash = mint_code()
    invitation = Invitation(
        invite_id=new_id("invite"), type=invite_type, workspace_id=workspace_id,
        role=role if invite_type == "workspace" else "", note=note, code_hash=code_hash,
        created_at=iso(now), expires_at=iso_after(now, ttl_sec), created_by_user_id=caller.user.user_id,
    )  # fmt: skip
    tx.invitations.put(invitation)
    return code, invitation


def revoke_invitation(tx: Transaction, caller: Caller, invite_id: str, now: str) -> Invitation:
    invitation = tx.invitations.get(invite_id)
    if invitation is None:
        raise NotFound("invitation-not-found")
    rule = rule_of(invitation.type)
    if not reaches(caller, rule, invitation.workspace_id):
        raise NotFound("invitation-not-found")  # never reveal another workspace's invites
    enforce(caller, rule)  # in reach, but their role there may be too low
    if invitation.revoked_at is None:
        invitation = attrs.evolve(invitation, revoked_at=now)
        tx.invitations.put(invitation)
    return invitation


def _spend(tx: Transaction, code: str, now: str) -> Invitation:
    invitation = find_active(tx.invitations, code, now)
    if invitation is None:
        raise Unauthorized("invalid-invite-code")
    return invitation


def redeem_as_new_user(tx: Transaction, code: str, display_name: str, now: str) -> User:
    """A new user from the code (a member of the invite's workspace for workspace invites)."""
    invitation = _spend(tx, code, now)
    joins = invitation.type == "workspace"
    user = User(
        user_id=new_id("user"), user_handle=new_user_handle(), display_name=display_name, created_at=now,
        last_workspace_id=invitation.workspace_id if joins else None,
    )  # fmt: skip
    tx.users.put(user)
    _note_used(tx, invitation, user.user_id, now)
    if joins:
        add_membership(
            tx, user_id=user.user_id, workspace_id=invitation.workspace_id, role=invitation.role, now=now, by=user.user_id
        )
    tx.invitations.put(attrs.evolve(invitation, used_at=now, redeemed_by_user_id=user.user_id))
    return user


def _note_used(tx: Transaction, invitation: Invitation, user_id: str, now: str) -> None:
    note(tx, "invitation.used", at=now, workspace_id=invitation.workspace_id, record=("invitation", invitation.invite_id),
         actor=user_id, type=invitation.type)


def redeem_into_session(tx: Transaction, caller: Caller, code: str, now: str) -> None:
    """The signed-in caller joins the invite's workspace, which becomes their current one."""
    invitation = _spend(tx, code, now)
    if invitation.type != "workspace":
        raise Conflict("already-authenticated-use-workspace-invite-only")
    user_id = caller.user.user_id
    if active_membership(tx, user_id, invitation.workspace_id) is not None:
        raise Conflict("already-workspace-member")
    _note_used(tx, invitation, user_id, now)
    add_membership(tx, user_id=user_id, workspace_id=invitation.workspace_id, role=invitation.role, now=now)
    tx.invitations.put(attrs.evolve(invitation, used_at=now, redeemed_by_user_id=user_id))
    move_session(tx, caller.session, invitation.workspace_id)


def visible_invitations(tx: Transaction, caller: Caller, now: str) -> list[Invitation]:
    """Active invitations the caller may manage, newest first (for the state view): the current
    workspace's for its owners, account invites for relay owners — nothing else is read."""
    shown: list[Invitation] = []
    if caller.workspace_id and allows(caller, rule_of("workspace")):
        shown += _active(tx, "workspace", caller.workspace_id, now)
    if allows(caller, rule_of("account")):
        shown += _active(tx, "account", None, now)
    shown.sort(key=lambda invitation: invitation.invite_id)  # the store's order: ties by key ...
    shown.sort(key=lambda invitation: invitation.created_at, reverse=True)  # ... newest first (stable)
    return shown
