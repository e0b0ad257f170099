"""`gen-secret` and `hash-token`: helpers for writing configs by hand."""

from __future__ import annotations

import sys

from mobile_codex.core.crypto import new_secret, sha256_hex

from .exit_codes import USAGE_OR_CONFIG, CommandFailed


def gen_secret(args) -> int:
    print(new_secret())
    return 0


def hash_token(args) -> int:
    token = sys.stdin.read()
    if token.endswith("\n"):
        token = token[:-1]  # exactly one, as `echo TOKEN |` adds it
    if not token:
        raise CommandFailed("hash-token: no token on standard input", USAGE_OR_CONFIG)
    print(sha256_hex(token))
    return 0


def register(commands) -> None:
    p = commands.add_parser("gen-secret", help="print a random secret (for tokenSecret)")
    p.set_defaults(run=gen_secret)
    p = commands.add_parser("hash-token", help="print the SHA-256 hex of the token read from stdin")
    p.set_defaults(run=hash_token)
