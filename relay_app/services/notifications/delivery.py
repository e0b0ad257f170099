"""Handing events to the notifier plugins, off every request's thread.

A request that raises an event only appends to a bounded in-memory queue (`DeliveryQueue.put`):
a slow or dead channel never delays an API answer. Worker threads take one delivery (one event for
one channel) at a time and run the channel's `deliver` on a thread of its own, abandoned past the
channel's timeout (a call into a socket cannot be interrupted; a channel that hangs leaves one
thread waiting, never a worker). `DeliveryFailed(retry_after=…)` (a 429 or 5xx) puts the delivery
back, due after the wait the channel asked for (or, when it named none, an exponential backoff),
capped by `retryMaxDelaySec`, at most `retries` times. A full queue drops its oldest delivery
and counts it (`stats`). Nothing of an event is written anywhere.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections import deque
from typing import Callable

import attrs

from mobile_codex.core.config.relay import NotificationsConfig
from mobile_codex.core.notifications import DeliveryFailed, NotificationEvent
from mobile_codex.core.plugin_types import NotifierSpec

log = logging.getLogger("mobile_codex.relay.notifications")

BACKOFF_BASE_SEC = 1.0


@attrs.define
class Delivery:
    notifier: NotifierSpec
    event: NotificationEvent
    attempt: int = 0  # tries already made


@attrs.define
class DeliveryStats:
    """Counters since the relay started (diagnostics and tests)."""

    delivered: int = 0
    failed: int = 0  # given up: no retry asked, retries used up, or an unexpected error
    retried: int = 0
    timed_out: int = 0
    dropped: int = 0  # the oldest delivery, pushed out of a full queue


class DeliveryQueue:
    """Bounded queue + worker threads; `start()` once, `stop()` when the relay stops."""

    def __init__(self, settings: NotificationsConfig, *, monotonic: Callable[[], float] = time.monotonic):
        self.settings = settings
        self.monotonic = monotonic
        self.stats = DeliveryStats()
        self._ready: deque[Delivery] = deque()
        self._later: list[tuple[float, int, Delivery]] = []  # heap of (due, seq, delivery): retries
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._stopping = False
        self._workers: list[threading.Thread] = []

    def start(self) -> "DeliveryQueue":
        for number in range(self.settings.workers):
            worker = threading.Thread(target=self._work, name=f"relay-notify-{number}", daemon=True)
            worker.start()
            self._workers.append(worker)
        return self

    def put(self, notifier: NotifierSpec, event: NotificationEvent) -> None:
        """Queue one delivery; never blocks (a full queue forgets its oldest one instead)."""
        with self._cond:
            if self._stopping:
                return
            self._make_room()
            self._ready.append(Delivery(notifier, event))
            self._cond.notify()

    def pending(self) -> int:
        with self._cond:
            return len(self._ready) + len(self._later)

    def stop(self, timeout: float = 2.0) -> None:
        """Stop taking deliveries; workers finish the one in hand (each bounded by its timeout)."""
        with self._cond:
            self._stopping = True
            self._ready.clear()
            self._later.clear()
            self._cond.notify_all()
        deadline = time.monotonic() + timeout
        for worker in self._workers:
            worker.join(max(0.0, deadline - time.monotonic()))

    # --- the workers -------------------------------------------------------------------------

    def _make_room(self) -> None:
        while len(self._ready) + len(self._later) >= self.settings.queue_size:
            if self._ready:
                self._ready.popleft()
            else:
                heapq.heappop(self._later)  # only retries wait: the soonest due is the oldest try
            self.stats.dropped += 1

    def _next(self) -> Delivery | None:
        with self._cond:
            while not self._stopping:
                now = self.monotonic()
                while self._later and self._later[0][0] <= now:
                    self._ready.append(heapq.heappop(self._later)[2])
                if self._ready:
                    return self._ready.popleft()
                self._cond.wait(self._later[0][0] - now if self._later else None)
            return None

    def _work(self) -> None:
        while (delivery := self._next()) is not None:
            self._deliver(delivery)

    def _deliver(self, delivery: Delivery) -> None:
        notifier = delivery.notifier
        outcome: list[BaseException | None] = []

        def call() -> None:
            try:
                notifier.deliver(delivery.event)
                outcome.append(None)
            except BaseException as err:  # handed to the worker, which decides
                outcome.append(err)

        runner = threading.Thread(target=call, name=f"relay-notify-{notifier.id}", daemon=True)
        runner.start()
        runner.join(min(notifier.timeout_sec, self.settings.timeout_sec))
        if not outcome:
            self._count("timed_out")
            log.warning("notifier %s took longer than its timeout; delivery %s abandoned", notifier.id, delivery.event.kind)
            return
        err = outcome[0]
        if err is None:
            self._count("delivered")
        elif isinstance(err, DeliveryFailed) and err.retry_after is not None and delivery.attempt < self.settings.retries:
            self._retry(delivery, err.retry_after)
        else:
            self._count("failed")
            log.warning("notifier %s could not deliver a %s notification: %s", notifier.id, delivery.event.kind, err)

    def _retry(self, delivery: Delivery, retry_after: float) -> None:
        wait = retry_after if retry_after > 0 else BACKOFF_BASE_SEC * 2**delivery.attempt
        delay = min(wait, self.settings.retry_max_delay_sec)
        with self._cond:
            self.stats.retried += 1
            if self._stopping:
                return
            self._make_room()
            again = attrs.evolve(delivery, attempt=delivery.attempt + 1)
            heapq.heappush(self._later, (self.monotonic() + delay, next(self._seq), again))
            self._cond.notify()

    def _count(self, name: str) -> None:
        with self._cond:
            setattr(self.stats, name, getattr(self.stats, name) + 1)
