"""Run every benchmark in turn and print a summary of the targets.

    .venv/bin/python bench/run_all.py [--quick]

Each benchmark runs as its own process (its table goes straight to the terminal); the JSON line
each prints is collected, and a last table says which targets were met. `--quick` runs smaller
versions (fewer tasks, shorter windows) for a smoke check; the issue's figures come from a full run.
Exit status 0 when every target is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

FULL = {
    "dispatch_latency": [],
    "output_latency": [],
    "idle_poll": [],
    "held_polls": [],
    "memory_size": [],
    "shutdown": [],
    "soak": [],
    "interactive_roundtrip": [],
    "push_latency": [],
    "state_deltas": [],
    "replicas": [],
}
QUICK = {
    "dispatch_latency": ["--tasks", "200"],
    "output_latency": ["--updates", "100"],
    "idle_poll": ["--history", "0,1000", "--rounds", "1", "--seconds", "1"],
    "held_polls": ["--agents", "100,250", "--tasks", "200"],
    "memory_size": ["--history", "0,1000"],
    "shutdown": ["--runs", "5"],
    "soak": ["--minutes", "3", "--minute-seconds", "20"],
    "interactive_roundtrip": ["--rounds", "100"],
    "push_latency": ["--rounds", "100"],
    "state_deltas": ["--updates", "50"],
    "replicas": ["--quick"],
}


def run(name: str, extra: list[str]) -> dict | None:
    print(f"\n=== {name} {' '.join(extra)} (load {' '.join(f'{x:.2f}' for x in os.getloadavg())})", flush=True)
    proc = subprocess.run([sys.executable, str(HERE / f"{name}.py"), *extra], stdout=subprocess.PIPE, text=True)
    doc = None
    for line in proc.stdout.splitlines():
        if line.startswith('{"bench"'):
            doc = json.loads(line)
        print(line, flush=True)
    if proc.returncode != 0:
        print(f"{name} failed with exit status {proc.returncode}", flush=True)
    return doc


def summary(docs: dict[str, dict | None]) -> list[tuple[str, str, object]]:
    lines = []

    def row(target: str, figure: str, met) -> None:
        lines.append((target, figure, "yes" if met else ("n/a" if met is None else "NO")))

    d = docs.get("dispatch_latency")
    if d:
        row("dispatch p50 <= 20 ms, p99 <= 100 ms", f"p50 {d['dispatchP50Ms']} ms, p99 {d['dispatchP99Ms']} ms", d["targetMet"])
    o = docs.get("output_latency")
    if o:
        row("output latency p50 <= 50 ms", f"p50 {o['outputP50Ms']} ms (p99 {o['outputP99Ms']} ms)", o["targetMet"])
    i = docs.get("idle_poll")
    if i:
        row("idle poll throughput at max M >= 90% of M=0", f"vs ref {i['sameTimeRatio']} (plain {i['throughputRatio']})",
            i["ratioTargetMet"])
        rates = [r["seedMinChunkRate"] for r in i["rows"] if r["seedMinChunkRate"]]
        row("seeding >= 200 tasks/s at every M", f"slowest 1k chunk {min(rates) if rates else '-'} tasks/s", i["seedTargetMet"])
    h = docs.get("held_polls")
    if h:
        r250 = next((r for r in h["rows"] if r["agents"] == 250), None)
        figure = f"p99 {r250['dispatchP99Ms']} ms, peak RSS {r250['relayPeakRssMb']} MB" if r250 else "not run"
        row("250 held polls: dispatch p99 <= 100 ms, RSS < 300 MB", figure, h["targetMet"])
    s = docs.get("shutdown")
    if s:
        for name, target in (("up", "up stops within 3 s in every run"), ("relay", "relay with held requests stops within 2 s")):
            f = s.get(name)
            if f:
                row(target, f"{f['withinTarget']}/{f['runs']} runs, max {f['maxSec']} s", f["targetMet"])
    r = docs.get("interactive_roundtrip")
    if r:
        figure = f"request p99 {r['requestP99Ms']} ms, answer p99 {r['answerP99Ms']} ms"
        row("interactive: request -> phone and answer -> agent p99 <= 100 ms", figure, r["targetMet"])
    p = docs.get("push_latency")
    if p:
        row("push: requestsAdd -> Web Push received p99 <= 250 ms", f"p50 {p['p50Ms']} ms, p99 {p['p99Ms']} ms", p["targetMet"])
    d = docs.get("state_deltas")
    if d:
        figure = f"{d['deltaBytesP50']} of {d['fullBytesP50']} bytes per update ({d['bytesRatio']:.1%})"
        row("state deltas: bytes per update <= 10 % of the whole list", figure, d["targetMet"])
    r = docs.get("replicas")
    if r:
        rows = {x["setup"]: x for x in r["rows"]}
        two = rows["pg+redis x2"]["dispatch"]
        row("replicas: dispatch created on the other replica p99 <= 50 ms (pg+redis x2)",
            f"p50 {two['dispatchP50Ms']} ms, p99 {two['dispatchP99Ms']} ms", r["dispatchTargetMet"])
        one = rows["pg+redis x1"]["idleM0"]
        row("replicas: relay CPU per idle poll <= 1 ms (pg+redis x1)",
            f"{one['cpuMsPerPoll']} ms (sqlite {rows['sqlite x1']['idleM0']['cpuMsPerPoll']} ms)", r["cpuTargetMet"])
        for held in r["heldRows"]:
            row(f"replicas: {held['agents']} polls held ({held['setup']}), none refused",
                f"{held['refusedHolds']} refused, peak RSS {' + '.join(map(str, held['peakRssMb']))} MB", held["refusedHolds"] == 0)
    k = docs.get("soak")
    if k:
        figure = f"RSS {k['rssGrowthSecondToLast']:+.1%} second -> last minute, {k['failureCount']} failures"
        row("soak: RSS within 10 %, threads and files flat, no failure", figure, k["targetMet"])
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs (a smoke check, not the issue's figures)")
    parser.add_argument("--only", help="comma-separated benchmark names")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    names = args.only.split(",") if args.only else list(plan)
    docs = {name: run(name, plan[name]) for name in names}
    lines = summary(docs)
    print(f"\n=== targets (load {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} CPUs)")
    width = max((len(t) for t, _, _ in lines), default=10)
    for target, figure, met in lines:
        print(f"{target.ljust(width)}  {met.rjust(3)}  {figure}")
    ok = all(met == "yes" for _, _, met in lines) and all(docs.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
