"""What the relay tidies on its own, in one place: one background sweeper, never a read path.

A sweep applies the deadlines nobody acts on — an agent whose polls stopped long enough for the
app to show it offline (its workspace's change cursor moves), a requested cancel the agent never
confirmed (`CANCEL_GRACE_SEC`), pairing codes and pair requests long past mattering, finished
tasks and spent codes past `retentionDays` — with the injected clock. Each step reads first,
writes only when something is due and re-checks every record in its write transaction, so several
relays sweeping one store at once do no harm (each change is made once) and an idle relay never
writes. The first step is the epoch rule (volatile_epoch.py): a wiped volatile store interrupts
the unfinished tasks, once. Presence and cancel deadlines are checked on every pass; the day-scale steps, which read
whole tables, at most hourly. The `Sweeper` thread sweeps every `SWEEP_INTERVAL_SEC` while the
relay serves (`relay`, `up`); tests call `sweep()` directly.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

import attrs

from mobile_codex.core.errors import VolatileStoreUnavailable
from mobile_codex.core.timeutil import Clock

from .agents import AgentService
from .notifications import NotificationService
from .pairing import PairingService
from .retention import Retention
from .tasks import TaskService
from .volatile_epoch import VolatileEpoch

log = logging.getLogger("mobile_codex.relay.housekeeping")

SWEEP_INTERVAL_SEC = 5.0
SLOW_STEPS_EVERY_SEC = 3600  # stale pairing records and retention: at most hourly, by the relay's clock


@attrs.frozen
class Swept:
    canceled_task_ids: tuple[str, ...] = ()
    pairing_records_deleted: int = 0
    past_retention_deleted: int = 0
    workspaces_with_agents_gone_offline: int = 0
    interrupted: int = 0  # unfinished tasks whose text a wiped volatile store took


class Housekeeping:
    def __init__(
        self, *, clock: Clock, agents: AgentService, tasks: TaskService, pairing: PairingService, retention: Retention,
        notify: NotificationService, epoch: VolatileEpoch,
    ):  # fmt: skip
        self.clock = clock
        self.epoch = epoch
        self.notify = notify  # owners hear of an agent gone offline
        self.agents = agents
        self.tasks = tasks
        self.pairing = pairing
        self.retention = retention
        self._slow_due: datetime | None = None  # when the day-scale steps may run again

    def sweep(self) -> Swept:
        """One pass over every deadline; what it changed."""
        now = self.clock()
        interrupted = self._reconcile_epoch()
        gone = self.agents.note_offline(now)  # memory only: no store read
        self.notify.agents_offline(sorted(gone))  # (reads the store only when a notifier is loaded)
        offline = len({workspace_id for workspace_id, _ in gone})
        canceled = tuple(self.tasks.finish_overdue_cancels(now))
        if self._slow_due is not None and now < self._slow_due:
            return Swept(canceled, workspaces_with_agents_gone_offline=offline, interrupted=interrupted)
        # Codes and history expire in days: reading those tables every few seconds would be waste.
        self._slow_due = now + timedelta(seconds=SLOW_STEPS_EVERY_SEC)
        return Swept(
            canceled, self.pairing.forget_stale(now), self.retention.forget_old(now),
            workspaces_with_agents_gone_offline=offline, interrupted=interrupted,
        )  # fmt: skip

    def _reconcile_epoch(self) -> int:
        try:
            return self.epoch.reconcile()
        except VolatileStoreUnavailable as err:  # Redis away: the other deadlines still apply
            log.warning("cannot read the volatile store's epoch: %s", err)
            return 0


class Sweeper:
    """Runs `housekeeping.sweep()` every `interval` seconds on a thread of its own until `stop()`."""

    def __init__(self, housekeeping: Housekeeping, *, interval: float = SWEEP_INTERVAL_SEC):
        self.housekeeping = housekeeping
        self.interval = interval
        self.sweeps = 0  # finished passes, for tests and diagnostics
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="relay-sweeper", daemon=True)

    def start(self) -> "Sweeper":
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.housekeeping.sweep()
            except Exception:  # a store that is busy or briefly unreachable: the next pass tries again
                log.exception("housekeeping sweep failed; trying again in %.0f s", self.interval)
            self.sweeps += 1
