"""Benchmark 5 — relay RSS and data-dir size vs history: M = 0, 1,000, 10,000 tasks.

A relay (sqlite, default 64 threads) and `--agents` paired agents; history grows through the API
(phone creates, agents claim by long-poll and report completed). At each M: the relay's RSS
(VmRSS; VmHWM = peak so far) from /proc/PID/status, its open fds, and the size of every file in
its dataDir (relay.sqlite3 and its -wal/-shm). Then the relay is restarted on the same data and
the same figures are read for a fresh process holding M = max history (start-up cost of history).
No target of its own (bench 4 has the RSS target); it shows what history costs in memory and disk.

    .venv/bin/python bench/memory_size.py [--history 0,1000,10000] [--agents 4]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import Phone, Relay, common_args, emit, load, pair_agents, raise_nofile, say, seed, table  # noqa: E402


def snapshot(relay: Relay, m: int, phase: str) -> dict:
    sizes = relay.data_bytes()
    return {
        "history": m, "phase": phase, "relayRssMb": relay.rss_mb(), "relayPeakRssMb": relay.peak_rss_mb(),
        "relayFds": len(os.listdir(f"/proc/{relay.pid}/fd")),
        "dbBytes": sizes.get("relay.sqlite3", 0), "walBytes": sizes.get("relay.sqlite3-wal", 0),
        "shmBytes": sizes.get("relay.sqlite3-shm", 0), "dataDirBytes": sizes["total"], "load": load(),
    }  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", default="0,1000,10000", help="comma-separated M values, increasing")
    parser.add_argument("--agents", type=int, default=4, help="agents that seed the history")
    common_args(parser)
    args = parser.parse_args(argv)
    raise_nofile()
    marks = [int(x) for x in args.history.split(",")]
    rows = []
    relay = Relay(keep=args.keep).start()
    try:
        phone = Phone(relay)
        agents = pair_agents(relay, phone, args.agents)
        have = 0
        for m in marks:
            if m > have:
                say(f"seeding {m - have} tasks (M {have} -> {m}; load {load()})")
                seeding = seed(relay, phone, agents, m - have, chunk=min(1000, m - have))
                say(f"  {seeding['rate']} tasks/s")
                have = m
            time.sleep(0.5)
            rows.append(snapshot(relay, m, "running"))
            say(f"M={m}: {rows[-1]}")
        relay.stop()
        t0 = time.perf_counter()
        relay.start()
        started_s = round(time.perf_counter() - t0, 2)
        Phone(relay).ok("GET", "/api/admin/state")  # one full view: history is really there
        rows.append({**snapshot(relay, have, "restarted"), "startSeconds": started_s})
        say(f"restarted: {rows[-1]}")
    finally:
        relay.close()
    print(table(
        ["M tasks", "phase", "RSS MB", "peak RSS MB", "fds", "db KB", "wal KB", "shm KB", "data dir KB", "bytes/task"],
        [[r["history"], r["phase"] + (f" ({r['startSeconds']}s)" if "startSeconds" in r else ""), r["relayRssMb"],
          r["relayPeakRssMb"], r["relayFds"], r["dbBytes"] // 1024, r["walBytes"] // 1024, r["shmBytes"] // 1024,
          r["dataDirBytes"] // 1024, round(r["dbBytes"] / r["history"]) if r["history"] else "-"] for r in rows],
        title=f"relay memory and data dir vs history (load {load()})",
    ))  # fmt: skip
    emit("memory_size", {"rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
