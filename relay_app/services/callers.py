"""Who is asking: a browser session resolved to its user and current membership.

A `Caller` is a plain value; what it may do is decided by the policy table (`relay_app/policy.py`).
"""

from __future__ import annotations

import attrs

from mobile_codex.core.records import Membership, RelayMeta, Session, User
from mobile_codex.core.store import Transaction


@attrs.frozen
class Caller:
    """An authenticated browser session and what it implies."""

    session: Session
    user: User
    membership: Membership | None  # the active membership in the current workspace
    is_relay_owner: bool

    @property
    def locked(self) -> bool:
        return self.session.needs_passkey_enrollment

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    @property
    def workspace_id(self) -> str | None:
        return self.membership.workspace_id if self.membership else None


def is_relay_owner(meta: RelayMeta, user_id: str) -> bool:
    return user_id == meta.bootstrap_user_id or user_id in meta.admin_user_ids


def active_membership(tx: Transaction, user_id: str, workspace_id: str | None) -> Membership | None:
    if not workspace_id:
        return None
    found = tx.memberships.find(user_id=user_id, workspace_id=workspace_id, revoked_at=None, limit=1)
    return found[0] if found else None
