"""The `memory` volatile store: dicts and a condition variable in this process.

Bounded per kind of key (the part before the first `:`): past `max_per_kind` entries the oldest
set of that kind goes first, so a flood of login options cannot push out idempotency keys, nor
grow memory without end. Expiry is checked on read and swept as entries are added, against
`time.monotonic` (the callers keep their own clock for what they must judge exactly).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Callable

from mobile_codex.core.task_text import TextBounds

from .task_text import MemoryTaskText

MAX_PER_KIND = 100_000


class MemoryVolatileStore:
    def __init__(self, *, max_per_kind: int = MAX_PER_KIND, monotonic: Callable[[], float] = time.monotonic):
        self._max = max_per_kind
        self._now = monotonic
        self._kinds: dict[str, OrderedDict[str, tuple[float, object]]] = {}  # kind -> key -> (expires, value)
        self._lock = threading.Lock()
        self._bus = threading.Lock()  # the wake-up bus: versions and who waits on which topic
        self._versions: dict[str, int] = {}
        self._waiters: dict[str, set[threading.Event]] = {}
        self._epoch = secrets.token_hex(16)
        self._texts: dict[TextBounds, MemoryTaskText] = {}  # one per bounds: every app on this store shares it

    def epoch(self) -> str:
        return self._epoch

    def _entries(self, key: str) -> OrderedDict:
        kind = key.partition(":")[0]
        entries = self._kinds.get(kind)
        if entries is None:
            entries = self._kinds[kind] = OrderedDict()
        return entries

    def _live(self, entries: OrderedDict, key: str, now: float):
        found = entries.get(key)
        if found is None:
            return None
        if found[0] <= now:
            del entries[key]
            return None
        return found

    def _put(self, entries: OrderedDict, key: str, value: object, ttl_s: float, now: float) -> None:
        entries.pop(key, None)
        entries[key] = (now + ttl_s, value)
        while entries:  # the oldest set lead; drop the expired ones among them
            oldest = next(iter(entries.values()))
            if oldest[0] > now and len(entries) <= self._max:
                break
            entries.popitem(last=False)

    def get(self, key: str) -> bytes | None:
        with self._lock:
            found = self._live(self._entries(key), key, self._now())
        return None if found is None else found[1]

    def set(self, key: str, value: bytes, ttl_s: float) -> None:
        with self._lock:
            self._put(self._entries(key), key, value, ttl_s, self._now())

    def set_if_absent(self, key: str, value: bytes, ttl_s: float) -> bool:
        now = self._now()
        with self._lock:
            entries = self._entries(key)
            if self._live(entries, key, now) is not None:
                return False
            self._put(entries, key, value, ttl_s, now)
            return True

    def take(self, key: str) -> bytes | None:
        with self._lock:
            entries = self._entries(key)
            found = self._live(entries, key, self._now())
            if found is None:
                return None
            del entries[key]
        return found[1]

    def delete(self, key: str) -> None:
        with self._lock:
            self._entries(key).pop(key, None)

    def incr(self, key: str, ttl_s: float) -> int:
        now = self._now()
        with self._lock:
            entries = self._entries(key)
            found = self._live(entries, key, now)
            if found is None:
                self._put(entries, key, 1, ttl_s, now)
                return 1
            entries[key] = (found[0], found[1] + 1)  # keeps its expiry, like Redis INCR
            return found[1] + 1

    def publish(self, topic: str) -> int:
        with self._bus:
            version = self._versions.get(topic, 0) + 1
            self._versions[topic] = version
            for waiter in self._waiters.get(topic, ()):
                waiter.set()
        return version

    def versions(self, topics: tuple[str, ...]) -> dict[str, int]:
        with self._bus:
            return {topic: self._versions.get(topic, 0) for topic in topics}

    def wait(self, seen: Mapping[str, int], timeout_s: float) -> dict[str, int]:
        # Each waiter has its own event, set only by its topics: a publish costs O(waiters of that
        # topic), not O(every held poll) (bench/idle_poll.py: 50 held polls halved seeding otherwise).
        waiter = threading.Event()
        with self._bus:
            current = {topic: self._versions.get(topic, 0) for topic in seen}
            if current != dict(seen) or timeout_s <= 0:
                return current
            for topic in seen:
                self._waiters.setdefault(topic, set()).add(waiter)
        try:
            waiter.wait(timeout_s)
        finally:
            with self._bus:
                for topic in seen:
                    waiters = self._waiters.get(topic)
                    if waiters is not None:
                        waiters.discard(waiter)
                        if not waiters:
                            del self._waiters[topic]
                current = {topic: self._versions.get(topic, 0) for topic in seen}
        return current

    def count(self, kind: str) -> int:
        """How many entries of `kind` are held (expired ones included until swept)."""
        with self._lock:
            return len(self._kinds.get(kind, ()))

    def close(self) -> None:
        pass

    def task_text(self, bounds: TextBounds) -> MemoryTaskText:
        with self._lock:
            if bounds not in self._texts:
                self._texts[bounds] = MemoryTaskText(bounds)
            return self._texts[bounds]
