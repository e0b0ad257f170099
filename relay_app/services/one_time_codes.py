"""Invite and recovery codes: 12 characters (`XXXX-XXXX-XXXX`) shown once, stored only as the
SHA-256 hex of the normalised code. A code is usable until it is used, revoked or expired."""

from __future__ import annotations

from typing import Any

from mobile_codex.core.crypto import new_short_code, normalize_code, sha256_hex

CODE_GROUPS = 3
CODE_LENGTH = 4 * CODE_GROUPS


def mint_code() -> tuple[str, str]:
    """(the code to show once, the hash to store)."""
    code = new_short_code(CODE_GROUPS)
    return code, sha256_hex(normalize_code(code))


def find_active(table: Any, code: str, now: str) -> Any | None:
    """The unused, unrevoked, unexpired record of `table` whose code is `code` (any spelling)."""
    normalized = normalize_code(code)
    if len(normalized) != CODE_LENGTH:
        return None
    for found in table.find(code_hash=sha256_hex(normalized), used_at=None, revoked_at=None):
        if found.expires_at > now:
            return found
    return None
