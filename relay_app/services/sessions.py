"""Signing in and out, and the browser sessions that result.

A session is a random cookie token the relay stores only as SHA-256 (at most 64 kept). The ways
in: the bootstrap token and one-time login codes here, passkeys (`passkeys.py`), invitations and
recovery codes (`people.py`); each ends in `open`, which starts the session in the user's usual
workspace. `authenticate` turns a cookie into the `Caller` every rule downstream asks about.
Results carry the cookie value (the resource sets it once the transaction has committed) and
the `AuthState` read after the change.
"""

from __future__ import annotations

import secrets

import attrs

from mobile_codex.core.config import RelayConfig
from mobile_codex.core.crypto import same_secret, sha256_hex
from mobile_codex.core.records import Session, User
from mobile_codex.core.store import Store, Transaction
from mobile_codex.core.timeutil import Clock, iso, iso_after

from ..errors import NotFound, Unauthorized
from .auth_state import AuthState, read_auth_state
from .callers import Caller, active_membership, is_relay_owner
from .login_codes import spend_login_code

MAX_SESSIONS = 64  # per user (API.md): one user's sign-ins never push out anyone else's
MAX_SESSIONS_RELAY = 100_000  # a relay-wide bound far above normal use, so the table cannot grow without end


@attrs.frozen(kw_only=True)
class SignedIn:
    """A new session: its cookie value (shown once, stored hashed) and what it sees."""

    cookie: str
    auth: AuthState


def _unauthorized(code: str) -> Unauthorized:
    err = Unauthorized(code)
    err.clear_cookie = True
    return err


def move_session(tx: Transaction, session: Session, workspace_id: str) -> None:
    """Make `workspace_id` the session's current workspace and the user's usual one."""
    tx.sessions.put(attrs.evolve(session, current_workspace_id=workspace_id))
    user = tx.users.get(session.user_id)
    if user is not None:
        tx.users.put(attrs.evolve(user, last_workspace_id=workspace_id))


def first_workspace(tx: Transaction, user: User) -> str | None:
    """Where a fresh session starts: the last workspace used, else the oldest membership."""
    if active_membership(tx, user.user_id, user.last_workspace_id):
        return user.last_workspace_id
    memberships = tx.memberships.find(user_id=user.user_id, revoked_at=None, order_by="created_at", limit=1)
    return memberships[0].workspace_id if memberships else None


