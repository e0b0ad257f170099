"""WebAuthn challenges: in memory only, single use, expiring after `challengeTtlMs`.

A registration challenge remembers the session and user that asked for it, and only that
pair can take it; a login challenge is anonymous. Memory is bounded: past `max_pending`
the oldest challenges are dropped (anyone may ask for login options, within the rate limit).
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from datetime import datetime, timedelta

import attrs

from mobile_codex.core.timeutil import Clock

MAX_PENDING = 10_000


@attrs.frozen(kw_only=True)
class Challenge:
    challenge: bytes
    expires_at: datetime
    session_id_hash: str | None = None  # registration: the session that asked
    user_id: str | None = None  # registration: its user
    label: str = ""  # registration: the label the new passkey will carry


class ChallengeStore:
    """Pending ceremonies by id ("registrationId" / "loginId"); thread-safe."""

    def __init__(self, clock: Clock, ttl_ms: int, *, max_pending: int = MAX_PENDING):
        self._clock = clock
        self._ttl = timedelta(milliseconds=ttl_ms)
        self._max = max_pending
        self._pending: OrderedDict[str, Challenge] = OrderedDict()
        self._lock = threading.Lock()

    def issue(self, *, session_id_hash: str | None = None, user_id: str | None = None, label: str = "") -> tuple[str, Challenge]:
        """A fresh random challenge and the id to redeem it with."""
        now = self._clock()
        entry = Challenge(
            challenge=secrets.token_bytes(32), expires_at=now + self._ttl,
            session_id_hash=session_id_hash, user_id=user_id, label=label,
        )  # fmt: skip
        ceremony_id = secrets.token_urlsafe(18)
        with self._lock:
            self._drop_expired(now)
            self._pending[ceremony_id] = entry
            while len(self._pending) > self._max:
                self._pending.popitem(last=False)
        return ceremony_id, entry

    def take(self, ceremony_id: str, *, session_id_hash: str | None = None, user_id: str | None = None) -> Challenge | None:
        """The challenge, removed so it cannot be used twice; None when unknown, expired or
        bound to another session/user (then it stays for its rightful owner)."""
        now = self._clock()
        with self._lock:
            entry = self._pending.get(ceremony_id)
            if entry is None:
                return None
            if entry.session_id_hash != session_id_hash or entry.user_id != user_id:
                return None
            del self._pending[ceremony_id]
        return entry if entry.expires_at > now else None

    def _drop_expired(self, now: datetime) -> None:
        # Insertion order is expiry order (one TTL for all), so the expired ones lead.
        while self._pending:
            oldest_id, oldest = next(iter(self._pending.items()))
            if oldest.expires_at > now:
                break
            del self._pending[oldest_id]

    def __len__(self) -> int:
        return len(self._pending)
