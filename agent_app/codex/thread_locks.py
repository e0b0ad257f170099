"""Turns of one Codex thread run one at a time: a lock per thread id, taken before its app-server starts.

Codex lets only one process have a thread loaded ("already has an active writer"), so a second
turn of a busy thread waits here — in the order the turns arrived — until the first one's server
has exited. Waiting gives way to cancel.
"""

from __future__ import annotations

import itertools
import threading
from contextlib import contextmanager

from ..errors import TaskCanceled

WAIT_STEP_SEC = 0.25


class ThreadLocks:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._busy: set[str] = set()
        self._tickets = itertools.count()
        self._queues: dict[str, list[int]] = {}

    @contextmanager
    def hold(self, thread_id: str, cancel: threading.Event):
        ticket = next(self._tickets)
        with self._cond:
            line = self._queues.setdefault(thread_id, [])
            line.append(ticket)
            try:
                while thread_id in self._busy or line[0] != ticket:
                    if cancel.is_set():
                        raise TaskCanceled()
                    self._cond.wait(WAIT_STEP_SEC)
            finally:
                line.remove(ticket)
                if not line:
                    self._queues.pop(thread_id, None)
                self._cond.notify_all()
            self._busy.add(thread_id)
        try:
            yield
        finally:
            with self._cond:
                self._busy.discard(thread_id)
                self._cond.notify_all()

    def mark_busy(self, thread_id: str) -> None:
        """A thread this turn just started: nobody else can know its id yet."""
        with self._cond:
            self._busy.add(thread_id)

    def release(self, thread_id: str) -> None:
        with self._cond:
            self._busy.discard(thread_id)
            self._cond.notify_all()
