"""A signed export of the audit trail, and the check that finds the first entry that does not fit.

The export is one JSON document:

    {"format": "mobile-codex-audit", "version": 1, "relay": ORIGIN, "exportedAt": ..., "since": ...,
     "firstSeq": N, "lastSeq": M, "count": K, "startPrevHash": HEX, "publicKey": B64URL,
     "entries": [{seq, at, kind, workspaceId, actorUserId, recordType, recordId, clientAddress,
                  details, prevHash, hash}, ...],
     "signature": B64URL}

`startPrevHash` says where the chain starts: all zeros from the relay's first entry, else the hash
of the entry before `firstSeq` (older ones were pruned or left out by `since`). The signature is
Ed25519 by the relay audit key (`auditPrivateKey`) over the RFC 8785 canonical JSON of the document
without `signature`. The public key in the file proves nothing by itself: compare it with the
relay's (`mobile-codex audit verify --public-key`), which `audit export` prints.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .audit import GENESIS, hash_of_fields
from .record_codec import record_to_dict
from .records import AuditEvent

FORMAT = "mobile-codex-audit"
VERSION = 1
AUDIT_KEY_PATTERN = r"[A-Za-z0-9_-]{43}"  # a raw Ed25519 private key: 32 bytes, base64url without padding


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_audit_private_key() -> str:
    """A fresh relay audit key for `init-relay` (a relay secret like `tokenSecret`)."""
    return _b64(Ed25519PrivateKey.generate().private_bytes_raw())


def _private_key(text: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_unb64(text))


def public_key_of(private_key: str) -> str:
    """The audit key's public half, base64url (what `verify --public-key` compares)."""
    return _b64(_private_key(private_key).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def _signed_bytes(document: dict) -> bytes:
    return rfc8785.dumps({key: value for key, value in document.items() if key != "signature"})


def export_document(
    events: Sequence[AuditEvent], *, private_key: str, relay: str, exported_at: str, since: str | None,
    head_hash: str | None,
) -> dict:  # fmt: skip
    """The signed export of `events` (ascending seq). `head_hash`: the newest entry's hash, which an
    empty export starts from (so the next export can be checked against it)."""
    entries = [record_to_dict(event) for event in events]
    document: dict = {
        "format": FORMAT,
        "version": VERSION,
        "relay": relay,
        "exportedAt": exported_at,
        "since": since,
        "firstSeq": entries[0]["seq"] if entries else None,
        "lastSeq": entries[-1]["seq"] if entries else None,
        "count": len(entries),
        "startPrevHash": entries[0]["prevHash"] if entries else (head_hash or GENESIS),
        "publicKey": public_key_of(private_key),
        "entries": entries,
    }
    document["signature"] = _b64(_private_key(private_key).sign(_signed_bytes(document)))
    return document


class VerifyFailed(Exception):
    """The export does not verify; the message names the first entry (or part) that does not fit."""


def _entry_problem(entries: list, index: int, expected_seq: int, prev_hash: str) -> str | None:
    entry = entries[index]
    if not isinstance(entry, dict) or not isinstance(entry.get("seq"), int):
        return f"entry #{index + 1} is not an audit entry"
    seq = entry["seq"]
    if seq != expected_seq:
        later = [e.get("seq") for e in entries[index + 1:] if isinstance(e, dict)]
        if expected_seq in later:
            return f"entry seq {seq} is out of order: it comes where seq {expected_seq} belongs (reordered)"
        if seq > expected_seq:
            missing = f"{expected_seq}" if seq == expected_seq + 1 else f"{expected_seq}-{seq - 1}"
            return f"entry seq {missing} is missing: seq {seq} follows seq {expected_seq - 1} (removed)"
        return f"entry seq {seq} is out of order: seq {expected_seq} was expected here (reordered or repeated)"
    if hash_of_fields(entry) != entry.get("hash"):
        return f"entry seq {seq} does not match its hash (changed)"
    if entry.get("prevHash") != prev_hash:
        where = "the export's startPrevHash" if index == 0 else f"the hash of seq {seq - 1}"
        return f"entry seq {seq} does not follow the chain: its prevHash is not {where} (it or the one before was changed)"
    return None


def verify_document(document: object, *, public_key: str | None = None) -> int:
    """Check the chain, then the signature; the number of entries. VerifyFailed names the first
    entry (by seq) that does not fit: changed, removed, reordered, or a bad signature."""
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("version") != VERSION:
        raise VerifyFailed(f"not a {FORMAT} version {VERSION} export")
    entries = document.get("entries")
    first, start = document.get("firstSeq"), document.get("startPrevHash")
    if not isinstance(entries, list) or not isinstance(start, str):
        raise VerifyFailed("the export has no entries list or no startPrevHash")
    if entries:
        if not isinstance(first, int):
            raise VerifyFailed("the export's firstSeq is missing")
        prev_hash, expected = start, first
        for index in range(len(entries)):
            problem = _entry_problem(entries, index, expected, prev_hash)
            if problem:
                raise VerifyFailed(problem)
            prev_hash, expected = entries[index]["hash"], expected + 1
    last = document.get("lastSeq")
    if entries and last != entries[-1]["seq"]:
        if isinstance(last, int) and last > entries[-1]["seq"]:
            raise VerifyFailed(f"entry seq {entries[-1]['seq'] + 1} is missing: the export ends at seq "
                               f"{entries[-1]['seq']} but its header says {last} (removed)")
        raise VerifyFailed(f"the export's lastSeq ({last}) is not its last entry's seq ({entries[-1]['seq']})")
    if document.get("count") != len(entries):
        raise VerifyFailed(f"the export says {document.get('count')} entries but holds {len(entries)}")
    key_text = document.get("publicKey")
    if public_key is not None and key_text != public_key:
        raise VerifyFailed("the export was signed by another key than the one given (--public-key)")
    try:
        key = Ed25519PublicKey.from_public_bytes(_unb64(str(key_text)))
        key.verify(_unb64(str(document.get("signature", ""))), _signed_bytes(document))
    except (InvalidSignature, ValueError, TypeError):
        raise VerifyFailed("the signature does not match the export (changed after it was signed)") from None
    return len(entries)
