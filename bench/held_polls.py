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
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import Relay, common_args, emit, load, measure_held, raise_nofile, say, table  # noqa: E402

TARGET_N = 250
TARGET_P99_MS = 100
TARGET_RSS_MB = 300


def run_n(n: int, tasks: int, keep: bool) -> dict:
    with Relay(threads=n + 16, keep=keep) as relay:
        held = measure_held([relay], n, tasks, f"N={n}")
    return {
        "agents": n, "threads": n + 16, **held["dispatch"], "refusedHolds": held["refusedHolds"],
        "idleRepliesDuringRun": held["idleRepliesDuringRun"], "relayRssIdleMb": held["rssIdleMb"][0],
        "relayRssHeldMb": held["rssHeldMb"][0], "relayRssAfterMb": held["rssAfterMb"][0],
        "relayPeakRssMb": held["peakRssMb"][0], "relayFds": held["fds"][0], "load": held["load"],
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
