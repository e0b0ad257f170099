"""Bodies a client sends byte for byte again and again, read once.

An idle agent polls every second or so with the same capability report (API.md poll body), and
reading it (JSON, then the typed `PollRequest` of resources/agent_bodies.py) was ~12 % of an idle
poll's relay CPU (issue 19). So a route may keep what its parser made of a body it has seen: the
middleware looks the raw bytes up before the JSON step and the route reuses the result, which is
the same as reading the bytes again because both steps are pure functions of them.

Only a body the route parsed without error is kept, and only after the route's caller was
authenticated (the route stores it, not the middleware), so the check order of API.md is unchanged
and a stranger cannot fill the memory. Memory only and bounded: bodies up to `MAX_BODY_BYTES`,
`MAX_TOTAL_BYTES` of them in all, forgotten all at once when full (as AgentAuth's token cache).
"""

from __future__ import annotations

import threading
from typing import Any, Callable

import attrs

MAX_BODY_BYTES = 64 * 1024
MAX_TOTAL_BYTES = 4 * 1024 * 1024


@attrs.frozen
class Parsed:
    """A body seen before: its JSON object (shared: read it, never change it) and the route's reading."""

    body: dict
    value: Any


class ParsedBodies:
    """One route's memory of raw body -> Parsed; `parse` is the route's reader of the JSON object."""

    def __init__(self, parse: Callable[[dict], Any], *, max_body: int = MAX_BODY_BYTES, max_total: int = MAX_TOTAL_BYTES):
        self._parse = parse
        self._max_body = max_body
        self._max_total = max_total
        self._known: dict[bytes, Parsed] = {}
        self._total = 0
        self._lock = threading.Lock()

    def known(self, raw: bytes) -> Parsed | None:
        return self._known.get(raw)

    def parse(self, raw: bytes, body: dict) -> Any:
        """The route's reading of `body` (the JSON object of `raw`), kept for next time when it succeeds."""
        value = self._parse(body)
        if len(raw) <= self._max_body:
            with self._lock:
                if raw not in self._known:
                    if self._total + len(raw) > self._max_total:
                        self._known.clear()
                        self._total = 0
                    self._known[raw] = Parsed(body, value)
                    self._total += len(raw)
        return value
