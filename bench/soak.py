"""Benchmark 7 — soak: minutes of mixed traffic, and nothing in the relay grows without bound.

One relay (sqlite) in its own process; agents long-poll, take tasks, stream output in several updates
and finish them; phones hold state waits with the change cursor as the app does; a phone creates
tasks and cancels some (queued and running); a bad client sends malformed, oversized and unknown
requests. Each minute the relay's RSS, OS threads and open files are sampled, with the p99 latency of
that minute's task creates, agent updates and state reads (held polls and waits are not latency).
Target: the last minute's RSS within 10 % of the second minute's (the first is warm-up), threads
and open files flat, and no failure (no 5xx to the bad client either).

    .venv/bin/python bench/soak.py [--minutes 10] [--agents 8] [--phones 4] [--creates-per-sec 0.8]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402
    Conn, Phone, Relay, common_args, emit, load, ms, pair_agents, percentile, raise_nofile, say, table,
)  # fmt: skip

TARGET_RSS_GROWTH = 0.10
BAD_REQUESTS = (
    ("POST", "/api/auth/login", b"{not json"),
    ("POST", "/api/auth/login", b'{"bootstrapToken": "\\ud800"}'),
    ("POST", "/api/admin/tasks", b"[1, 2, 3]"),
    ("POST", "/api/agent/poll", b'{"waitMs": "soon"}'),
    ("GET", "/api/no-such-route", None),
    ("GET", "/../../etc/passwd", None),
    ("POST", "/api/auth/login", b"x" * 8192),
)


class Window:
    """Latencies per kind for the current minute (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = {}
        self.errors = 0

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.samples.setdefault(kind, []).append(seconds)

    def take(self) -> dict[str, list[float]]:
        with self.lock:
            samples, self.samples = self.samples, {}
        return samples


def timed(window: Window, kind: str, call):
    started = time.perf_counter()
    try:
        return call()
    finally:
        window.add(kind, time.perf_counter() - started)


def open_files(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def run(args) -> dict:
    raise_nofile()
    stop = threading.Event()
    window = Window()
    threads: list[threading.Thread] = []
    failures: list[str] = []

    def guard(name, body):
        def loop():
            while not stop.is_set():
                try:
                    body()
                except Exception as err:  # a soak reports what broke, it does not stop on it
                    failures.append(f"{name}: {type(err).__name__}: {err}")
                    stop.wait(0.5)

        thread = threading.Thread(target=loop, name=name, daemon=True)
        threads.append(thread)
        return thread

    with Relay(threads=64) as relay:
        owner = Phone(relay)
        agents = pair_agents(relay, owner, args.agents, prefix="soak")

        def agent_loop(agent):
            def body():
                reply = agent.poll(wait_ms=20000, max_tasks=2)  # held: its time says nothing of latency
                for task in reply.get("tasks", []):
                    for chunk in range(3):
                        status, _ = timed(window, "update", lambda: agent.request(
                            "POST", f"/api/agent/tasks/{task['taskId']}/update", {"outputAppend": f"line {chunk} " + "x" * 1000 + "\n"}))
                        if status == 409:  # canceled meanwhile
                            break
                    final = {"status": "completed", "summary": "done", "result": {"exitCode": 0}}
                    if random.random() < 0.1:
                        final = {"status": "failed", "error": "nonzero-exit", "summary": "failed"}
                    agent.request("POST", f"/api/agent/tasks/{task['taskId']}/update", final)
                for task_id in reply.get("cancelTaskIds", []):
                    agent.request("POST", f"/api/agent/tasks/{task_id}/update", {"status": "canceled", "error": "canceled"})
            return body

        def phone_loop(phone):
            cursor = [None]

            def body():
                path = "/api/admin/state" if cursor[0] is None else f"/api/admin/state?waitForChangeAfter={cursor[0]}&waitMs=20000"
                status, view = phone.get(path)  # a held wait: its time says nothing of latency
                if status != 200:
                    raise RuntimeError(f"state {status}")
                early = cursor[0] is not None and view["changeCursor"] == cursor[0] and view.get("heldMs", 20000) < 10000
                cursor[0] = view["changeCursor"]
                if early:
                    stop.wait(2.5)  # as the app does: answered early, unchanged -> wait pollIntervalMs
            return body

        def creator():
            agent = random.choice(agents)
            status, reply = timed(window, "create", lambda: owner.request(
                "POST", "/api/admin/tasks", {"type": "codex_exec", "agentId": agent.agent_id, "prompt": "soak " * 50}))
            if status == 201 and random.random() < 0.15:
                owner.request("POST", f"/api/admin/tasks/{reply['task']['taskId']}/cancel")
            timed(window, "state", lambda: owner.get("/api/admin/state"))  # a plain read, as on opening the app
            stop.wait(1 / args.creates_per_sec)

        bad = Conn(relay.port, origin=relay.origin)

        def bad_client():
            method, path, body = random.choice(BAD_REQUESTS)
            conn = http.client.HTTPConnection("127.0.0.1", relay.port, timeout=10)
            try:
                conn.request(method, path, body=body, headers={"Content-Type": "application/json", "Origin": relay.origin})
                status = conn.getresponse().status
            finally:
                conn.close()
            if status >= 500:
                raise RuntimeError(f"{method} {path} -> {status}")
            stop.wait(0.2)

        for agent in agents:
            guard(f"agent-{agent.agent_id}", agent_loop(agent))
        for n in range(args.phones):
            guard(f"phone-{n}", phone_loop(owner.another()))
        guard("creator", creator)
        guard("bad", bad_client)
        for thread in threads:
            thread.start()

        rows, minutes = [], []
        started = time.monotonic()
        for minute in range(1, args.minutes + 1):
            stop.wait(max(0.0, started + args.minute_seconds * minute - time.monotonic()))
            samples = window.take()
            figure = {
                "minute": minute, "rssMb": relay.rss_mb(), "threads": relay.os_threads(), "openFiles": open_files(relay.pid),
                **{f"{kind}P99Ms": ms(percentile(values, 99)) for kind, values in sorted(samples.items()) if values},
                **{f"{kind}Count": len(values) for kind, values in sorted(samples.items())},
            }  # fmt: skip
            minutes.append(figure)
            rows.append([minute, figure["rssMb"], figure["threads"], figure["openFiles"], figure.get("createP99Ms"),
                         figure.get("updateP99Ms"), figure.get("stateP99Ms"), figure.get("createCount", 0)])  # fmt: skip
            say(f"minute {minute}: RSS {figure['rssMb']} MB, {figure['threads']} threads, {figure['openFiles']} files")
        stop.set()
        for thread in threads:
            thread.join(25)
        bad.close()
        data = relay.data_bytes()

    print(table(["minute", "RSS MB", "threads", "open files", "create p99 ms", "update p99 ms", "state p99 ms", "creates"],
                rows, title="relay under mixed traffic, sampled each minute"))  # fmt: skip
    second, last = minutes[min(1, len(minutes) - 1)], minutes[-1]
    growth = (last["rssMb"] - second["rssMb"]) / second["rssMb"]
    figures = {
        "minutes": minutes, "rssGrowthSecondToLast": round(growth, 3), "targetRssGrowth": TARGET_RSS_GROWTH,
        "threadsFlat": last["threads"] <= second["threads"] + 2, "openFilesFlat": last["openFiles"] <= second["openFiles"] + 5,
        "failures": failures[:20], "failureCount": len(failures), "dataBytes": data.get("total"),
    }  # fmt: skip
    figures["targetMet"] = (
        growth <= TARGET_RSS_GROWTH and figures["threadsFlat"] and figures["openFilesFlat"] and not failures
    )
    say(f"RSS second -> last minute: {growth:+.1%} (target <= {TARGET_RSS_GROWTH:.0%}); failures: {len(failures)}; load {load()}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--agents", type=int, default=8)
    parser.add_argument("--phones", type=int, default=4)
    parser.add_argument("--creates-per-sec", type=float, default=0.8)
    parser.add_argument("--minute-seconds", type=float, default=60, help="length of a sampling window (shorter for a dry run)")
    common_args(parser)
    args = parser.parse_args()
    emit("soak", run(args))


if __name__ == "__main__":
    main()
