"""One write transaction at a time in this process, as every storage backend's callers rely on."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from .errors import StorageError


class SerialWriters:
    """Queues writers on a thread lock and refuses a nested write in one thread, which would
    otherwise wait for itself forever. Readers pass straight through.

    For the SQL backends the lock is cheaper and fairer than the engine's own waiting, and a
    queued writer holds no pooled connection; the json backend has no other writer lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._writer: int | None = None  # thread id holding the lock

    @contextlib.contextmanager
    def turn(self, write: bool) -> Iterator[None]:
        if not write:
            yield
            return
        me = threading.get_ident()
        if self._writer == me:
            raise StorageError("nested write transaction in one thread (it would deadlock)")
        with self._lock:
            self._writer = me
            try:
                yield
            finally:
                self._writer = None
