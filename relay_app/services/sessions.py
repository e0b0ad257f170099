"""Browser sessions: random cookie tokens, stored only as SHA-256, at most 64 kept.

`authenticate` turns a cookie into a `Caller`, the one object every rule downstream asks
"who is this and what may they do here?".
"""

from __future__ import annotations

import secrets

import attrs

from mobile_codex.core.config import RelayConfig
from mobile_codex.core.crypto import sha256_hex
from mobile_codex.core.records import Membership, RelayMeta, Session, User
from mobile_codex.core.store import Store, Transaction
from mobile_codex.core.timeutil import Clock, iso, iso_after

from ..errors import Forbidden, Unauthorized
from .permissions import at_least

MAX_SESSIONS = 64


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

    def require_workspace(self) -> str:
        if self.membership is None:
            raise Forbidden("no-workspace-selected")
        return self.membership.workspace_id

    def require_role(self, needed: str) -> str:
        """The current workspace id, when the caller holds at least `needed` there."""
        workspace_id = self.require_workspace()
        if not at_least(self.role, needed):
            raise Forbidden("insufficient-role")
        return workspace_id

    def require_relay_owner(self) -> None:
        if not self.is_relay_owner:
            raise Forbidden("insufficient-role")


def is_relay_owner(meta: RelayMeta, user_id: str) -> bool:
    return user_id == meta.bootstrap_user_id or user_id in meta.admin_user_ids


def active_membership(tx: Transaction, user_id: str, workspace_id: str | None) -> Membership | None:
    if not workspace_id:
        return None
    found = tx.memberships.find(user_id=user_id, workspace_id=workspace_id, revoked_at=None, limit=1)
    return found[0] if found else None


def _unauthorized(code: str) -> Unauthorized:
    err = Unauthorized(code)
    err.clear_cookie = True
    return err


class SessionService:
    def __init__(self, store: Store, config: RelayConfig, clock: Clock):
        self.store = store
        self.config = config
        self.clock = clock

    def create(
        self, tx: Transaction, *, user_id: str, workspace_id: str | None, recovery: bool = False,
        locked: bool = False, passkey_id: str | None = None,
    ) -> str:  # fmt: skip
        """Start a session inside `tx`; returns the cookie value (shown once, stored hashed)."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        tx.sessions.put(
            Session(
                session_id_hash=sha256_hex(token), user_id=user_id, current_workspace_id=workspace_id,
                created_at=iso(now), expires_at=iso_after(now, self.config.session_ttl_sec),
                recovery=recovery, needs_passkey_enrollment=locked, passkey_id=passkey_id,
            )
        )  # fmt: skip
        self._prune(tx, now_iso=iso(now), keep=sha256_hex(token))
        return token

    def _prune(self, tx: Transaction, *, now_iso: str, keep: str) -> None:
        """Drop expired sessions, then the oldest beyond MAX_SESSIONS (never the one just made,
        even when many share its millisecond)."""
        for old in tx.sessions.find(order_by="expires_at"):
            if old.expires_at > now_iso:
                break
            tx.sessions.delete(old.session_id_hash)
        excess = tx.sessions.count() - MAX_SESSIONS
        if excess > 0:
            oldest = [s for s in tx.sessions.find(order_by="created_at", limit=excess + 1) if s.session_id_hash != keep]
            for old in oldest[:excess]:  # newest win
                tx.sessions.delete(old.session_id_hash)

    def authenticate(self, token: str | None) -> Caller:
        if not token:
            raise _unauthorized("missing-session")
        with self.store.transaction(write=False) as tx:
            caller = self.resolve(tx, token)
        return caller

    def resolve(self, tx: Transaction, token: str) -> Caller:
        session = tx.sessions.get(sha256_hex(token))
        if session is None or session.expires_at <= iso(self.clock()):
            raise _unauthorized("invalid-session")
        user = tx.users.get(session.user_id)
        if user is None or user.disabled_at is not None:
            raise _unauthorized("session-user-invalid")
        meta = tx.get_meta()
        membership = active_membership(tx, user.user_id, session.current_workspace_id)
        return Caller(session=session, user=user, membership=membership, is_relay_owner=is_relay_owner(meta, user.user_id))

    def end(self, token: str | None) -> None:
        if token:
            with self.store.transaction() as tx:
                tx.sessions.delete(sha256_hex(token))

    @staticmethod
    def end_all(tx: Transaction) -> int:
        """Every browser session of every user (the `end-sessions` command); how many."""
        return _delete(tx, tx.sessions.find())

    @staticmethod
    def end_all_for_user(tx: Transaction, user_id: str) -> int:
        return _delete(tx, tx.sessions.find(user_id=user_id))


def _delete(tx: Transaction, sessions: list[Session]) -> int:
    for session in sessions:
        tx.sessions.delete(session.session_id_hash)
    return len(sessions)
