"""Idempotency keys: a client that retries a create gets the first result again, not a second one.

A key is the client's (`Idempotency-Key` header), scoped to the user who sent it, and remembered for
`TTL_SEC` with a fingerprint of the request: the same key with a different request is refused
(409 `idempotency-key-reused`) rather than answered with something else. Kept in the shared volatile
store, so a retry that reaches another replica finds the first result too.

Two retries at once: in this process a lock makes them one; across replicas the first to claim the
key marks it pending (set-if-absent) and the other waits, up to `PENDING_WAIT_SEC`, for its result.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Iterator

from mobile_codex.core.timeutil import Clock
from mobile_codex.core.volatile_store import VolatileStore

from ..errors import Conflict

TTL_SEC = 24 * 3600
PENDING_TTL_SEC = 30.0  # a replica that dies mid-create frees the key after this
PENDING_WAIT_SEC = 10.0


def fingerprint(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


class IdempotencyKeys:
    def __init__(self, shared: VolatileStore, clock: Clock, *, ttl_sec: float = TTL_SEC):
        self.shared = shared
        self.clock = clock
        self.ttl = timedelta(seconds=ttl_sec)
        self._lock = threading.Lock()  # held across a keyed create, so two retries at once make one result

    @contextmanager
    def claim(self, user_id: str, key: str, request_fingerprint: str) -> Iterator["Claim"]:
        """Within the block, `claim.result_id` is the earlier result's id (None: make it, then `claim.record(id)`)."""
        name = "idem:" + hashlib.sha256(json.dumps([user_id, key]).encode()).hexdigest()
        with self._lock:
            now = self.clock()
            entry = self._settled(name, now)
            if entry is not None and entry["fingerprint"] != request_fingerprint:
                raise Conflict("idempotency-key-reused")
            claim = Claim(entry["resultId"] if entry else None)
            try:
                yield claim
            finally:
                if entry is None and claim.made is None:
                    self.shared.delete(name)  # nothing made (refused): the key is free again
            if entry is None and claim.made is not None:
                done = {"fingerprint": request_fingerprint, "resultId": claim.made, "at": now.isoformat()}
                self.shared.set(name, json.dumps(done).encode(), self.ttl.total_seconds())

    def _settled(self, name: str, now: datetime) -> dict | None:
        """The finished entry under `name`, or None after marking it pending for us."""
        pending = json.dumps({"pending": True}).encode()
        give_up = time.monotonic() + PENDING_WAIT_SEC
        while True:
            raw = self.shared.get(name)
            entry = json.loads(raw) if raw is not None else None
            if entry is not None and not entry.get("pending"):
                if now - datetime.fromisoformat(entry["at"]) <= self.ttl:
                    return entry
                self.shared.delete(name)  # expired by the relay's clock
                entry = None
            if entry is None and self.shared.set_if_absent(name, pending, PENDING_TTL_SEC):
                return None
            if time.monotonic() > give_up:  # the other replica is stuck: let the key's TTL free it
                raise Conflict("idempotency-key-reused")
            time.sleep(0.05)  # another replica is making the result right now


class Claim:
    def __init__(self, result_id: str | None):
        self.result_id = result_id
        self.made: str | None = None

    def record(self, result_id: str) -> None:
        self.made = result_id
