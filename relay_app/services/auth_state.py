"""What the `auth` object of API.md shows, read in one transaction: the caller, their passkeys
and workspaces. Services return it after every change a session sees; `views/auth.py` renders it."""

from __future__ import annotations

import attrs

from mobile_codex.core.records import Membership, Passkey, Workspace
from mobile_codex.core.store import Transaction

from .callers import Caller


@attrs.frozen(kw_only=True)
class WorkspaceMembership:
    """An active membership in a live (unarchived) workspace."""

    membership: Membership
    workspace: Workspace


@attrs.frozen(kw_only=True)
class AuthState:
    caller: Caller | None  # None: signed out
    passkeys: tuple[Passkey, ...]  # the caller's own, oldest first
    passkey_count: int  # the caller's; signed out, the relay's (may anyone sign in with a passkey?)
    workspaces: tuple[WorkspaceMembership, ...]


def memberships_of(tx: Transaction, user_id: str) -> tuple[WorkspaceMembership, ...]:
    """The user's active memberships in live workspaces, oldest first."""
    rows = []
    for membership in tx.memberships.find(user_id=user_id, revoked_at=None, order_by="created_at"):
        workspace = tx.workspaces.get(membership.workspace_id)
        if workspace is not None and workspace.archived_at is None:
            rows.append(WorkspaceMembership(membership=membership, workspace=workspace))
    return tuple(rows)


def read_auth_state(tx: Transaction, caller: Caller | None) -> AuthState:
    if caller is None:
        return AuthState(caller=None, passkeys=(), passkey_count=tx.passkeys.count(revoked_at=None), workspaces=())
    passkeys = tuple(tx.passkeys.find(user_id=caller.user.user_id, revoked_at=None, order_by="created_at"))
    return AuthState(
        caller=caller, passkeys=passkeys, passkey_count=len(passkeys), workspaces=memberships_of(tx, caller.user.user_id)
    )
