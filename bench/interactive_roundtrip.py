"""Benchmark 8 — interactive round trip: a request reaching the phone, and its answer reaching the agent.

One relay (sqlite, default threads), one agent advertising the interactive `chat` mode with a running
chat task, and a phone holding `GET /api/admin/state?waitForChangeAfter=C&waitMs=25000`. Each round:
1. request leg: once the phone's wait is held, time from sending the agent's update with `requestsAdd`
   to the phone's state view reply that shows the request pending;
2. answer leg: once the agent's poll (`waitMs` 25000) is held, time from sending the phone's
   `POST /api/admin/tasks/{id}/requests/{requestId}/answer` to that poll's reply carrying the answer;
then the agent reports the request settled (`requestsResolved`). A task holds at most 50 requests, so
a fresh chat task takes over every `--per-task` rounds. By default 100 finished tasks are seeded first,
so the phone's view is full size. Target: p99 <= 100 ms for each leg.

    .venv/bin/python bench/interactive_roundtrip.py [--rounds 200] [--history 100]
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
    AGENT_REPORT, Agent, Phone, Relay, common_args, emit, load, ms, pair_agents, percentile, raise_nofile, say, seed,
    table,
)  # fmt: skip

from mobile_codex.core.interactive import request_digest  # noqa: E402  (the agent's own digest)

TARGET_P99_MS = 100
CHAT = {"id": "chat", "label": "Chat", "writes": False, "interactive": True}


def command_request(task_id: str, request_id: str) -> dict:
    request = {
        "requestId": request_id, "kind": "command", "title": "Run a command", "command": f"make test # {request_id}",
        "cwd": ".", "reason": "bench", "changes": [], "decisions": ["accept", "decline", "cancel"], "truncated": False,
    }  # fmt: skip
    request["digest"] = request_digest(task_id, request)
    return request


class PhoneWatch:
    """The phone's held state waits, in a thread: reports when each request id first shows pending."""

    def __init__(self, phone: Phone):
        self.phone = phone
        self.wait_started: float | None = None  # when the wait now in flight was sent
        self.seen: queue.Queue = queue.Queue()
        self.stop = threading.Event()
        self.known: set[str] = set()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        try:
            cursor = self.phone.ok("GET", "/api/admin/state")["changeCursor"]
            while not self.stop.is_set():
                self.wait_started = time.perf_counter()
                view = self.phone.ok("GET", f"/api/admin/state?waitForChangeAfter={cursor}&waitMs=25000")
                now = time.perf_counter()
                self.wait_started = None
                cursor = view["changeCursor"]
                for task in view["tasks"]:
                    for request in task.get("requests") or ():
                        if request["status"] == "pending" and request["requestId"] not in self.known:
                            self.known.add(request["requestId"])
                            self.seen.put((request["requestId"], now))
        except BaseException as err:  # noqa: BLE001
            self.seen.put((None, err))

    def until_held(self, settle: float) -> None:
        """Until the phone's wait has been in flight for `settle` seconds: held, not answering a
        change of the round before (one with a stale cursor comes back in a few ms)."""
        deadline = time.perf_counter() + 30
        while True:
            started = self.wait_started
            if started is not None and time.perf_counter() - started >= settle:
                return
            if time.perf_counter() > deadline:
                raise RuntimeError("the phone did not wait again within 30 s")
            time.sleep(0.002)

    def until_seen(self, request_id: str) -> float:
        while True:
            seen_id, at = self.seen.get(timeout=30)
            if seen_id is None:
                raise RuntimeError(f"phone failed: {at!r}")
            if seen_id == request_id:
                return at


def new_chat_task(phone: Phone, poller: Agent, agent_id: str) -> str:
    task = phone.ok("POST", "/api/admin/tasks", {"type": "codex_exec", "agentId": agent_id, "prompt": "talk", "execMode": "chat"})
    claimed = poller.ok("POST", "/api/agent/poll", {"maxTasks": 1})["tasks"]
    assert [t["taskId"] for t in claimed] == [task["task"]["taskId"]], claimed
    return claimed[0]["taskId"]


