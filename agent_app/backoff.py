"""Waiting after failures: from the poll interval, doubled after each failure, capped."""

from __future__ import annotations

from typing import Callable

MAX_BACKOFF_SEC = 30.0


class Backoff:
    def __init__(self, base: float, sleep: Callable[[float], object], cap: float = MAX_BACKOFF_SEC):
        self.base = max(0.25, base)
        self.cap = max(self.base, cap)
        self.sleep = sleep
        self.current = self.base

    def wait(self) -> None:
        self.sleep(self.current)
        self.current = min(self.cap, self.current * 2)

    def reset(self) -> None:
        self.current = self.base
