"""Waking held requests: the change feed behind `changeCursor`, and the capacity rule.

Every committed write transaction moves the feed (the store is wrapped in `NotifyingStore`),
so a phone waiting with `waitForChangeAfter` wakes as soon as anything changes; in-memory
changes (task output) call `feed.bump()` themselves. Held requests of any kind pass through
`HoldLimit`, which never lets them take the last `threads - reserve` server threads.
"""

from __future__ import annotations

import secrets
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator

from mobile_codex.core.store import Store


class ChangeFeed:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._version = 0
        self._boot = secrets.token_hex(4)  # a cursor from before a restart is stale

    def bump(self) -> None:
        with self._cond:
            self._version += 1
            self._cond.notify_all()

    def cursor(self) -> str:
        return f"{self._boot}-{self._version}"

    def wait_for_change(self, cursor: str, timeout: float) -> str:
        """Return once the cursor differs from `cursor` (at once if it already does) or at timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.cursor() == cursor:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            return self.cursor()

    def wait_until(self, ready: Callable[[], bool], timeout: float) -> bool:
        """Wait until `ready()` is true, re-checking after every change; False at timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if ready():
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)


class HoldLimit:
    """At most `capacity` requests may be held at once; the rest answer at once."""

    def __init__(self, capacity: int):
        self.capacity = max(0, capacity)
        self._held = 0
        self._lock = threading.Lock()

    @contextmanager
    def hold(self) -> Iterator[bool]:
        """Yields True when this request may wait, False when it must answer now."""
        with self._lock:
            allowed = self._held < self.capacity
            if allowed:
                self._held += 1
        try:
            yield allowed
        finally:
            if allowed:
                with self._lock:
                    self._held -= 1

    @property
    def held(self) -> int:
        return self._held


class NotifyingStore:
    """Wraps a Store so every committed write transaction bumps the change feed."""

    def __init__(self, store: Store, feed: ChangeFeed):
        self._store = store
        self._feed = feed
        self.backend = store.backend

    @contextmanager
    def transaction(self, *, write: bool = True):
        with self._store.transaction(write=write) as tx:
            yield tx
        if write:
            self._feed.bump()

    def __getattr__(self, name):  # data_files, integrity_check, close, ...
        return getattr(self._store, name)
