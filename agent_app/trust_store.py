"""The passkeys this agent trusts to sign intents: `stateDir/trusted-passkeys.json` (0600).

Trust is set on the server, never through the relay: the operator runs `mobile-codex agent trust`,
compares each listed passkey's fingerprint with the one their phone showed when it made the passkey,
and adds the ones that match. The public key is copied here then; a later listing from the relay can
only take trust away (a trusted passkey revoked on the relay, or no longer listed, is marked
`revokedUpstream` and refused until the operator removes it), never change a key or add one.

    fingerprint = passkey_fingerprint(cose_public_key_b64url)   # "1a2b 3c4d 5e6f 7a8b"

The fingerprint is the first 16 hex digits of the SHA-256 of the key's SubjectPublicKeyInfo (DER),
in blocks of four: the phone computes the same from `response.getPublicKey()`.
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any, Iterable

from .private_files import read_json, write_private_json

TRUST_FILE = "trusted-passkeys.json"
FORMAT = 1
# What is kept of a listed passkey (POST /api/agent/passkeys) when the operator trusts it.
KEPT = ("passkeyId", "credentialId", "userId", "displayName", "publicKey", "alg")


def spki_der(cose_public_key_b64url: str) -> bytes:
    """The SubjectPublicKeyInfo (DER) of a COSE public key; ValueError when it is not one we can use."""
    # Imported here: `check` reads the trust file through this module and must not load webauthn.
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    from webauthn.helpers import base64url_to_bytes, decode_credential_public_key
    from webauthn.helpers.decoded_public_key_to_cryptography import decoded_public_key_to_cryptography

    try:
        decoded = decode_credential_public_key(base64url_to_bytes(cose_public_key_b64url))
        key = decoded_public_key_to_cryptography(decoded)
        return key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    except Exception as err:  # the library raises its own errors, CBOR's and binascii's
        raise ValueError(f"not a usable COSE public key: {err}") from None


def fingerprint_of_spki(der: bytes) -> str:
    digest = hashlib.sha256(der).hexdigest()[:16]
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def passkey_fingerprint(cose_public_key_b64url: str) -> str:
    return fingerprint_of_spki(spki_der(cose_public_key_b64url))


def _usable(listed: list) -> list[dict[str, Any]]:
    return [entry for entry in listed if isinstance(entry, dict) and isinstance(entry.get("credentialId"), str)]


class TrustStore:
    """The trust file, read afresh on every look (the CLI may change it while the agent runs)."""

    def __init__(self, state_dir: Path):
        self.state_dir = Path(state_dir)
        self.path = self.state_dir / TRUST_FILE
        self._lock = threading.Lock()  # one writer at a time within this process

    def entries(self) -> list[dict[str, Any]]:
        """The trusted entries; none when the file is missing, unreadable or not a trust file."""
        data = read_json(self.path)
        if not isinstance(data, dict) or not isinstance(data.get("passkeys"), list):
            return []
        return _usable(data["passkeys"])

    def checked_entries(self) -> list[dict[str, Any]] | None:
        """Like entries(), but tells why there are none (for `check`): None when the file (or the stateDir)
        does not exist yet, OSError when it cannot be read, ValueError when it is not a trust file."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            data = json.loads(raw)
        except ValueError:  # UnicodeDecodeError included
            raise ValueError("not JSON") from None
        if not isinstance(data, dict) or not isinstance(data.get("passkeys"), list):
            raise ValueError('no "passkeys" list')
        return _usable(data["passkeys"])

    def find(self, credential_id: str) -> dict[str, Any] | None:
        return next((entry for entry in self.entries() if entry["credentialId"] == credential_id), None)

    def _save(self, entries: list[dict[str, Any]]) -> None:
        write_private_json(self.state_dir, TRUST_FILE, {"format": FORMAT, "passkeys": entries})

    def add(self, listed: dict[str, Any], *, now: str) -> dict[str, Any]:
        """Trust a passkey as the relay listed it (its key checked to be usable); returns the entry."""
        fingerprint = passkey_fingerprint(listed["publicKey"])
        entry = {key: listed.get(key) for key in KEPT}
        entry.update(fingerprint=fingerprint, signCount=0, trustedAt=now, revokedUpstream=False)
        with self._lock:
            entries = [e for e in self.entries() if e["credentialId"] != entry["credentialId"]]
            self._save([*entries, entry])
        return entry

    def remove(self, passkey_id: str) -> bool:
        with self._lock:
            entries = self.entries()
            kept = [e for e in entries if e.get("passkeyId") != passkey_id]
            if len(kept) == len(entries):
                return False
            self._save(kept)
        return True

    def note_listing(self, listed: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """Mark trusted passkeys the relay revoked (or no longer lists) `revokedUpstream`; never unmarks
        one or changes a key. Returns the entries newly marked."""
        live = {p.get("credentialId") for p in listed if isinstance(p, dict) and p.get("revokedAt") is None}
        with self._lock:
            entries = self.entries()
            marked = [e for e in entries if not e.get("revokedUpstream") and e["credentialId"] not in live]
            for entry in marked:
                entry["revokedUpstream"] = True
            if marked:
                self._save(entries)
        return marked

    def raise_sign_count(self, credential_id: str, count: int) -> None:
        """The highest signature counter of this passkey's intents that have expired (never lowered)."""
        with self._lock:
            entries = self.entries()
            changed = False
            for entry in entries:
                if entry["credentialId"] == credential_id and count > int(entry.get("signCount") or 0):
                    entry["signCount"], changed = count, True
            if changed:
                self._save(entries)
