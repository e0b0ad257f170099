"""One write transaction at a time in this process, as the SQL backends' callers rely on."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from ..errors import StorageError


class SerialWriters:
    """Queues writers on a thread lock (cheaper and fairer than the engine's own waiting, and a
    queued writer holds no connection) and refuses a nested write in one thread, which would
    otherwise wait for itself forever. Readers pass straight through."""

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