def measure(phone: Phone, agent: Agent, rounds: int, *, per_task: int, prefix: str, settle: float = 0.02) -> dict:
    watch = PhoneWatch(phone)
    answerer = phone.another()
    poller = Agent(agent.relay, agent.agent_id, agent.token)  # the agent's poll runs beside its updates
    request_legs, answer_legs = [], []
    task_id = ""
    try:
        for n in range(rounds):
            if n % per_task == 0:
                if task_id:
                    agent.update(task_id, status="completed", result={"exitCode": 0})
                task_id = new_chat_task(answerer, poller, agent.agent_id)
            request = command_request(task_id, f"{prefix}{n:05d}")
            # The request leg: agent update -> the phone's held wait shows it.
            watch.until_held(settle)
            sent = time.perf_counter()
            agent.update(task_id, requestsAdd=[request])
            request_legs.append(watch.until_seen(request["requestId"]) - sent)
            # The answer leg: phone answer -> the agent's held poll carries it.
            box: dict = {}
            started = threading.Event()

            def hold() -> None:
                started.set()
                box["reply"] = poller.ok("POST", "/api/agent/poll", {"waitMs": 25000, "maxTasks": 0})
                box["at"] = time.perf_counter()

            thread = threading.Thread(target=hold, daemon=True)
            thread.start()
            started.wait(30)
            time.sleep(settle)
            sent = time.perf_counter()
            answerer.ok("POST", f"/api/admin/tasks/{task_id}/requests/{request['requestId']}/answer",
                        {"decision": "accept", "digest": request["digest"]})  # fmt: skip
            thread.join(30)
            owed = [a["requestId"] for a in box["reply"]["answers"]]
            if owed != [request["requestId"]]:
                raise RuntimeError(f"the held poll carried {owed}, not {request['requestId']}")
            answer_legs.append(box["at"] - sent)
            agent.update(task_id, requestsResolved=[{"requestId": request["requestId"], "status": "accepted"}])
    finally:
        watch.stop.set()
        if task_id:
            agent.update(task_id, status="completed", result={"exitCode": 0})  # wakes the phone's last wait
        watch.thread.join(30)
        answerer.close()
        poller.close()
    return {
        "rounds": rounds,
        "requestP50Ms": ms(percentile(request_legs, 50)), "requestP99Ms": ms(percentile(request_legs, 99)),
        "requestMaxMs": ms(max(request_legs)),
        "answerP50Ms": ms(percentile(answer_legs, 50)), "answerP99Ms": ms(percentile(answer_legs, 99)),
        "answerMaxMs": ms(max(answer_legs)),
    }  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--per-task", type=int, default=40, help="requests per chat task (at most 50)")
    parser.add_argument("--history", type=int, default=100, help="finished tasks seeded first (the view shows <= 100)")
    common_args(parser)
    args = parser.parse_args(argv)
    raise_nofile()
    with Relay(keep=args.keep) as relay:
        phone = Phone(relay)
        (agent,) = pair_agents(relay, phone, 1)
        if args.history:
            seed(relay, phone, [agent], args.history, chunk=max(args.history, 1))
        # After seeding (its polls report the plain capabilities): the agent can chat.
        agent.ok("POST", "/api/agent/poll", {**AGENT_REPORT, "execModes": [*AGENT_REPORT["execModes"], CHAT],
                                             "codexSignedIn": True, "maxTasks": 0})  # fmt: skip
        say(f"relay pid {relay.pid}; {args.rounds} round trips (load {load()})")
        measure(phone, agent, 10, per_task=args.per_task, prefix="warm")
        figures = measure(phone, agent, args.rounds, per_task=args.per_task, prefix="r")
        figures.update(history=args.history, relayRssMb=relay.rss_mb())
    met = figures["requestP99Ms"] <= TARGET_P99_MS and figures["answerP99Ms"] <= TARGET_P99_MS
    print(table(
        ["rounds", "request p50 ms", "request p99 ms", "request max ms", "answer p50 ms", "answer p99 ms",
         "answer max ms", "target met"],
        [[figures["rounds"], figures["requestP50Ms"], figures["requestP99Ms"], figures["requestMaxMs"],
          figures["answerP50Ms"], figures["answerP99Ms"], figures["answerMaxMs"], met]],
        title=f"interactive round trip: requestsAdd -> phone, answer -> agent (target p99 <= {TARGET_P99_MS} ms each; "
              f"load {load()})",
    ))  # fmt: skip
    emit("interactive_roundtrip", {**figures, "targetMet": met})
    return 0


if __name__ == "__main__":
    sys.exit(main())
