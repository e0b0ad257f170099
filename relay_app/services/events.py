"""Waking held requests: the change feed behind `changeCursor`, and the capacity rule.

The feed keeps one version per scope (a workspace, a user, the relay's people: `change_scopes.py`)
as a topic of the shared volatile store's wake-up bus (core/volatile_store.py), so a change
committed through one replica wakes a phone's wait held on another. Every committed write moves
the scopes of the records it changed (the store is wrapped in `NotifyingStore`); changes kept in
memory only (task text, an agent's Codex sessions, an agent going online or offline) move their
workspace with `feed.bump(workspace_id)`. A state view's cursor is a digest of the versions of the
scopes that view depends on, so a phone waiting with `waitForChangeAfter` wakes when something it
shows changes, and for nothing else: not for another workspace's activity, and the cursor says
nothing about it. The digest's key and the cursor's "boot" part are the same on every replica:
both come from the shared store (its epoch, and a salt set there once), so a cursor from before a
wipe of the store is stale everywhere. Held requests of any kind pass through `HoldLimit`, which
never lets them take the last `threads - reserve` server threads of this process, nor let one
principal hold more than its share across the replicas.

A stopping relay calls `feed.release_all()`: every held request of this process answers at once,
as at the end of its wait, and none waits again, so phones and agents reconnect (to the next relay)
without delay. It publishes this process's own stop topic, which every wait here also watches;
waits that hold on a condition of their own (agent polls) register with `also_release`.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator

from mobile_codex.core.errors import VolatileStoreUnavailable
from mobile_codex.core.volatile_store import VolatileStore

from .change_scopes import Scope, workspace

log = logging.getLogger("mobile_codex.relay.events")

SALT_KEY = "feed:salt"
SALT_TTL_S = 400 * 24 * 3600  # as long as the store lives: a new salt would make every cursor stale


def _topic(scope: Scope) -> str:
    return f"scope:{scope[0]}:{scope[1]}"


class ChangeFeed:
    def __init__(self, shared: VolatileStore) -> None:
        self._shared = shared
        self._lock = threading.Lock()
        self._keys: tuple[str, bytes] | None = None  # (boot, salt), read from the shared store once per epoch
        self._stop = f"stop:{secrets.token_hex(12)}"  # this process's own: published when it stops
        self._waiting = 0
        self._released = False  # the relay is stopping: nothing waits any more
        self._on_release: list[Callable[[], None]] = []

    def release_all(self) -> None:
        """The relay is stopping: wake every wait of this process now, and let none wait from now on."""
        with self._lock:
            self._released = True
            others = list(self._on_release)
        try:
            self._shared.publish(self._stop)
        except VolatileStoreUnavailable:
            pass  # Redis away: the held waits see `_released` at their next wake-up (at most 25 s)
        for release in others:
            release()

    def also_release(self, release: Callable[[], None]) -> None:
        """`release_all` calls `release` too (at once if it already ran)."""
        with self._lock:
            self._on_release.append(release)
            released = self._released
        if released:
            release()

    def new_epoch(self) -> None:
        """The shared store was wiped (volatile_epoch.py): read the cursor's boot and salt again."""
        self._keys = None

    def bump(self, workspace_id: str) -> None:
        """Something the workspace's views show changed in memory only (no write tells the feed)."""
        self.move({workspace(workspace_id)})

    def move(self, scopes: Iterable[Scope]) -> None:
        """Move these scopes' versions and wake the waits on them (and only those), on every replica.

        Called after a commit: with the shared store away the change stands, and the phones see it
        at the end of their wait or on their next load instead of at once.
        """
        topics = tuple(sorted({_topic(scope) for scope in scopes}))
        try:
            self._shared.publish_many(topics)
        except VolatileStoreUnavailable as err:
            log.warning("change feed: cannot wake the waits on %d scope(s): %s", len(topics), err)

    def cursor(self, scopes: Iterable[Scope]) -> str:
        """The cursor of a view that depends on `scopes` (`change_scopes.view_scopes`)."""
        ordered = tuple(sorted(set(scopes)))
        return self._cursor(ordered, self._shared.versions(tuple(map(_topic, ordered))))

    @property
    def waiting(self) -> int:
        """How many waits this process holds now (diagnostics and tests)."""
        return self._waiting

    def _secret(self) -> tuple[str, bytes]:
        keys = self._keys
        if keys is None:
            boot = hashlib.blake2b(self._shared.epoch().encode(), digest_size=4).hexdigest()
            self._shared.set_if_absent(SALT_KEY, secrets.token_bytes(16), SALT_TTL_S)
            salt = self._shared.get(SALT_KEY)
            if salt is None:  # wiped between the two calls: the next cursor reads it again
                return boot, b""
            keys = self._keys = (boot, salt)
        return keys

    def _cursor(self, scopes: tuple[Scope, ...], versions: dict[str, int]) -> str:
        boot, salt = self._secret()  # a cursor is opaque: no count of changes can be read from it
        digest = hashlib.blake2b(key=salt, digest_size=8)
        for kind, key in scopes:
            digest.update(f"{kind}\0{key}\0{versions[_topic((kind, key))]}\0".encode())
        return f"{boot}-{digest.hexdigest()}"

    def wait_for_change(self, cursor: str, scopes: Iterable[Scope], timeout: float) -> str:
        """Return the cursor of `scopes` once it differs from `cursor` (at once if it already does),
        at timeout, or when the relay stops."""
        ordered = tuple(sorted(set(scopes)))
        topics = tuple(map(_topic, ordered))
        deadline = time.monotonic() + timeout
        with self._lock:
            self._waiting += 1
        try:
            while True:
                versions = self._shared.versions(topics)
                now = self._cursor(ordered, versions)
                remaining = deadline - time.monotonic()
                if now != cursor or self._released or remaining <= 0:
                    return now
                self._shared.wait({**versions, self._stop: 0}, remaining)
        finally:
            with self._lock:
                self._waiting -= 1


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
