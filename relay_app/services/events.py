"""Waking held requests: the change feed behind `changeCursor`, and the capacity rule.

Every committed write transaction moves the feed (the store is wrapped in `NotifyingStore`),
so a phone waiting with `waitForChangeAfter` wakes as soon as anything changes; in-memory
changes (task output) call `feed.bump()` themselves. Held requests of any kind pass through
`HoldLimit`, which never lets them take the last `threads - reserve` server threads.

A stopping relay calls `feed.release_all()`: every held request answers at once, as at the end of
its wait, and none waits again, so phones and agents reconnect (to the next relay) without delay.
Waits that hold on a condition of their own (agent polls) register with `also_release`.
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
        self._released = False  # the relay is stopping: nothing waits any more
        self._on_release: list[Callable[[], None]] = []

    def release_all(self) -> None:
        """The relay is stopping: wake every wait now, and let none wait from now on."""
        with self._cond:
            self._released = True
            self._cond.notify_all()
            others = list(self._on_release)
        for release in others:
            release()

    def also_release(self, release: Callable[[], None]) -> None:
        """`release_all` calls `release` too (at once if it already ran)."""
        with self._cond:
            self._on_release.append(release)
            released = self._released
        if released:
            release()

    def bump(self) -> None:
        with self._cond:
            self._version += 1
            self._cond.notify_all()

    def cursor(self) -> str:
        return f"{self._boot}-{self._version}"

    def wait_for_change(self, cursor: str, timeout: float) -> str:
        """Return once the cursor differs from `cursor` (at once if it already does), at timeout,
        or when the relay stops."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.cursor() == cursor and not self._released:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            return self.cursor()

    def wait_until(self, ready: Callable[[], bool], timeout: float) -> bool:
        """Wait until `ready()` is true, re-checking after every change; False at timeout or when the relay stops."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if ready():
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._released:
                    return False
                self._cond.wait(remaining)


# Held requests one principal may have at once: an agent holds one poll (two while it reconnects), a
# phone one state wait per open tab. Past these a request answers at once, as if waitMs were 0, so one
# principal cannot take every held slot of the relay and starve everyone else's.
HELD_PER_AGENT = 2
HELD_PER_SESSION = 4


class HoldLimit:
    """At most `capacity` requests may be held at once, and at most `per_principal` of one
    principal (an agent, a session); the rest answer at once."""

    def __init__(self, capacity: int):
        self.capacity = max(0, capacity)
        self._held = 0
        self._by_principal: dict[object, int] = {}
        self._lock = threading.Lock()

    @contextmanager
    def hold(self, principal: object = None, per_principal: int = 0) -> Iterator[bool]:
        """Yields True when this request may wait, False when it must answer now."""
        with self._lock:
            mine = self._by_principal.get(principal, 0) if principal is not None else 0
            allowed = self._held < self.capacity and (principal is None or mine < per_principal)
            if allowed:
                self._held += 1
                if principal is not None:
                    self._by_principal[principal] = mine + 1
        try:
            yield allowed
        finally:
            if allowed:
                with self._lock:
                    self._held -= 1
                    if principal is not None:
                        left = self._by_principal[principal] - 1
                        if left:
                            self._by_principal[principal] = left
                        else:
                            del self._by_principal[principal]

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
