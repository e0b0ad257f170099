"""The shared volatile store: what every relay replica must see alike and no disk may hold.

WebAuthn challenges, idempotency keys, rate-limit buckets, task text (core/task_text.py) (and,
later, the change feed) live here rather than in one process's memory, so any replica can answer any request. The
default backend (`memory`) keeps them in this process, as a single relay always did; `redis` shares
them between replicas (plugins/volatile/). Nothing here is ever written to disk by the relay, and the
redis backend refuses a server that would (SECURITY.md: task text only in memory).

Keys are strings whose first `:`-separated part names the kind of entry (`challenge:...`,
`rate:...`); a backend may bound each kind separately. Values are bytes; every entry has a TTL, so
a replica that dies leaves nothing behind for long. Any operation may raise
`VolatileStoreUnavailable` (core/errors.py) while the store cannot be reached: the relay answers
503 `volatile-store-unavailable` and never falls back to skipping what the store guards.

The wake-up bus: `publish(topic)` bumps the topic's version; `wait({topic: seen}, timeout)` returns
as soon as one topic's version differs from what the caller saw (or at the timeout), so a long-poll
held on one replica wakes when another replica publishes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from .task_text import TaskText, TextBounds


class VolatileStore(Protocol):
    def epoch(self) -> str:
        """A random id made when the store was empty: a different one means everything shared was wiped."""

    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes, ttl_s: float) -> None: ...

    def set_if_absent(self, key: str, value: bytes, ttl_s: float) -> bool:
        """Store only when the key is absent; True when this call stored it."""

    def take(self, key: str) -> bytes | None:
        """Get and delete in one step: of several callers at once, one gets the value."""

    def delete(self, key: str) -> None: ...

    def incr(self, key: str, ttl_s: float) -> int:
        """Add one and return the count; a new counter starts at 1 and expires after `ttl_s`."""

    def publish(self, topic: str) -> int:
        """Wake the waiters of `topic`; returns its new version."""

    def versions(self, topics: tuple[str, ...]) -> dict[str, int]:
        """The current version of each topic (0 for one never published)."""

    def wait(self, seen: Mapping[str, int], timeout_s: float) -> dict[str, int]:
        """Block until a topic's version differs from `seen` (or `timeout_s` passes); returns the versions."""

    def close(self) -> None: ...

    def task_text(self, bounds: TextBounds) -> TaskText:
        """The task text held in this store, within `bounds` (core/task_text.py); every caller with
        the same bounds shares one."""
