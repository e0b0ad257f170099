"""Benchmark 11 — one and two relay replicas on PostgreSQL + Redis (issue 19), one SQLite relay beside them.

Three setups, each measured the same way:
- `sqlite x1`: one relay on its default storage and the in-process volatile store (the reference);
- `pg+redis x1`: one relay on the benchmark's own ephemeral PostgreSQL and Redis (`SharedStores`);
- `pg+redis x2`: two relay processes on that same config (`relay --port P`, one database, one Redis).

Figures per setup:
- dispatch: one agent long-polls (waitMs 25000) on replica A while the phone creates each task through
  replica B (on one relay: the same one), timed as in bench 1. Target: p99 <= 50 ms at x2.
- idle polls: K agents (50; at x2 half on each replica) poll back to back (waitMs 0, the full report) in
  `--rounds` windows at M = 0 and M = `--history` tasks of history (seeded through the API on the first
  replica; `--history 0` seeds nothing and measures M = 0 only). polls/s (all replicas, best window),
  p50/p99, relay CPU ms per poll (all replicas' CPU over all polls, median window), and the PostgreSQL and
  Redis servers' CPU per poll.
  Target: relay CPU <= 1 ms per poll on pg+redis x1 at M = 0.
- held polls: N (500) agents each holding a poll (waitMs 25000; at x2 N/2 on each replica, each with
  `server.threads` = its share + 16) while dispatch to one of them is timed (created on the other
  replica); every poll must be held (`refused` 0); RSS per replica.

    .venv/bin/python bench/replicas.py [--agents 50] [--history 10000] [--held 500] [--tasks 200] [--quick]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402
    Agent, Phone, Relay, SharedStores, common_args, dispatch_across, emit, load, measure_held, measure_idle, ms,
    pair_agents, percentile, raise_nofile, say, seed, split, table,
)  # fmt: skip

TARGET_DISPATCH_P99_MS = 50
TARGET_CPU_MS_PER_POLL = 1.0


def idle_rounds(relays: list[Relay], agents: list[Agent], rounds: int, seconds: float, stores: SharedStores | None) -> dict:
    groups = split(relays, agents)
    probes = {"postgres": lambda: stores.cpu_seconds()["postgres"], "redis": lambda: stores.cpu_seconds()["redis"]} if stores else {}
    windows = [measure_idle(groups, seconds, probes=probes) for _ in range(rounds)]
    for group in groups:
        for agent in group[1]:
            agent.close()
    per_window = []
    for window in windows:
        polls = sum(g["polls"] for g in window)
        per_window.append({
            "pollsPerSec": round(polls / seconds, 1),
            "cpuMsPerPoll": round(sum(g["cpuMs"] for g in window) / max(polls, 1), 3),
            "latencies": [x for g in window for x in g["latencies"]],
            "probes": window[0]["probeMsPerPoll"],
        })  # fmt: skip
    latencies = [x for w in per_window for x in w["latencies"]]
    median = sorted(per_window, key=lambda w: w["cpuMsPerPoll"])[len(per_window) // 2]
    return {
        "pollsPerSec": max(w["pollsPerSec"] for w in per_window), "pollsPerSecRounds": [w["pollsPerSec"] for w in per_window],
        "p50Ms": ms(percentile(latencies, 50)), "p99Ms": ms(percentile(latencies, 99)),
        "cpuMsPerPoll": median["cpuMsPerPoll"], "postgresMsPerPoll": median["probes"].get("postgres"),
        "redisMsPerPoll": median["probes"].get("redis"), "load": load(),
    }  # fmt: skip


def main_setup(name: str, relays: list[Relay], args, stores: SharedStores | None) -> dict:
    """Dispatch and idle polls at M = 0 and M = history on `relays` (started; the first is the config's owner).
    For pg+redis both replica counts share one database: x1 is measured with only the first replica running."""
    first = relays[0]
    phone = Phone(first)
    (measured,) = pair_agents(first, phone, 1, prefix="measured")
    agents = pair_agents(first, phone, args.agents, prefix="idle")
    counts = [1] if len(relays) == 1 else [1, 2]
    rows = {n: {"setup": f"{name} x{n}", "replicas": n} for n in counts}

    def phase(n: int, history: int) -> None:
        running = relays[:n]
        row = rows[n]
        if history == 0:
            say(f"{row['setup']}: dispatch, poll on pid {running[0].pid}, create on pid {running[-1].pid} (load {load()})")
            row["dispatch"] = dispatch_across(running[0], running[-1], phone, measured, args.tasks)
        say(f"{row['setup']}: idle polls at M={history}, {args.agents} agents (load {load()})")
        row[f"idleM{history}"] = idle_rounds(running, agents, args.rounds, args.seconds, stores)
        row["rssMb"] = [r.rss_mb() for r in running]
        say(f"{row['setup']}: {row}")

    phase(1, 0)
    if len(relays) > 1:
        relays[1].start()
        phase(2, 0)
    if args.history == 0:  # M = 0 only: there is nothing to seed
        phone.close()
        return rows
    # Seeded through the first replica only, as bench 3 seeds (x1 and x2 then share that history). Before
    # task text was shared, seeding through both made the creating replica refuse creates (429) after a
    # thousand or so tasks completed through the other: their text kept its room there as unfinished.
    say(f"{name}: seeding {args.history} tasks through pid {first.pid} (load {load()})")
    seeding = seed(first, phone, [a for _, group in split([first], agents) for a in group], args.history,
                   label=f" {name}", chunk=min(1000, args.history))  # fmt: skip
    for n in counts:
        rows[n]["seedRate"] = seeding["rate"]
    for n in reversed(counts):
        if n < len(relays):
            for relay in relays[n:]:
                relay.stop()
        phase(n, args.history)
    phone.close()
    return rows


def cluster(count: int, threads: int, keep: bool, stores: SharedStores | None, database: str, db: int) -> list[Relay]:
    """`count` replicas of one config (not started): sqlite without `stores`, else database `database` and Redis db `db`."""
    backends = {"storage": stores.storage(database), "volatile": stores.volatile(db)} if stores else {}
    first = Relay(threads=threads, keep=keep, **backends)
    return [first] + [first.replica() for _ in range(count - 1)]


def run(args) -> tuple[list[dict], list[dict]]:
    main_rows, held_rows = [], []
    relays = cluster(1, 64, args.keep, None, "", 0)
    try:
        relays[0].start()
        main_rows += main_setup("sqlite", relays, args, None).values()
    finally:
        relays[0].close()
    if args.held:
        relays = cluster(1, args.held + 16, args.keep, None, "", 0)
        try:
            relays[0].start()
            held_rows.append({"setup": "sqlite x1", **measure_held(relays, args.held, args.tasks, "sqlite x1")})
        finally:
            relays[0].close()
    with SharedStores() as stores:
        say(f"PostgreSQL pid {stores.postgres_pid()}, Redis pid {stores.redis.process.pid}")
        relays = cluster(2, 64, args.keep, stores, "bench", 0)
        try:
            relays[0].start()
            main_rows += main_setup("pg+redis", relays, args, stores).values()
        finally:
            for relay in reversed(relays):
                relay.close()
        if args.held:
            relays = cluster(2, args.held // 2 + 16, args.keep, stores, "held", 1)
            try:
                for relay in relays:
                    relay.start()
                held_rows.append({"setup": "pg+redis x2", **measure_held(relays, args.held, args.tasks, "pg+redis x2")})
            finally:
                for relay in reversed(relays):
                    relay.close()
    return main_rows, held_rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=50, help="K agents polling back to back (split over the replicas)")
    parser.add_argument("--history", type=int, default=10000,
                        help="M tasks of history for the second idle measure (0: seed nothing, measure M = 0 only)")
    parser.add_argument("--held", type=int, default=500, help="N agents holding polls (0: skip)")
    parser.add_argument("--tasks", type=int, default=200, help="tasks dispatched per dispatch measure")
    parser.add_argument("--seconds", type=float, default=3.0, help="one idle window")
    parser.add_argument("--rounds", type=int, default=3, help="idle windows per measure")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 20 agents, 500 tasks of history, N = 100, "
                        "50 tasks, 1 x 2 s windows, each unless given (not the issue's figures)")  # fmt: skip
    common_args(parser)
    args = parser.parse_args(argv)
    if args.history < 0:
        parser.error("--history must be 0 or more")
    if args.quick:  # its sizes stand in for the defaults only: `--quick --history 0` seeds nothing
        quick = {"agents": 20, "history": 500, "held": 100, "tasks": 50, "seconds": 2.0, "rounds": 1}
        for name, value in quick.items():
            if getattr(args, name) == parser.get_default(name):
                setattr(args, name, value)
    limit = raise_nofile()
    if limit < 2 * args.held + 200:
        say(f"warning: only {limit} file descriptors allowed (ulimit -n); N = {args.held} may fail")
    main_rows, held_rows = run(args)
    m = args.history
    seeded = m > 0  # the M = history columns; with no history they would repeat the M = 0 ones
    columns = [  # (header, figure of a row, shown)
        ("setup", lambda r: r["setup"], True), ("dispatch p50 ms", lambda r: r["dispatch"]["dispatchP50Ms"], True),
        ("p99 ms", lambda r: r["dispatch"]["dispatchP99Ms"], True), ("held", lambda r: r["dispatch"]["heldReplies"], True),
        ("with prompt", lambda r: r["dispatch"]["withPrompt"], True),
        ("idle polls/s M=0", lambda r: r["idleM0"]["pollsPerSec"], True), (f"M={m}", lambda r: r[f"idleM{m}"]["pollsPerSec"], seeded),
        ("p50 ms M=0", lambda r: r["idleM0"]["p50Ms"], True), ("p99 ms M=0", lambda r: r["idleM0"]["p99Ms"], True),
        (f"p99 ms M={m}", lambda r: r[f"idleM{m}"]["p99Ms"], seeded),
        ("relay CPU ms/poll M=0", lambda r: r["idleM0"]["cpuMsPerPoll"], True),
        (f"M={m}", lambda r: r[f"idleM{m}"]["cpuMsPerPoll"], seeded),
        ("PG ms/poll M=0", lambda r: r["idleM0"]["postgresMsPerPoll"] if r["idleM0"]["postgresMsPerPoll"] is not None else "-", True),
        ("Redis ms/poll M=0", lambda r: r["idleM0"]["redisMsPerPoll"] if r["idleM0"]["redisMsPerPoll"] is not None else "-", True),
        ("RSS MB", lambda r: " + ".join(str(x) for x in r["rssMb"]), True), ("load", lambda r: r["idleM0"]["load"], True),
    ]  # fmt: skip
    columns = [(header, figure) for header, figure, shown in columns if shown]
    print(table(
        [header for header, _ in columns], [[figure(r) for _, figure in columns] for r in main_rows],
        title=(f"replicas: dispatch created on the other replica (target p99 <= {TARGET_DISPATCH_P99_MS} ms at x2), "
               f"{args.agents} agents' idle polls (target relay CPU <= {TARGET_CPU_MS_PER_POLL} ms/poll on pg+redis x1); "
               f"load {load()}"),
    ))  # fmt: skip
    if held_rows:
        print(table(
            ["setup", "N held", "threads/replica", "refused", "dispatch p50 ms", "p99 ms", "RSS idle MB", "RSS held MB",
             "RSS peak MB", "fds", "load"],
            [[r["setup"], r["agents"], r["threadsPerRelay"], r["refusedHolds"], r["dispatch"]["dispatchP50Ms"],
              r["dispatch"]["dispatchP99Ms"], " + ".join(map(str, r["rssIdleMb"])), " + ".join(map(str, r["rssHeldMb"])),
              " + ".join(map(str, r["peakRssMb"])), " + ".join(map(str, r["fds"])), r["dispatch"]["load"]] for r in held_rows],
            title=f"held polls: every poll held, spread over the replicas, dispatch to one (load {load()})",
        ))  # fmt: skip
    by_setup = {r["setup"]: r for r in main_rows}
    dispatch_met = by_setup["pg+redis x2"]["dispatch"]["dispatchP99Ms"] <= TARGET_DISPATCH_P99_MS
    cpu_met = by_setup["pg+redis x1"]["idleM0"]["cpuMsPerPoll"] <= TARGET_CPU_MS_PER_POLL
    held_met = all(r["refusedHolds"] == 0 for r in held_rows)
    emit("replicas", {"rows": main_rows, "heldRows": held_rows, "dispatchTargetMet": dispatch_met, "cpuTargetMet": cpu_met,
                      "heldTargetMet": held_met, "targetMet": dispatch_met and cpu_met and held_met})  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
