"""Idempotency keys: a client that retries a create gets the first result again, not a second one.

A key is the client's (`Idempotency-Key` header), scoped to the user who sent it, and remembered for
`TTL_SEC` with a fingerprint of the request: the same key with a different request is refused
(409 `idempotency-key-reused`) rather than answered with something else. Kept in this relay's memory
(bounded; the oldest go first), like the other volatile state.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Iterator

import attrs

from mobile_codex.core.timeutil import Clock

from ..errors import Conflict

TTL_SEC = 24 * 3600
MAX_KEYS = 100_000


def fingerprint(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


@attrs.frozen
class _Entry:
    fingerprint: str
    result_id: str
    at: datetime


class IdempotencyKeys:
    def __init__(self, clock: Clock, *, ttl_sec: float = TTL_SEC, max_keys: int = MAX_KEYS):
        self.clock = clock
        self.ttl = timedelta(seconds=ttl_sec)
        self.max_keys = max_keys
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._lock = threading.Lock()  # held across a keyed create, so two retries at once make one result

    @contextmanager
    def claim(self, user_id: str, key: str, request_fingerprint: str) -> Iterator["Claim"]:
        """Within the block, `claim.result_id` is the earlier result's id (None: make it, then `claim.record(id)`)."""
        with self._lock:
            now = self.clock()
            entry = self._entries.get((user_id, key))
            if entry is not None and now - entry.at > self.ttl:
                del self._entries[(user_id, key)]
                entry = None
            if entry is not None and entry.fingerprint != request_fingerprint:
                raise Conflict("idempotency-key-reused")
            claim = Claim(entry.result_id if entry else None)
            yield claim
            if entry is None and claim.made is not None:
                self._entries[(user_id, key)] = _Entry(request_fingerprint, claim.made, now)
                while len(self._entries) > self.max_keys:
                    self._entries.popitem(last=False)


class Claim:
    def __init__(self, result_id: str | None):
        self.result_id = result_id
        self.made: str | None = None

    def record(self, result_id: str) -> None:
        self.made = result_id
