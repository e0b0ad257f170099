"""WebAuthn challenges: in the shared volatile store only, single use, expiring after `challengeTtlMs`.

A registration challenge remembers the session and user that asked for it, and only that
pair can take it; a login challenge is anonymous. Shared, so the options may come from one
replica and the verification go to another. Memory is bounded by the store (each entry has the
TTL; the memory backend caps the `challenge` kind, oldest first: anyone may ask for login
options, within the rate limit).
"""

from __future__ import annotations

import base64
import json
import secrets
from datetime import datetime, timedelta

import attrs

from mobile_codex.core.timeutil import Clock
from mobile_codex.core.volatile_store import VolatileStore


@attrs.frozen(kw_only=True)
class Challenge:
    challenge: bytes
    expires_at: datetime
    session_id_hash: str | None = None  # registration: the session that asked
    user_id: str | None = None  # registration: its user
    label: str = ""  # registration: the label the new passkey will carry

    def encode(self) -> bytes:
        return json.dumps({
            "challenge": base64.b64encode(self.challenge).decode(), "expiresAt": self.expires_at.isoformat(),
            "sessionIdHash": self.session_id_hash, "userId": self.user_id, "label": self.label,
        }).encode()  # fmt: skip

    @classmethod
    def decode(cls, raw: bytes) -> "Challenge":
        doc = json.loads(raw)
        return cls(
            challenge=base64.b64decode(doc["challenge"]), expires_at=datetime.fromisoformat(doc["expiresAt"]),
            session_id_hash=doc["sessionIdHash"], user_id=doc["userId"], label=doc["label"],
        )  # fmt: skip


class ChallengeStore:
    """Pending ceremonies of one kind (`purpose`: "registration" / "login") by id."""

    def __init__(self, shared: VolatileStore, clock: Clock, ttl_ms: int, *, purpose: str):
        self._shared = shared
        self._clock = clock
        self._ttl = timedelta(milliseconds=ttl_ms)
        self._prefix = f"challenge:{purpose}:"

    def issue(self, *, session_id_hash: str | None = None, user_id: str | None = None, label: str = "") -> tuple[str, Challenge]:
        """A fresh random challenge and the id to redeem it with."""
        entry = Challenge(
            challenge=secrets.token_bytes(32), expires_at=self._clock() + self._ttl,
            session_id_hash=session_id_hash, user_id=user_id, label=label,
        )  # fmt: skip
        ceremony_id = secrets.token_urlsafe(18)
        self._shared.set(self._prefix + ceremony_id, entry.encode(), self._ttl.total_seconds())
        return ceremony_id, entry

    def take(self, ceremony_id: str, *, session_id_hash: str | None = None, user_id: str | None = None) -> Challenge | None:
        """The challenge, removed so it cannot be used twice; None when unknown, expired or
        bound to another session/user (then it stays for its rightful owner)."""
        key = self._prefix + ceremony_id
        raw = self._shared.take(key)
        if raw is None:
            return None
        entry = Challenge.decode(raw)
        if entry.session_id_hash != session_id_hash or entry.user_id != user_id:
            left = (entry.expires_at - self._clock()).total_seconds()
            if left > 0:  # not theirs: put it back for its owner (only they could have taken it meanwhile)
                self._shared.set_if_absent(key, raw, left)
            return None
        return entry if entry.expires_at > self._clock() else None
