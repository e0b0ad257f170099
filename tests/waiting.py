"""Waiting on a condition instead of sleeping: a test goes on the moment what it needs has happened,
and says what never happened when it fails."""

from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")


def wait_until(predicate: Callable[[], T], *, timeout: float = 10.0, interval: float = 0.01, what: str = "") -> T:
    """Call `predicate` until it returns something truthy, and return that; fail after `timeout` seconds.

    `what` names the condition in the failure message (default: the predicate's source name)."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            name = what or getattr(predicate, "__qualname__", repr(predicate))
            raise AssertionError(f"timed out after {timeout:g} s waiting for {name}")
        time.sleep(interval)
