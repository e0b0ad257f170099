"""Benchmark 4 — many held long-polls: N = 100, 250, 500 agents holding polls while dispatch to one is timed.

For each N a fresh relay (sqlite) started with `server.threads` = N + 16 (so N held polls fit
under the capacity rule's threads - 8) and N paired agents. N - 1 agents hold long-polls
(waitMs 25000, maxTasks 1, the full capability report; each re-polls when its poll ends) and one
agent is measured like bench 1: time from POST /api/admin/tasks to its held poll's reply carrying
the task. A poll the relay refused to hold (answered at once, heldMs < waitMs/2) is counted; that
agent then waits 2.5 s as a real one would. Relay RSS (VmRSS, and the VmHWM peak) is read from
/proc/PID/status. Target: at N = 250, dispatch p99 <= 100 ms and relay RSS < 300 MB.

    .venv/bin/python bench/held_polls.py [--agents 100,250,500] [--tasks 200]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402
    Phone, Relay, common_args, emit, hold_polls, load, measure_dispatch, pair_agents, raise_nofile, say, table,
)  # fmt: skip

TARGET_N = 250
TARGET_P99_MS = 100
TARGET_RSS_MB = 300


def run_n(n: int, tasks: int, keep: bool) -> dict:
    with Relay(threads=n + 16, keep=keep) as relay:
        phone = Phone(relay)
        started = time.perf_counter()
        agents = pair_agents(relay, phone, n, prefix=f"n{n}")
        say(f"N={n}: relay pid {relay.pid}; paired {n} agents in {time.perf_counter() - started:.1f}s; relay threads {relay.os_threads()} (load {load()})")
        rss_idle = relay.rss_mb()
        measured, idle = agents[0], agents[1:]
        stop, lock = threading.Event(), threading.Lock()
        counters = {"sent": 0, "answered": 0, "refused": 0, "errors": []}
        threads = hold_polls(idle, stop, counters, lock)
        deadline = time.monotonic() + 30
        while counters["sent"] < len(idle) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0 + n / 250)  # let the relay take them all into its wait
        rss_held = relay.rss_mb()
        fds = len(os.listdir(f"/proc/{relay.pid}/fd"))
        say(f"N={n}: {counters['sent']} polls held, relay RSS {rss_held} MB, {fds} fds; dispatching {tasks} tasks")
        figures = measure_dispatch(phone, measured, tasks)
        rss_after = relay.rss_mb()
        peak = relay.peak_rss_mb()
        stop.set()
        with lock:
            refused, answered, errors = counters["refused"], counters["answered"], list(counters["errors"])
        relay.stop()  # ends the held polls
        for t in threads:
            t.join(5)
    if errors:
        raise RuntimeError(f"held polls failed: {errors[:3]}")
    return {
        "agents": n, "threads": n + 16, **figures, "refusedHolds": refused, "idleRepliesDuringRun": answered,
        "relayRssIdleMb": rss_idle, "relayRssHeldMb": rss_held, "relayRssAfterMb": rss_after, "relayPeakRssMb": peak,
        "relayFds": fds, "load": load(),
    }  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", default="100,250,500", help="comma-separated N values")
    parser.add_argument("--tasks", type=int, default=200, help="tasks dispatched to the measured agent per N")
    common_args(parser)
    args = parser.parse_args(argv)
    limit = raise_nofile()
    ns = [int(x) for x in args.agents.split(",")]
    if limit < 2 * max(ns) + 200:
        say(f"warning: only {limit} file descriptors allowed (ulimit -n); the largest N may fail")
    rows = []
    for n in ns:
        row = run_n(n, args.tasks, args.keep)
        say(f"N={n}: {row}")
        rows.append(row)
    target = next((r for r in rows if r["agents"] == TARGET_N), None)
    met = None if target is None else (
        target["dispatchP99Ms"] <= TARGET_P99_MS and target["relayPeakRssMb"] < TARGET_RSS_MB and target["refusedHolds"] == 0
    )  # fmt: skip
    print(table(
        ["N held", "threads", "refused", "p50 ms", "p90 ms", "p99 ms", "max ms", "create p99", "RSS idle MB", "RSS held MB",
         "RSS peak MB", "relay fds"],
        [[r["agents"], r["threads"], r["refusedHolds"], r["dispatchP50Ms"], r["dispatchP90Ms"], r["dispatchP99Ms"],
          r["dispatchMaxMs"], r["createP99Ms"], r["relayRssIdleMb"], r["relayRssHeldMb"], r["relayPeakRssMb"], r["relayFds"]]
         for r in rows],
        title=(f"held long-polls + dispatch to one agent (target at N={TARGET_N}: p99 <= {TARGET_P99_MS} ms, "
               f"RSS < {TARGET_RSS_MB} MB; load {load()})"),
    ))  # fmt: skip
    emit("held_polls", {"rows": rows, "targetMet": met})
    return 0


if __name__ == "__main__":
    sys.exit(main())
