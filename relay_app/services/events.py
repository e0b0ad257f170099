"""Waking held requests: the change feed behind `changeCursor`, and the capacity rule.

The feed keeps one version per scope (a workspace, a user, the relay's people: `change_scopes.py`).
Every committed write moves the scopes of the records it changed (the store is wrapped in
`NotifyingStore`); changes kept in memory only (task text, an agent's Codex sessions, an agent
going online or offline) move their workspace with `feed.bump(workspace_id)`. A state view's
cursor is a digest of the versions of the scopes that view depends on, so a phone waiting with
`waitForChangeAfter` wakes when something it shows changes, and for nothing else: not for another
workspace's activity, and the cursor says nothing about it. Held requests of any kind pass
through `HoldLimit`, which never lets them take the last `threads - reserve` server threads.

A stopping relay calls `feed.release_all()`: every held request answers at once, as at the end of
its wait, and none waits again, so phones and agents reconnect (to the next relay) without delay.
Waits that hold on a condition of their own (agent polls) register with `also_release`.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator

from .change_scopes import Scope, workspace


class ChangeFeed:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._versions: dict[Scope, int] = {}
        self._waits: dict[Scope, set[threading.Condition]] = {}  # scope -> the held waits it would end
        self._boot = secrets.token_hex(4)  # a cursor from before a restart is stale
        self._salt = secrets.token_bytes(16)  # a cursor is opaque: no count of changes can be read from it
        self._released = False  # the relay is stopping: nothing waits any more
        self._on_release: list[Callable[[], None]] = []

    def release_all(self) -> None:
        """The relay is stopping: wake every wait now, and let none wait from now on."""
        with self._lock:
            self._released = True
            for waits in self._waits.values():
                for wait in waits:
                    wait.notify()
            others = list(self._on_release)
        for release in others:
            release()

    def also_release(self, release: Callable[[], None]) -> None:
        """`release_all` calls `release` too (at once if it already ran)."""
        with self._lock:
            self._on_release.append(release)
            released = self._released
        if released:
            release()

    def bump(self, workspace_id: str) -> None:
        """Something the workspace's views show changed in memory only (no write tells the feed)."""
        self.move({workspace(workspace_id)})

    def move(self, scopes: Iterable[Scope]) -> None:
        """Move these scopes' versions and wake the waits on them (and only those)."""
        with self._lock:
            for scope in set(scopes):
                self._versions[scope] = self._versions.get(scope, 0) + 1
                for wait in self._waits.get(scope, ()):
                    wait.notify()

    def cursor(self, scopes: Iterable[Scope]) -> str:
        """The cursor of a view that depends on `scopes` (`change_scopes.view_scopes`)."""
        with self._lock:
            return self._cursor(tuple(scopes))

    @property
    def waiting(self) -> int:
        """How many waits are held now (diagnostics and tests)."""
        with self._lock:
            return len({wait for waits in self._waits.values() for wait in waits})

    def _cursor(self, scopes: tuple[Scope, ...]) -> str:
        digest = hashlib.blake2b(key=self._salt, digest_size=8)
        for kind, key in sorted(set(scopes)):
            digest.update(f"{kind}\0{key}\0{self._versions.get((kind, key), 0)}\0".encode())
        return f"{self._boot}-{digest.hexdigest()}"

    def wait_for_change(self, cursor: str, scopes: Iterable[Scope], timeout: float) -> str:
        """Return the cursor of `scopes` once it differs from `cursor` (at once if it already does),
        at timeout, or when the relay stops."""
        scopes = tuple(set(scopes))
        deadline = time.monotonic() + timeout
        with self._lock:
            wait = threading.Condition(self._lock)
            for scope in scopes:
                self._waits.setdefault(scope, set()).add(wait)
            try:
                while self._cursor(scopes) == cursor and not self._released:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    wait.wait(remaining)
            finally:
                for scope in scopes:
                    waits = self._waits[scope]
                    waits.discard(wait)
                    if not waits:
                        del self._waits[scope]
            return self._cursor(scopes)


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
