"""Secrets, hashes and short codes. Only SHA-256 digests of secrets are ever stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: readable aloud and on a phone


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def same_secret(a: str, b: str) -> bool:
    """Constant-time comparison of two strings."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def new_secret(nbytes: int = 48) -> str:
    """A random URL-safe secret (48 bytes -> 64 characters)."""
    return secrets.token_urlsafe(nbytes)


def new_id(prefix: str) -> str:
    """`<prefix>_<16 hex>` as API.md's ids."""
    return f"{prefix}_{secrets.token_hex(8)}"


def new_short_code(groups: int) -> str:
    """`XXXX-XXXX[-XXXX]`: `secrets.choice` draws without modulo bias."""
    return "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(groups))


def normalize_code(code: str) -> str:
    """Upper-case and keep only alphabet characters, so `abcd efgh` matches `ABCD-EFGH`."""
    return "".join(ch for ch in code.upper() if "A" <= ch <= "Z" or "2" <= ch <= "9")
