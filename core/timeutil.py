"""Time as the wire shows it: ISO-8601 UTC with milliseconds and `Z` (2026-11-25T18:44:26.503Z).

Code that needs the time takes a `clock` (a callable returning an aware UTC datetime) so tests
can inject one; `system_clock` is the real one.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def iso_after(moment: datetime, seconds: float) -> str:
    return iso(moment + timedelta(seconds=seconds))


class FixedClock:
    """A clock that stands still until moved; for tests and benchmarks."""

    def __init__(self, start: datetime):
        self.now = start.astimezone(timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
