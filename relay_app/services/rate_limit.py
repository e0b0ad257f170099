"""Per-client, per-endpoint request budgets with bounded memory.

A bucket is a fixed one-minute window. At most `max_buckets` are kept; the least recently
touched go first, so a flood of spoofed addresses cannot grow memory without end.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Callable

WINDOW_SEC = 60.0


class RateLimiter:
    def __init__(self, *, max_buckets: int = 10_000, monotonic: Callable[[], float] = time.monotonic):
        self._buckets: OrderedDict[tuple, list] = OrderedDict()  # key -> [window_start, count]
        self._lock = threading.Lock()
        self._max = max_buckets
        self._now = monotonic

    def allow(self, key: tuple, per_minute: int) -> bool:
        now = self._now()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None or now - bucket[0] >= WINDOW_SEC:
                bucket = [now, 0]
            bucket[1] += 1
            self._buckets[key] = bucket
            self._buckets.move_to_end(key)
            while len(self._buckets) > self._max:
                self._buckets.popitem(last=False)
            return bucket[1] <= per_minute

    def __len__(self) -> int:
        return len(self._buckets)
