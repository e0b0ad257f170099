"""Per-client, per-endpoint request budgets, counted in the shared volatile store.

A bucket is a one-minute window that starts with its first request, by this limiter's clock
(`now`: wall-clock seconds by default, as replicas on several hosts compare the start one of them
wrote, which a per-host monotonic clock could not do; the quotas pass the relay's clock so tests
can move it). The window's start is an
entry of its own; the count is a counter keyed by that start, so every replica adds to the same
one. Two replicas opening a new window at the same instant may each start one: a budget can then
be exceeded by the few requests of that instant, never doubled for a minute. Memory stays bounded
by the store (every entry has a TTL; the memory backend also caps each kind of key).

Sign-in endpoints refuse rather than skip: when the store cannot be reached, `allow` raises
`VolatileStoreUnavailable` and the request is answered 503.
"""

from __future__ import annotations

import time
from typing import Callable

from mobile_codex.core.volatile_store import VolatileStore

WINDOW_SEC = 60.0


class RateLimiter:
    def __init__(self, shared: VolatileStore, *, now: Callable[[], float] = time.time, kind: str = "rate"):
        self._shared = shared
        self._now = now
        self._kind = kind

    def allow(self, key: tuple, per_minute: int) -> bool:
        now = self._now()
        name = "/".join(str(part) for part in key)
        start_key = f"{self._kind}:start:{name}"
        start = self._shared.get(start_key)
        if start is None or now - float(start) >= WINDOW_SEC:
            fresh = repr(now).encode()
            if start is None and not self._shared.set_if_absent(start_key, fresh, WINDOW_SEC):
                start = self._shared.get(start_key) or fresh  # another request opened it just now
            else:
                self._shared.set(start_key, fresh, WINDOW_SEC)
                start = fresh
        count = self._shared.incr(f"{self._kind}:count:{name}@{start.decode()}", WINDOW_SEC)
        return count <= per_minute
