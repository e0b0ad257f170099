"""Relay user administration (people, via `PeopleService`): relay owners, relay-wide (`users.manage`).

Relay owners themselves are protected from being disabled or deleted (they change only by
import). Disabling ends every session of the user at once; a user can be deleted only once
they hold no membership and no passkey.
"""

from __future__ import annotations

import attrs

from mobile_codex.core.records import User
from mobile_codex.core.store import Transaction

from ..errors import Conflict, NotFound
from .auth_state import memberships_of
from .callers import is_relay_owner
from .sessions import SessionService


def managed_user(tx: Transaction, user_id: str) -> User:
    user = tx.users.get(user_id)
    if user is None:
        raise NotFound("user-not-found")
    return user


def _unprotected(tx: Transaction, user_id: str) -> User:
    user = managed_user(tx, user_id)
    if is_relay_owner(tx.get_meta(), user.user_id):
        raise Conflict("relay-owner-protected")
    return user


def disable_user(tx: Transaction, user_id: str, now: str) -> User:
    user = _unprotected(tx, user_id)
    if user.disabled_at is None:
        user = attrs.evolve(user, disabled_at=now)
        tx.users.put(user)
    SessionService.end_all_for_user(tx, user.user_id)
    return user


def enable_user(tx: Transaction, user_id: str) -> User:
    user = managed_user(tx, user_id)
    if user.disabled_at is not None:
        user = attrs.evolve(user, disabled_at=None)
        tx.users.put(user)
    return user


def delete_user(tx: Transaction, user_id: str) -> str:
    user = _unprotected(tx, user_id)
    if memberships_of(tx, user.user_id):
        raise Conflict("user-still-has-memberships")
    if tx.passkeys.count(user_id=user.user_id, revoked_at=None):
        raise Conflict("user-still-has-passkeys")
    SessionService.end_all_for_user(tx, user.user_id)
    for tombstone in tx.passkeys.find(user_id=user.user_id):  # revoked ones: no user left to sign for
        tx.passkeys.delete(tombstone.passkey_id)
    for recovery in tx.recovery_codes.find(user_id=user.user_id):
        tx.recovery_codes.delete(recovery.recovery_id)
    for membership in tx.memberships.find(user_id=user.user_id):  # revoked ones: history of a gone user
        tx.memberships.delete(membership.membership_id)
    tx.users.delete(user.user_id)
    return user.user_id


def rename_user(tx: Transaction, user_id: str, display_name: str) -> User:
    """A user's own new display name (issue 18: the first user is no longer stuck as "Owner").
    Tasks keep the name their creator had when asking (`created_by_display_name`)."""
    user = managed_user(tx, user_id)
    if user.display_name != display_name:
        user = attrs.evolve(user, display_name=display_name)
        tx.users.put(user)
    return user


def end_user_sessions(tx: Transaction, user_id: str) -> tuple[User, int]:
    user = managed_user(tx, user_id)
    return user, SessionService.end_all_for_user(tx, user.user_id)
