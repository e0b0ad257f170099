"""Benchmark 10 — bytes and time per live update of the state view, whole list vs task deltas (issue 18).

One relay (sqlite), one agent, 100 finished Codex tasks of history made through the API the way the
app makes them (a prompt of ~300 bytes, ~1 KB of output, a summary), and one running task. For each
of U updates the agent appends a line of output, then the phone reads the state view twice on its
keep-alive connection: as every client did before issue 18 (`GET /api/admin/state`, the whole list:
"before") and as the app does now (`GET /api/admin/state?tasksSince=T`, only what changed since its
last view: "after"). Each read's response body is counted in bytes and its round trip timed; both
reads must show the new line. Target: the delta's median bytes <= 10 % of the whole list's.
`--storage postgres --volatile redis` runs the relay on the benchmark's own PostgreSQL and Redis
(`SharedStores`), where every read of the view fetches its tasks' text from Redis.

    .venv/bin/python bench/state_deltas.py [--updates 200] [--history 100] [--storage postgres] [--volatile redis]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402
    Phone, Relay, SharedStores, common_args, emit, load, ms, pair_agents, percentile, say, table,
)  # fmt: skip

TARGET_RATIO = 0.10
PROMPT = "Look at the failing test in tests/test_parser.py and explain what the parser does wrong. " * 3
OUTPUT = "".join(f"line {n:03d}: checked src/parser.py and the fixtures, nothing unexpected here\n" for n in range(14))


class RawReader:
    """The phone's session on its own keep-alive connection, reading raw bodies (to count bytes)."""

    def __init__(self, port: int, cookie: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.conn.connect()
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.cookie = cookie

    def get(self, path: str) -> tuple[bytes, float]:
        started = time.perf_counter()
        self.conn.request("GET", path, headers={"Cookie": self.cookie, "Accept": "application/json"})
        response = self.conn.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(f"GET {path} -> {response.status} {body[:200]!r}")
        return body, elapsed


def make_history(phone: Phone, agent, count: int) -> None:
    """`count` finished Codex tasks with the text a real one has (prompt, output, summary)."""
    for n in range(count):
        phone.ok("POST", "/api/admin/tasks", {"type": "codex_exec", "agentId": agent.agent_id, "prompt": f"{n}: {PROMPT}"})
        for task in agent.poll(max_tasks=1, report=False)["tasks"]:
            agent.update(task["taskId"], status="running", outputAppend=OUTPUT)
            agent.update(task["taskId"], status="completed", summary=f"Task {n}: the parser skips escaped quotes.",
                         result={"exitCode": 0})  # fmt: skip


def measure(reader: RawReader, agent, task_id: str, updates: int) -> dict:
    full_bytes, full_times, delta_bytes, delta_times, delta_counts = [], [], [], [], []
    cursor = json.loads(reader.get("/api/admin/state?tasksSince=")[0])["tasksCursor"]
    for n in range(updates):
        line = f"mark-{n:06d}"
        agent.update(task_id, outputAppend=line + "\n")
        body, seconds = reader.get("/api/admin/state")
        view = json.loads(body)
        assert line in next(t["outputTail"] for t in view["tasks"] if t["taskId"] == task_id), "full view lacks the line"
        full_bytes.append(len(body))
        full_times.append(seconds)
        body, seconds = reader.get(f"/api/admin/state?tasksSince={cursor}")
        view = json.loads(body)
        assert view["tasksDelta"] is True, "the relay forgot the phone's cursor"
        assert [t["taskId"] for t in view["tasks"]] == [task_id] and line in view["tasks"][0]["outputTail"]
        cursor = view["tasksCursor"]
        delta_bytes.append(len(body))
        delta_times.append(seconds)
        delta_counts.append(len(view["tasks"]))
    return {
        "updates": updates,
        "fullBytesP50": int(percentile(full_bytes, 50)), "deltaBytesP50": int(percentile(delta_bytes, 50)),
        "fullBytesMax": max(full_bytes), "deltaBytesMax": max(delta_bytes),
        "fullP50Ms": ms(percentile(full_times, 50)), "fullP99Ms": ms(percentile(full_times, 99)),
        "deltaP50Ms": ms(percentile(delta_times, 50)), "deltaP99Ms": ms(percentile(delta_times, 99)),
        "deltaTasksMax": max(delta_counts),
    }  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=200)
    parser.add_argument("--history", type=int, default=100, help="finished Codex tasks made first")
    parser.add_argument("--storage", choices=("sqlite", "postgres"), default="sqlite",
                        help="postgres: the relay on the benchmark's own ephemeral PostgreSQL")
    parser.add_argument("--volatile", choices=("memory", "redis"), default="memory",
                        help="redis: the relay's task text on the benchmark's own ephemeral Redis")
    common_args(parser)
    args = parser.parse_args(argv)
    shared = args.storage == "postgres" or args.volatile == "redis"
    with SharedStores() if shared else contextlib.nullcontext() as stores, Relay(
        keep=args.keep, storage=stores.storage() if args.storage == "postgres" else None,
        volatile=stores.volatile() if args.volatile == "redis" else None,
    ) as relay:
        phone = Phone(relay)
        (agent,) = pair_agents(relay, phone, 1)
        make_history(phone, agent, args.history)
        task = phone.create_task(agent.agent_id, prompt=PROMPT)
        (claimed,) = agent.poll(max_tasks=1, report=False)["tasks"]
        assert claimed["taskId"] == task["taskId"]
        agent.update(task["taskId"], status="running", outputAppend="starting\n")
        reader = RawReader(relay.port, phone.cookie)
        tasks_in_view = len(json.loads(reader.get("/api/admin/state")[0])["tasks"])
        say(f"relay pid {relay.pid}; {args.updates} updates; {tasks_in_view} tasks in the view (load {load()})")
        measure(reader, agent, task["taskId"], 10)  # warm-up
        figures = measure(reader, agent, task["taskId"], args.updates)
        figures.update(history=args.history, viewTasks=tasks_in_view, storage=args.storage, volatile=args.volatile)
    ratio = figures["deltaBytesP50"] / figures["fullBytesP50"]
    met = ratio <= TARGET_RATIO
    print(table(
        ["read", "view tasks", "bytes p50", "bytes max", "p50 ms", "p99 ms"],
        [["before: whole list", figures["viewTasks"], figures["fullBytesP50"], figures["fullBytesMax"],
          figures["fullP50Ms"], figures["fullP99Ms"]],
         ["after: tasksSince delta", figures["deltaTasksMax"], figures["deltaBytesP50"], figures["deltaBytesMax"],
          figures["deltaP50Ms"], figures["deltaP99Ms"]]],
        title=f"state view per live update, {figures['history']} tasks of history on {args.storage} + {args.volatile} "
              f"(target: delta bytes <= "
              f"{TARGET_RATIO:.0%} of the whole list; {ratio:.1%}; load {load()})",
    ))  # fmt: skip
    emit("state_deltas", {**figures, "bytesRatio": round(ratio, 4), "targetMet": met})
    return 0


if __name__ == "__main__":
    sys.exit(main())
