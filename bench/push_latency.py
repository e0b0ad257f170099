"""Benchmark — push latency: an agent's `requestsAdd` to the push service receiving the Web Push.

One relay (sqlite, its own process) with Web Push on (a fresh VAPID key) and a push service on
loopback listed in `notifications.webPush.allowedHosts` (the test push service of tests/push_helpers.py:
it checks the VAPID JWT and decrypts each push with the device's keys, so a round counts only a push
the phone could read). The owner adds one device; one agent advertises the interactive `chat` mode.
Each round: time from sending the agent's update with `requestsAdd` to the push service having
decrypted the `request-waiting` push for that request; then the agent settles the request. A chat task
takes at most 50 requests, so a fresh one takes over every `--per-task` rounds. Target: p99 <= 250 ms.

    .venv/bin/python bench/push_latency.py [--rounds 200]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402
    AGENT_REPORT, ROOT, Agent, Phone, Relay, common_args, emit, load, ms, pair_agents, percentile, raise_nofile, say,
    table,
)  # fmt: skip
from interactive_roundtrip import CHAT, command_request, new_chat_task  # noqa: E402

sys.path.insert(0, str(ROOT))
from tests.push_helpers import DeviceKeys, PushService  # noqa: E402

from mobile_codex.core.web_push import new_vapid_private_key, vapid_public_key  # noqa: E402

TARGET_P99_MS = 250


def until_pushed(service: PushService, request_id: str, timeout: float = 30) -> float:
    """When the push service decrypted the request-waiting push of `request_id` (monotonic)."""
    deadline = time.monotonic() + timeout
    with service.lock:
        while True:
            if service.problems:
                raise RuntimeError(f"the push service refused a push: {service.problems}")
            for got in service.received:
                if got.payload.get("kind") == "request-waiting" and got.payload.get("requestId") == request_id:
                    return got.at
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"no push for {request_id} within {timeout}s")
            service.lock.wait(left)


def measure(phone: Phone, agent: Agent, service: PushService, rounds: int, *, per_task: int, prefix: str) -> dict:
    poller = Agent(agent.relay, agent.agent_id, agent.token)
    legs, task_id = [], ""
    try:
        for n in range(rounds):
            if n % per_task == 0:
                if task_id:
                    agent.update(task_id, status="completed", result={"exitCode": 0})
                task_id = new_chat_task(phone, poller, agent.agent_id)
            request = command_request(task_id, f"{prefix}{n:05d}")
            sent = time.monotonic()
            agent.update(task_id, requestsAdd=[request])
            legs.append(until_pushed(service, request["requestId"]) - sent)
            agent.update(task_id, requestsResolved=[{"requestId": request["requestId"], "status": "accepted"}])
    finally:
        if task_id:
            agent.update(task_id, status="completed", result={"exitCode": 0})
        poller.close()
    return {"rounds": rounds, "p50Ms": ms(percentile(legs, 50)), "p99Ms": ms(percentile(legs, 99)), "maxMs": ms(max(legs))}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--per-task", type=int, default=40, help="requests per chat task (at most 50)")
    common_args(parser)
    args = parser.parse_args(argv)
    raise_nofile()
    vapid_key = new_vapid_private_key()
    service = PushService(vapid_public_key(vapid_key))
    relay = Relay(keep=args.keep)
    config = json.loads(relay.config_path.read_text())
    config["notifications"] = {"webPush": {"vapidPrivateKey": vapid_key, "allowedHosts": [service.origin]}}
    relay.config_path.write_text(json.dumps(config, indent=2))
    try:
        with relay:
            phone = Phone(relay)
            (agent,) = pair_agents(relay, phone, 1)
            agent.ok("POST", "/api/agent/poll", {**AGENT_REPORT, "execModes": [*AGENT_REPORT["execModes"], CHAT],
                                                 "codexSignedIn": True, "maxTasks": 0})  # fmt: skip
            keys = DeviceKeys.new()
            phone.ok("POST", "/api/admin/notifications/devices", keys.subscription(service.endpoint("phone", keys)))
            say(f"relay pid {relay.pid}; {args.rounds} pushes (load {load()})")
            measure(phone, agent, service, 10, per_task=args.per_task, prefix="warm")
            figures = measure(phone, agent, service, args.rounds, per_task=args.per_task, prefix="r")
            figures.update(relayRssMb=relay.rss_mb())
    finally:
        service.close()
    met = figures["p99Ms"] <= TARGET_P99_MS
    print(table(
        ["rounds", "p50 ms", "p99 ms", "max ms", "target met"],
        [[figures["rounds"], figures["p50Ms"], figures["p99Ms"], figures["maxMs"], met]],
        title=f"push latency: requestsAdd -> push decrypted at the push service (target p99 <= {TARGET_P99_MS} ms; "
              f"load {load()})",
    ))  # fmt: skip
    emit("push_latency", {**figures, "targetMet": met})
    return 0


if __name__ == "__main__":
    sys.exit(main())
