"""waitress's worker pool, waking the worker that went idle last instead of the one idle longest.

waitress hands each request to an idle worker through one condition variable, which wakes its
waiters in turn: with the 64 threads a relay keeps (held polls need them) and 50 agents polling,
every request ran on a different thread, each with its stack and Python frames gone cold. Woken
last-in first-out, the few workers just used take the requests and the rest stay asleep
(issue 19: waitress's own CPU per request ~10 % lower with a trivial app, bench/README.md).
Everything else (thread count, shutdown, the queue-depth warning) is waitress's own.
With a `placement` (cpu_placement.py), each worker joins the relay's CPU as it starts.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from waitress.task import ThreadedTaskDispatcher

if TYPE_CHECKING:
    from .cpu_placement import OneCore


class LastIdleFirst(ThreadedTaskDispatcher):
    def __init__(self, placement: OneCore | None = None) -> None:
        super().__init__()
        self._idle: list[threading.Lock] = []  # one held lock per sleeping worker; the last to sleep at the end
        self.placement = placement

    def handler_thread(self, thread_no: int) -> None:
        if self.placement is None:
            return self._serve(thread_no)
        self.placement.enter()
        try:
            self._serve(thread_no)
        finally:
            self.placement.leave()

    def _serve(self, thread_no: int) -> None:
        # waitress's loop, with the wait on a lock of the worker's own instead of on queue_cv
        wake = threading.Lock()
        wake.acquire()
        while True:
            with self.lock:
                while not self.queue and self.stop_count == 0:
                    self.active_count -= 1
                    self._idle.append(wake)
                    self.lock.release()
                    try:
                        wake.acquire()
                    finally:
                        self.lock.acquire()
                    self.active_count += 1
                if self.stop_count > 0:
                    self.active_count -= 1
                    self.stop_count -= 1
                    self.threads.discard(thread_no)
                    self.thread_exit_cv.notify()
                    break
                task = self.queue.popleft()
            try:
                task.service()
            except BaseException:
                self.logger.exception("Exception when servicing %r", task)

    def add_task(self, task) -> None:
        # waitress's, waking the last worker to sleep
        with self.lock:
            self.queue.append(task)
            if self._idle:
                self._idle.pop().release()
            queue_size = len(self.queue)
            idle_threads = len(self.threads) - self.stop_count - self.active_count
            if queue_size > idle_threads:
                self.queue_logger.warning("Task queue depth is %d", queue_size - idle_threads)

    def set_thread_count(self, count: int) -> None:
        super().set_thread_count(count)
        with self.lock:
            if self.stop_count:  # stopping workers must wake to see it
                while self._idle:
                    self._idle.pop().release()
