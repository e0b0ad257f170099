"""One-time owner login codes (ours): minted on the server's command line, redeemed by a phone.

`mobile-codex up` and `mobile-codex login-code` mint a code through the store (so a running relay
sees it); the phone opens `<publicOrigin>/#code=XXXX-XXXX-XXXX` and the web app redeems it for an
owner session of the bootstrap user, marked recovery. Single use, 15 minutes, SHA-256 only.
"""

from __future__ import annotations

import attrs

from mobile_codex.core.crypto import new_id, new_short_code, normalize_code, sha256_hex
from mobile_codex.core.records import LoginCode
from mobile_codex.core.store import Store, Transaction
from mobile_codex.core.timeutil import Clock, iso, iso_after

from ..errors import Unauthorized

LOGIN_CODE_TTL_SEC = 15 * 60


def mint_login_code(store: Store, clock: Clock) -> str:
    """A fresh code (shown once); spent and expired codes are cleared at the same time."""
    now = clock()
    code = new_short_code(3)
    with store.transaction() as tx:
        for old in tx.login_codes.find(order_by="expires_at"):
            if old.expires_at > iso(now) and old.used_at is None:
                continue
            tx.login_codes.delete(old.login_code_id)
        tx.login_codes.put(
            LoginCode(
                login_code_id=new_id("login"), code_hash=sha256_hex(normalize_code(code)),
                created_at=iso(now), expires_at=iso_after(now, LOGIN_CODE_TTL_SEC),
            )
        )  # fmt: skip
    return code


def sign_in_url(public_origin: str, code: str) -> str:
    return f"{public_origin}/#code={code}"


def spend_login_code(tx: Transaction, code: str, clock: Clock) -> str:
    """Mark the code used inside `tx`; returns the bootstrap user's id. 401 `invalid-login-code`,
    with `detail` "spent" or "expired" for a code still on record (so the phone can say why a link
    did not work); an unknown code gets no detail."""
    normalized = normalize_code(code)
    found = tx.login_codes.find(code_hash=sha256_hex(normalized), limit=1) if len(normalized) == 12 else []
    now = iso(clock())
    if not found:
        raise Unauthorized("invalid-login-code")
    if found[0].used_at is not None:
        raise Unauthorized("invalid-login-code", detail="spent")
    if found[0].expires_at <= now:
        raise Unauthorized("invalid-login-code", detail="expired")
    tx.login_codes.put(attrs.evolve(found[0], used_at=now))
    user_id = tx.get_meta().bootstrap_user_id
    user = tx.users.get(user_id) if user_id else None
    if user is None or user.disabled_at is not None:
        raise Unauthorized("invalid-login-code")
    return user.user_id
