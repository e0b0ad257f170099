"""The relay's people: workspaces, invitations, memberships, recovery codes and relay users.

`PeopleService` is the one entry point: each method runs in its own transaction and returns a
typed value (`people_records.py`). The rules themselves live in one module per kind of record
(`workspaces.py`, `invitations.py`, `memberships.py`, `recovery.py`, `users.py`), as steps inside
that transaction. Redeeming an invitation or a recovery code signs someone in, through the
session service, in the same transaction.
"""

from __future__ import annotations

from mobile_codex.core.config import RelayConfig
from mobile_codex.core.records import Workspace
from mobile_codex.core.store import Store, Transaction
from mobile_codex.core.timeutil import Clock, iso

from ..errors import Conflict, TooManyRequests
from ..policy import allows
from . import invitations, memberships, recovery, users, workspaces
from .auth_state import AuthState, read_auth_state
from .callers import Caller
from .people_records import (
    InvitationInfo, IssuedInvitation, IssuedRecoveryCode, ManagedUser, OwnMembership, PeopleView, SessionsEnded,
    WorkspaceCreated, read_invitation, read_managed_user, read_member, read_own_memberships, read_recovery,
)  # fmt: skip
from .rate_limit import RateLimiter
from .sessions import SessionService, SignedIn


class PeopleService:
    def __init__(self, store: Store, config: RelayConfig, clock: Clock, *, sessions: SessionService, quotas: RateLimiter):
        self.store = store
        self.config = config
        self.clock = clock
        self.sessions = sessions
        self.quotas = quotas  # per-user budgets, on the relay's clock

    def _now(self) -> str:
        return iso(self.clock())

    @property
    def _lock_new_sessions(self) -> bool:
        """SECURITY.md: a session from a code must register a passkey first, while passkeys are on."""
        return self.config.auth.passkeys.enabled

    # --- workspaces ----------------------------------------------------------------------------

    def create_workspace(self, caller: Caller, name: str) -> WorkspaceCreated:
        """A new workspace owned by the caller, who switches to it."""
        with self.store.transaction() as tx:
            workspace = workspaces.create_workspace(tx, caller, name, self._now())
            return WorkspaceCreated(workspace=workspace, auth=self._auth(tx, caller))

    def change_workspace_settings(self, caller: Caller, *, require_second_approver: bool) -> Workspace:
        """The caller's current workspace with its settings changed (its owners only: policy.py)."""
        with self.store.transaction() as tx:
            return workspaces.change_settings(tx, caller.workspace_id, require_second_approver=require_second_approver)

    # --- invitations ---------------------------------------------------------------------------

    def create_invitation(self, caller: Caller, *, invite_type: str, role: str, note: str, ttl_sec: int) -> IssuedInvitation:
        limits = self.config.limits
        if not self.quotas.allow(("invitations.create", caller.user.user_id), limits.max_invitation_creates_per_user_per_minute):
            raise TooManyRequests("too-many-invitations")
        with self.store.transaction() as tx:
            code, invitation = invitations.create_invitation(
                tx, caller, invite_type=invite_type, role=role, note=note, ttl_sec=ttl_sec, now=self.clock(),
                max_active=limits.max_active_invitations_per_workspace,
            )
            return IssuedInvitation(code=code, invitation=read_invitation(tx, invitation))

    def revoke_invitation(self, caller: Caller, invite_id: str) -> InvitationInfo:
        with self.store.transaction() as tx:
            return read_invitation(tx, invitations.revoke_invitation(tx, caller, invite_id, self._now()))

    def sign_up(self, code: str, display_name: str) -> SignedIn:
        """Redeem an invitation without a session: a new user, signed in (enrollment-locked)."""
        with self.store.transaction() as tx:
            user = invitations.redeem_as_new_user(tx, code, display_name, self._now())
            return self.sessions.open(tx, user, locked=self._lock_new_sessions)

    def join(self, caller: Caller, code: str) -> AuthState:
        """Redeem a workspace invitation with a session: the caller joins and switches to it."""
        with self.store.transaction() as tx:
            invitations.redeem_into_session(tx, caller, code, self._now())
            return self._auth(tx, caller)

    # --- memberships ---------------------------------------------------------------------------

    def revoke_membership(self, caller: Caller, membership_id: str) -> str:
        with self.store.transaction() as tx:
            return memberships.revoke_membership(tx, caller, membership_id, self._now())

    def own_memberships(self, caller: Caller) -> tuple[OwnMembership, ...]:
        """The caller's memberships: workspace, role, since when, who invited them (issue 21)."""
        with self.store.transaction(write=False) as tx:
            return read_own_memberships(tx, caller)

    def leave_workspace(self, caller: Caller, membership_id: str) -> AuthState:
        """The caller leaves one of their workspaces (never as its last owner); what they see after."""
        with self.store.transaction() as tx:
            memberships.leave(tx, caller, membership_id, self._now())
            return self._auth(tx, caller)

    # --- recovery codes ------------------------------------------------------------------------

    def issue_recovery_code(self, caller: Caller, user_id: str, *, note: str, ttl_sec: int) -> IssuedRecoveryCode:
        """A one-time code for `user_id` (their earlier ones revoked)."""
        with self.store.transaction() as tx:
            user = users.managed_user(tx, user_id)
            code, issued = recovery.issue_recovery_code(
                tx, user, created_by=caller.user.user_id, note=note, ttl_sec=ttl_sec, now=self.clock()
            )
            return IssuedRecoveryCode(code=code, recovery=read_recovery(tx, issued), user=self._managed(tx, user))

    def redeem_recovery_code(self, caller: Caller | None, code: str) -> SignedIn:
        """A session marked recovery (enrollment-locked) for the code's user; only without a session."""
        if caller is not None:
            raise Conflict("already-authenticated")
        with self.store.transaction() as tx:
            user = recovery.spend_recovery_code(tx, code, self._now())
            return self.sessions.open(tx, user, recovery=True, locked=self._lock_new_sessions)

    # --- relay users ---------------------------------------------------------------------------

    def disable_user(self, user_id: str) -> ManagedUser:
        with self.store.transaction() as tx:
            return self._managed(tx, users.disable_user(tx, user_id, self._now()))

    def enable_user(self, user_id: str) -> ManagedUser:
        with self.store.transaction() as tx:
            return self._managed(tx, users.enable_user(tx, user_id))

    def delete_user(self, user_id: str) -> str:
        with self.store.transaction() as tx:
            return users.delete_user(tx, user_id)

    def end_user_sessions(self, user_id: str) -> SessionsEnded:
        with self.store.transaction() as tx:
            user, count = users.end_user_sessions(tx, user_id)
            return SessionsEnded(count=count, user=self._managed(tx, user))

    # --- the state view ------------------------------------------------------------------------

    def visible(self, tx: Transaction, caller: Caller, now: str) -> PeopleView:
        """What the caller may see of people, inside the state view's read transaction."""
        if caller.locked:
            return PeopleView()
        members = ()
        if allows(caller, "members.manage"):
            members = tuple(read_member(tx, m) for m in memberships.workspace_members(tx, caller.workspace_id))
        managed = ()
        if allows(caller, "users.manage"):
            meta = tx.get_meta()
            managed = tuple(read_managed_user(tx, user, meta=meta, now=now) for user in tx.users.find(order_by="display_name"))
        shown = invitations.visible_invitations(tx, caller, now)
        return PeopleView(members=members, invitations=tuple(read_invitation(tx, i) for i in shown), users=managed)

    def change_display_name(self, caller: Caller, display_name: str) -> AuthState:
        """The caller's own display name (`profile.own`)."""
        with self.store.transaction() as tx:
            users.rename_user(tx, caller.user.user_id, display_name)
            return self._auth(tx, caller)

    # --- helpers -------------------------------------------------------------------------------

    def _auth(self, tx: Transaction, caller: Caller) -> AuthState:
        return read_auth_state(tx, self.sessions.refreshed(tx, caller))

    def _managed(self, tx: Transaction, user) -> ManagedUser:
        return read_managed_user(tx, user, meta=tx.get_meta(), now=self._now())