class SessionService:
    def __init__(self, store: Store, config: RelayConfig, clock: Clock):
        self.store = store
        self.config = config
        self.clock = clock

    # --- the ways in -------------------------------------------------------------------------

    def sign_in_with_bootstrap_token(self, token: str) -> SignedIn:
        """A full owner session of the bootstrap user, marked recovery. 401 `invalid-bootstrap-token`."""
        if not token or not same_secret(sha256_hex(token), self.config.bootstrap_admin_token_hash):
            raise Unauthorized("invalid-bootstrap-token")
        with self.store.transaction() as tx:
            return self.open(tx, tx.users.get(tx.get_meta().bootstrap_user_id), recovery=True)

    def sign_in_with_login_code(self, code: str) -> SignedIn:
        """An owner session of the bootstrap user, marked recovery. 401 `invalid-login-code`."""
        with self.store.transaction() as tx:
            return self.open(tx, tx.users.get(spend_login_code(tx, code, self.clock)), recovery=True)

    def open(self, tx: Transaction, user: User, **session_flags) -> SignedIn:
        """Sign `user` in inside `tx` (the other ways in call this), starting in their usual workspace.
        Every way in ends here, so this is where the user's last sign-in is noted (owners see it)."""
        user = attrs.evolve(user, last_sign_in_at=iso(self.clock()))
        tx.users.put(user)
        cookie = self.create(tx, user_id=user.user_id, workspace_id=first_workspace(tx, user), **session_flags)
        return SignedIn(cookie=cookie, auth=read_auth_state(tx, self.resolve(tx, cookie)))

    # --- a live session ----------------------------------------------------------------------

    def authenticate(self, token: str | None) -> Caller:
        if not token:
            raise _unauthorized("missing-session")
        with self.store.transaction(write=False) as tx:
            return self.resolve(tx, token)

    def auth_state(self, caller: Caller | None) -> AuthState:
        with self.store.transaction(write=False) as tx:
            return read_auth_state(tx, caller)

    def switch_workspace(self, caller: Caller, workspace_id: str) -> AuthState:
        """Move the session to another of the user's workspaces. 404 `workspace-not-found`."""
        with self.store.transaction() as tx:
            if active_membership(tx, caller.user.user_id, workspace_id) is None:
                raise NotFound("workspace-not-found")
            move_session(tx, caller.session, workspace_id)
            return read_auth_state(tx, self.refreshed(tx, caller))

    def sign_out(self, token: str | None) -> None:
        if token:
            with self.store.transaction() as tx:
                tx.sessions.delete(sha256_hex(token))

    # --- building blocks (inside a transaction another service opened) -----------------------

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
        self._prune(tx, user_id=user_id, now_iso=iso(now), keep=sha256_hex(token))
        return token

    def _prune(self, tx: Transaction, *, user_id: str, now_iso: str, keep: str) -> None:
        """Drop expired sessions, then this user's oldest beyond MAX_SESSIONS, then the relay's
        oldest beyond MAX_SESSIONS_RELAY (never the one just made, even when many share its millisecond)."""
        for old in tx.sessions.find(order_by="expires_at"):
            if old.expires_at > now_iso:
                break
            tx.sessions.delete(old.session_id_hash)
        _drop_oldest(tx, tx.sessions.count(user_id=user_id) - MAX_SESSIONS, keep, user_id=user_id)
        _drop_oldest(tx, tx.sessions.count() - MAX_SESSIONS_RELAY, keep)

    def resolve(self, tx: Transaction, token: str) -> Caller:
        return self._live(tx, tx.sessions.get(sha256_hex(token)))

    def refreshed(self, tx: Transaction, caller: Caller) -> Caller:
        """The caller as `tx` now sees them (after a change to their session or memberships)."""
        return self._live(tx, tx.sessions.get(caller.session.session_id_hash))

    def _live(self, tx: Transaction, session: Session | None) -> Caller:
        if session is None or session.expires_at <= iso(self.clock()):
            raise _unauthorized("invalid-session")
        user = tx.users.get(session.user_id)
        if user is None or user.disabled_at is not None:
            raise _unauthorized("session-user-invalid")
        membership = active_membership(tx, user.user_id, session.current_workspace_id)
        return Caller(session=session, user=user, membership=membership, is_relay_owner=is_relay_owner(tx.get_meta(), user.user_id))

    @staticmethod
    def end_all(tx: Transaction) -> int:
        """Every browser session of every user (the `end-sessions` command); how many.

        Their Web Push devices go too: a device signed out everywhere must stop hearing about tasks."""
        for device in tx.push_subscriptions.find():
            tx.push_subscriptions.delete(device.device_id)
        return _delete(tx, tx.sessions.find())

    @staticmethod
    def end_all_for_user(tx: Transaction, user_id: str) -> int:
        """The user's sessions and Web Push devices (disabling, deleting, ending their sessions)."""
        for device in tx.push_subscriptions.find(user_id=user_id):
            tx.push_subscriptions.delete(device.device_id)
        return _delete(tx, tx.sessions.find(user_id=user_id))


def _delete(tx: Transaction, sessions: list[Session]) -> int:
    for session in sessions:
        tx.sessions.delete(session.session_id_hash)
    return len(sessions)


def _drop_oldest(tx: Transaction, excess: int, keep: str, **equals: str) -> None:
    """Delete the `excess` oldest sessions matching `equals`, sparing `keep`: the newest win."""
    if excess <= 0:
        return
    oldest = [s for s in tx.sessions.find(order_by="created_at", limit=excess + 1, **equals) if s.session_id_hash != keep]
    for old in oldest[:excess]:
        tx.sessions.delete(old.session_id_hash)
