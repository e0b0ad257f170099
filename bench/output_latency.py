"""Benchmark 2 — output latency: an agent's `outputAppend` update -> a waiting phone seeing it.

One relay (sqlite, default threads), one agent with a running task, and a phone holding
`GET /api/admin/state?waitForChangeAfter=C&waitMs=25000`. For each update the agent waits until
the phone's request is held, then times from sending `POST /api/agent/tasks/{id}/update` with a
unique line to the phone's state view reply whose task `outputTail` contains that line.
By default 100 finished tasks are seeded first, so the phone's view is full size (<= 100 tasks).
Target: p50 <= 50 ms.

    .venv/bin/python bench/output_latency.py [--updates 300] [--history 100]
"""

from __future__ import annotations

import argparse
import queue
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402
    Phone, Relay, common_args, emit, load, ms, pair_agents, percentile, raise_nofile, say, seed, table,
)  # fmt: skip

TARGET_P50_MS = 50


def measure(phone: Phone, agent, task_id: str, updates: int, *, settle: float = 0.02) -> dict:
    waiting = threading.Event()
    seen: queue.Queue = queue.Queue()
    stop = threading.Event()
    errors: list[BaseException] = []

    def phone_loop() -> None:
        try:
            cursor = phone.ok("GET", "/api/admin/state")["changeCursor"]
            next_mark = 0
            while not stop.is_set():
                waiting.set()
                view = phone.ok("GET", f"/api/admin/state?waitForChangeAfter={cursor}&waitMs=25000")
                now = time.perf_counter()
                cursor = view["changeCursor"]
                tail = next((t["outputTail"] for t in view["tasks"] if t["taskId"] == task_id), "")
                while f"mark-{next_mark:06d}\n" in tail:
                    seen.put((next_mark, now))
                    next_mark += 1
        except BaseException as err:  # noqa: BLE001
            errors.append(err)
            seen.put(None)

    thread = threading.Thread(target=phone_loop, daemon=True)
    thread.start()
    latencies, update_rtt = [], []
    for n in range(updates):
        if not waiting.wait(30):
            raise RuntimeError("the phone did not wait again within 30 s")
        time.sleep(settle)
        waiting.clear()
        sent = time.perf_counter()
        agent.update(task_id, outputAppend=f"mark-{n:06d}\n")
        update_rtt.append(time.perf_counter() - sent)
        while True:
            item = seen.get(timeout=30)
            if item is None:
                raise RuntimeError(f"phone failed: {errors[0]!r}")
            if item[0] == n:
                latencies.append(item[1] - sent)
                break
    stop.set()
    agent.update(task_id, outputAppend="end\n")  # wakes the phone's last wait
    thread.join(30)
    return {
        "updates": updates,
        "outputP50Ms": ms(percentile(latencies, 50)), "outputP90Ms": ms(percentile(latencies, 90)),
        "outputP99Ms": ms(percentile(latencies, 99)), "outputMaxMs": ms(max(latencies)),
        "updateP50Ms": ms(percentile(update_rtt, 50)), "updateP99Ms": ms(percentile(update_rtt, 99)),
    }  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--history", type=int, default=100, help="finished tasks seeded first (the view shows <= 100)")
    common_args(parser)
    args = parser.parse_args(argv)
    raise_nofile()
    with Relay(keep=args.keep) as relay:
        phone = Phone(relay)
        (agent,) = pair_agents(relay, phone, 1)
        if args.history:
            seed(relay, phone, [agent], args.history, chunk=max(args.history, 1))
        task = phone.create_task(agent.agent_id, prompt="a long run")
        claimed = agent.poll(max_tasks=1)["tasks"]
        assert [t["taskId"] for t in claimed] == [task["taskId"]], claimed
        view = phone.ok("GET", "/api/admin/state")
        say(f"relay pid {relay.pid}; {args.updates} updates; state view has {len(view['tasks'])} tasks (load {load()})")
        measure(phone, agent, task["taskId"], 20)  # warm-up
        figures = measure(phone, agent, task["taskId"], args.updates)
        figures.update(history=args.history, viewTasks=len(view["tasks"]), relayRssMb=relay.rss_mb())
    met = figures["outputP50Ms"] <= TARGET_P50_MS
    print(table(
        ["updates", "view tasks", "p50 ms", "p90 ms", "p99 ms", "max ms", "update p50 ms", "update p99 ms", "target met"],
        [[figures["updates"], figures["viewTasks"], figures["outputP50Ms"], figures["outputP90Ms"], figures["outputP99Ms"],
          figures["outputMaxMs"], figures["updateP50Ms"], figures["updateP99Ms"], met]],
        title=f"output latency: agent update -> waiting phone (target p50 <= {TARGET_P50_MS} ms; load {load()})",
    ))  # fmt: skip
    emit("output_latency", {**figures, "targetMet": met})
    return 0


if __name__ == "__main__":
    sys.exit(main())
