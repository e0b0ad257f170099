"""Recovery codes: a relay owner gives a locked-out user a one-time code that signs them in.

Issuing a code revokes the user's earlier active ones (one usable code per user). Redeeming
spends it and gives a session marked `recovery` (enrollment-locked while passkeys are on: the
user registers a new passkey before anything else).
"""

from __future__ import annotations

from datetime import datetime

import attrs

from mobile_codex.core.crypto import new_id
from mobile_codex.core.records import RecoveryCode, User
from mobile_codex.core.store import Transaction
from mobile_codex.core.timeutil import iso, iso_after

from ..errors import Conflict, Forbidden, Unauthorized
from . import audit_trail
from .one_time_codes import find_active, mint_code

TTL_DEFAULT, TTL_MIN, TTL_MAX = 3600, 300, 604800


def active_recovery_codes(tx: Transaction, user_id: str, now: str) -> list[RecoveryCode]:
    """The user's usable recovery codes, newest first."""
    found = tx.recovery_codes.find(user_id=user_id, used_at=None, revoked_at=None, order_by="-created_at")
    return [recovery for recovery in found if recovery.expires_at > now]


def issue_recovery_code(
    tx: Transaction, user: User, *, created_by: str, note: str, ttl_sec: int, now: datetime
) -> tuple[str, RecoveryCode]:
    """(the code, shown once; the stored record). 409 `user-disabled` for a disabled user."""
    if user.disabled_at is not None:
        raise Conflict("user-disabled")
    for earlier in active_recovery_codes(tx, user.user_id, iso(now)):
        tx.recovery_codes.put(attrs.evolve(earlier, revoked_at=iso(now)))
        audit_trail.note(tx, "recovery.revoked", at=iso(now), record=("recovery", earlier.recovery_id), user=user.user_id,
                         reason="replaced")
    code, code_hash = mint_code()
    recovery = RecoveryCode(
        recovery_id=new_id("recovery"), user_id=user.user_id, note=note, code_hash=code_hash,
        created_at=iso(now), expires_at=iso_after(now, ttl_sec), created_by_user_id=created_by,
    )  # fmt: skip
    tx.recovery_codes.put(recovery)
    return code, recovery


def spend_recovery_code(tx: Transaction, code: str, now: str) -> User:
    """The user the code belongs to, the code marked used. 401 unknown/spent, 403 user gone or disabled."""
    recovery = find_active(tx.recovery_codes, code, now)
    if recovery is None:
        raise Unauthorized("invalid-recovery-code")
    user = tx.users.get(recovery.user_id)
    if user is None or user.disabled_at is not None:
        raise Forbidden("user-disabled-or-missing")
    tx.recovery_codes.put(attrs.evolve(recovery, used_at=now))
    audit_trail.note(tx, "recovery.used", at=now, record=("recovery", recovery.recovery_id), actor=user.user_id)
    return user
