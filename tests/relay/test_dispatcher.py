"""The relay's waitress worker pool (relay_app/dispatcher.py): the worker that went idle last takes
the next request, every request is served once, and stopping still stops every worker."""

from __future__ import annotations

import threading
import time

from mobile_codex.relay_app.dispatcher import LastIdleFirst


class Job:
    """A task as waitress hands it to a worker: `service()` (and `cancel()` when never run)."""

    def __init__(self, done: list, hold: threading.Event | None = None):
        self.done = done
        self.hold = hold
        self.finished = threading.Event()
        self.canceled = False

    def service(self) -> None:
        if self.hold is not None:
            self.hold.wait(10)
        self.done.append(threading.get_ident())
        self.finished.set()

    def cancel(self) -> None:
        self.canceled = True


def all_idle(pool: LastIdleFirst, workers: int) -> None:
    deadline = time.monotonic() + 10
    while len(pool._idle) < workers:
        assert time.monotonic() < deadline, f"{len(pool._idle)} of {workers} workers idle"
        time.sleep(0.005)


def test_one_request_at_a_time_runs_on_the_worker_that_went_idle_last():
    # waitress's own pool wakes the worker idle longest, so these 20 would run on all 8 threads in turn.
    pool = LastIdleFirst()
    pool.set_thread_count(8)
    try:
        all_idle(pool, 8)
        done: list[int] = []
        for _ in range(20):
            job = Job(done)
            pool.add_task(job)
            assert job.finished.wait(10)
            all_idle(pool, 8)
        assert len(done) == 20 and len(set(done)) == 1
    finally:
        assert pool.shutdown(timeout=5)


def test_a_burst_from_many_threads_is_served_once_each_by_the_workers_it_needs():
    pool = LastIdleFirst()
    pool.set_thread_count(16)
    try:
        all_idle(pool, 16)
        hold = threading.Event()
        done: list[int] = []
        blocked = [Job(done, hold) for _ in range(3)]  # three workers busy until released
        for job in blocked:
            pool.add_task(job)
        jobs = [Job(done) for _ in range(400)]
        senders = [threading.Thread(target=lambda part: [pool.add_task(job) for job in part], args=(jobs[i::8],))
                   for i in range(8)]  # fmt: skip
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(10)
        assert all(job.finished.wait(10) for job in jobs)
        hold.set()
        assert all(job.finished.wait(10) for job in blocked)
        assert len(done) == 403
        all_idle(pool, 16)
    finally:
        assert pool.shutdown(timeout=5)


def test_stopping_wakes_and_ends_every_idle_and_busy_worker():
    pool = LastIdleFirst()
    pool.set_thread_count(6)
    all_idle(pool, 6)
    hold = threading.Event()
    busy = Job([], hold)
    pool.add_task(busy)
    threading.Timer(0.3, hold.set).start()  # the busy one finishes its request, then stops too
    started = time.monotonic()
    assert pool.shutdown(timeout=5) is True
    assert time.monotonic() - started < 3
    assert pool.threads == set() and busy.finished.is_set()  # each worker leaves the set as it ends
