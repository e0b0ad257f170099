"""Keeping the relay's serving threads together on one CPU (`server.oneCore`, on by default).

Only one relay thread runs Python at a time (the GIL), yet every request passes through several:
waitress's loop reads it, a worker runs the app, and each socket call or sqlite statement hands the
GIL over. With the threads spread over two or more cores, each hand-over wakes a thread on another
core and waits for it; held on one core, the hand-over is a plain switch. bench/idle_poll.py, 50
agents on the 2-core machine with nothing else running: 0.60 ms of relay CPU per idle poll spread
over the cores against 0.24 ms on one, p99/p50 3.2 against 2.4; on PostgreSQL + Redis 1.65 against
0.40 ms (bench/README.md, "Relay CPU per idle poll").

Only the serving threads are placed: waitress's loop and its workers (`enter` at their start). The
rest of the process keeps the whole set of CPUs it was given, so `up`'s agent and the Codex processes
it starts (a child inherits the affinity of the thread that forked it) are never held to one core.
Sleeping threads cost nothing where they are.

A core that something else keeps busy would slow the relay down with nothing to move it: Linux
moves the other program if it can, this moves the relay if it cannot. Every `every` seconds a
watcher compares the CPUs' busy time over the last window (/proc/stat, the relay's own share taken
off its core) and moves the serving threads to the least busy CPU when it is at least `margin` of a
core less busy (replicas on one machine each count the others as other work, and look at slightly
different moments, so they spread over the cores). The CPUs are those the relay was started with (`taskset`, a systemd `CPUAffinity=`,
a cgroup's cpuset), so an operator's choice is kept.
"""

from __future__ import annotations

import logging
import os
import random
import threading
from pathlib import Path

log = logging.getLogger("mobile_codex.relay")

WATCH_EVERY_S = 5.0
MOVE_MARGIN = 0.25  # of one core's time over the window


def cpu_times(stat_text: str) -> dict[int, tuple[int, int]]:
    """{cpu: (busy, total)} in clock ticks from the text of /proc/stat (idle and iowait are not busy)."""
    times = {}
    for line in stat_text.splitlines():
        name, _, rest = line.partition(" ")
        if not name.startswith("cpu") or name == "cpu":
            continue
        ticks = [int(x) for x in rest.split()[:8]]  # user nice system idle iowait irq softirq steal
        total = sum(ticks)
        times[int(name[3:])] = (total - ticks[3] - ticks[4], total)
    return times


def thread_ticks(stat_text: str) -> int:
    """utime + stime (clock ticks) from the text of /proc/<pid>/task/<tid>/stat."""
    fields = stat_text.rpartition(")")[2].split()  # the name in brackets may hold spaces
    return int(fields[11]) + int(fields[12])


def least_busy(before: dict[int, tuple[int, int]], after: dict[int, tuple[int, int]], cpus: list[int], current: int,
               own_ticks: int, margin: float = MOVE_MARGIN) -> int:
    """The CPU to hold the serving threads for the next window: `current` unless another of `cpus`
    was at least `margin` (of a core) less busy with other work over the window between the two
    /proc/stat readings. `own_ticks` is what the serving threads spent meanwhile, all on `current`."""

    def others(cpu: int) -> float:
        busy = after[cpu][0] - before[cpu][0]
        total = after[cpu][1] - before[cpu][1]
        if cpu == current:
            busy -= own_ticks
        return max(busy, 0) / total if total > 0 else 0.0

    known = [cpu for cpu in cpus if cpu in before and cpu in after]
    if current not in known:
        return min(known, key=others) if known else current
    best = min(known, key=lambda cpu: (others(cpu), cpu != current))
    return best if others(current) - others(best) >= margin else current


class OneCore:
    """The serving threads' CPU: each calls `enter()` as it starts and `leave()` as it ends;
    `start()` begins the watcher that moves them all when another CPU is much less busy."""

    def __init__(self, *, every: float = WATCH_EVERY_S, margin: float = MOVE_MARGIN, proc: Path = Path("/proc")) -> None:
        # Linux only (sched_setaffinity, /proc): elsewhere there is one "CPU" and nothing is placed
        self._cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_setaffinity") else [0]
        self._every, self._margin, self._proc = every, margin, proc
        self._lock = threading.Lock()
        self._tids: set[int] = set()
        self._cpu = self._where_this_thread_runs()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    @property
    def cpu(self) -> int:
        return self._cpu

    @property
    def useful(self) -> bool:
        """One CPU to choose from: the serving threads are on it already, nothing to place."""
        return len(self._cpus) > 1

    def enter(self) -> None:
        if not self.useful:
            return
        tid = threading.get_native_id()
        with self._lock:
            self._tids.add(tid)
            self._pin(tid, self._cpu)

    def leave(self) -> None:
        with self._lock:
            self._tids.discard(threading.get_native_id())

    def start(self) -> OneCore:
        if self.useful and self._watcher is None:
            self._watcher = threading.Thread(target=self._watch, name="cpu-placement", daemon=True)
            self._watcher.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(5)

    def move_to(self, cpu: int) -> None:
        """Hold every serving thread on `cpu` from now on (one of the CPUs the relay started with)."""
        if cpu not in self._cpus:
            raise ValueError(f"CPU {cpu} is not among the relay's CPUs {self._cpus}")
        with self._lock:
            self._cpu = cpu
            for tid in list(self._tids):
                self._pin(tid, cpu)

    def _pin(self, tid: int, cpu: int) -> None:
        # under self._lock; a thread id is the kernel's and could be reused by another process once
        # its thread ended, so only a thread of this process that entered and has not left is pinned
        try:
            os.sched_setaffinity(tid, {cpu})
        except ProcessLookupError:
            self._tids.discard(tid)
        except OSError as err:  # a cpuset shrunk under us: leave placement to the OS from now on
            log.warning("cpu placement: cannot hold the relay's threads on CPU %d (%s); leaving them to the OS", cpu, err)
            self._cpus = [cpu]

    def _where_this_thread_runs(self) -> int:
        try:
            cpu = int((self._proc / "thread-self" / "stat").read_text().rpartition(")")[2].split()[36])
        except (OSError, ValueError, IndexError):
            cpu = -1
        return cpu if cpu in self._cpus else self._cpus[0]

    def _serving_ticks(self) -> int:
        with self._lock:
            tids = list(self._tids)
        ticks = 0
        for tid in tids:
            try:
                ticks += thread_ticks((self._proc / "self" / "task" / str(tid) / "stat").read_text())
            except (OSError, ValueError, IndexError):
                pass  # it ended
        return ticks

    def _watch(self) -> None:
        try:
            before, own_before = cpu_times((self._proc / "stat").read_text()), self._serving_ticks()
            # the period varies a little, so relays on one machine (replicas) do not all move at once
            while not self._stop.wait(self._every * random.uniform(0.8, 1.2)) and self.useful:
                after, own_after = cpu_times((self._proc / "stat").read_text()), self._serving_ticks()
                cpu = least_busy(before, after, self._cpus, self._cpu, own_after - own_before, self._margin)
                if cpu != self._cpu:
                    log.info("cpu placement: moving the relay's threads from CPU %d to the less busy CPU %d", self._cpu, cpu)
                    self.move_to(cpu)
                before, own_before = after, own_after
        except Exception:  # never take the relay down over placement
            log.exception("cpu placement: the watcher stopped; threads stay on CPU %d", self._cpu)
