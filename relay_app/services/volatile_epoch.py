"""The epoch rule: unfinished tasks are interrupted only when their text is really gone.

A task's text lives in the shared volatile store only (core/volatile_store.py). Its `epoch()`
changes exactly when that store starts empty: every start of a relay on the `memory` backend, a
restart or FLUSHALL of Redis. The stored `RelayMeta.volatile_epoch` names the epoch the unfinished
tasks were last made consistent with, so at start a relay interrupts them only when the epoch
differs: on `memory` that is every start (as always), on Redis a replica's restart leaves the
other replicas' work running. While serving, the housekeeping sweep calls `reconcile()` again, so a
Redis wiped under running relays interrupts the unfinished tasks once (the check and the meta write
share one write transaction: several replicas noticing at once interrupt once). The change feed
then reads its cursors' key from the new store.

The shared epoch is compared with the last one this process reconciled first, so an unchanged epoch
costs the store nothing. A task created between a wipe and the sweep that notices it (at most one
sweep interval) is interrupted with the others: its text may survive, but no task keeps running on
text that is gone.
"""

from __future__ import annotations

import logging

from mobile_codex.core.volatile_store import VolatileStore

from .events import ChangeFeed
from .tasks import TaskService

log = logging.getLogger("mobile_codex.relay.volatile_epoch")


class VolatileEpoch:
    def __init__(self, shared: VolatileStore, tasks: TaskService, feed: ChangeFeed):
        self._shared = shared
        self._tasks = tasks
        self._feed = feed
        self._reconciled: str | None = None  # the epoch this process last made the store consistent with

    def reconcile(self) -> int:
        """Interrupt the unfinished tasks if the shared store's epoch is not the stored one; how many."""
        epoch = self._shared.epoch()
        if epoch == self._reconciled:
            return 0
        self._feed.new_epoch()  # its cursors are keyed by the store's epoch and salt
        interrupted = self._tasks.interrupt_unfinished(epoch)
        self._reconciled = epoch
        if interrupted:
            log.warning("the volatile store is new (epoch %s): %d unfinished task(s) interrupted", epoch[:8],
                        interrupted)  # fmt: skip
        return interrupted
