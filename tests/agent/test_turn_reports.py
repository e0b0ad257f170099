"""An interactive turn's update fields in the reporter: batched with the output under maxTaskLogBytes,
items coalesced, nothing lost while the relay is unreachable, the final update last."""

from __future__ import annotations

import copy
import json
import threading

import pytest

from mobile_codex.agent_app.relay_client import RelayRefused, RelayUnavailable
from mobile_codex.agent_app.reporter import TaskReporter
from mobile_codex.core.errors import ConfigError
from mobile_codex.core.interactive import (
    CHANGES_MAX, COMMAND_BYTES, CWD_BYTES, DIFFS_BYTES, ITEMS_MAX, PATH_BYTES, REASON_BYTES, TITLE_BYTES,
    request_digest, request_problem,
)  # fmt: skip

from ..waiting import wait_until

MIN_CAP = 1024  # the smallest maxTaskLogBytes the config allows
RELAY_BODY_CAP = 1024 * 1024  # API.md: an agent task update body is at most 1 MiB


class Relay:
    """The relay client as the reporter sees it: records each update as sent; can be down or refuse."""

    def __init__(self, *, down: bool = False):
        self.updates: list[dict] = []
        self.sizes: list[int] = []
        self.down = down
        self.attempts = 0
        self.refuse_with: int | None = None

    def update(self, task_id: str, body: dict) -> dict:
        self.attempts += 1
        if self.down:
            raise RelayUnavailable("connection refused")
        if self.refuse_with:
            raise RelayRefused(self.refuse_with, "task-already-finished")
        self.updates.append(copy.deepcopy(body))
        self.sizes.append(len(json.dumps(body)))
        return {"ok": True}

    def sent(self, field: str) -> list:
        return [value for body in self.updates for value in body.get(field, [])]

    def output(self) -> str:
        return "".join(body.get("outputAppend", "") for body in self.updates)


def item(n: int, text: str = "") -> dict:
    return {"itemId": f"item_{n}", "type": "agentMessage", "text": text or f"message {n} " + "é" * 60, "status": "completed"}


def request(n: int) -> dict:
    return {"requestId": f"req_{n}", "kind": "command", "title": "Run a command", "command": "ls", "cwd": ".", "decisions": ["accept", "decline"]}


def test_the_smallest_cap_these_tests_use_is_the_config_floor(agent_config):
    assert agent_config(maxTaskLogBytes=MIN_CAP).max_task_log_bytes == MIN_CAP
    with pytest.raises(ConfigError):
        agent_config(maxTaskLogBytes=MIN_CAP - 1)


def test_fields_and_output_share_updates_each_under_the_cap():
    relay = Relay(down=True)
    reporter = TaskReporter(relay, "task_1", per_update_bytes=MIN_CAP)
    reporter.append("o" * 3000)
    reporter.queue_turn_fields(items=[item(n) for n in range(20)], requests_add=[request(1), request(2)], turn_id="turn-1")
    reporter.append("p" * 3000)
    relay.down = False
    reporter.finish({"status": "completed"})
    assert all(size <= MIN_CAP for size in relay.sizes[:-1])
    assert relay.sent("itemsAppend") == [item(n) for n in range(20)]
    assert relay.sent("requestsAdd") == [request(1), request(2)]
    assert [b["turnId"] for b in relay.updates if "turnId" in b] == ["turn-1"]
    assert relay.output() == "o" * 3000 + "p" * 3000
    assert any("itemsAppend" in b and "outputAppend" in b for b in relay.updates)  # batched together, not apart
    assert relay.updates[-1] == {"status": "completed"}


def max_request(task_id: str) -> dict:
    """A request at every budget of core/interactive.py, in characters that JSON escapes (the worst case)."""
    per_diff = DIFFS_BYTES // CHANGES_MAX
    shown = {
        "requestId": "r" * 64, "kind": "fileChange", "title": "題" * (TITLE_BYTES // 3), "command": "\x01" * COMMAND_BYTES,
        "cwd": "d" * CWD_BYTES, "reason": "理" * (REASON_BYTES // 3),
        "changes": [
            {"path": f"{n:03d}" + "p" * (PATH_BYTES - 3), "kind": "update", "movePath": "m" * PATH_BYTES, "diff": "\x02" * per_diff}
            for n in range(CHANGES_MAX)
        ],
        "decisions": ["accept", "decline", "cancel"], "truncated": True,
    }  # fmt: skip
    shown["digest"] = request_digest(task_id, shown)
    assert request_problem(shown) is None  # at the budgets, not over them
    return shown


def test_a_max_size_request_goes_alone_and_stays_under_the_relay_body_cap():
    relay = Relay(down=True)
    reporter = TaskReporter(relay, "task_1", per_update_bytes=MIN_CAP)
    big = max_request("task_1")
    reporter.queue_turn_fields(items=[item(1)], requests_add=[big, request(2)])
    reporter.append("output")
    relay.down = False
    reporter.finish({"status": "completed"})
    alone = next(i for i, b in enumerate(relay.updates) if big in b.get("requestsAdd", []))
    assert relay.updates[alone] == {"requestsAdd": [big]}
    assert MIN_CAP < relay.sizes[alone] < RELAY_BODY_CAP
    assert relay.sent("requestsAdd") == [big, request(2)] and relay.output() == "output"


def test_items_reported_again_while_queued_are_sent_once_the_latest_in_the_first_place():
    relay = Relay(down=True)
    reporter = TaskReporter(relay, "task_1", per_update_bytes=12000)
    text = ""
    for n in range(50):  # an agent message growing by deltas, a command item started and finished in between
        text += f"word{n} "
        reporter.queue_turn_fields(items=[item(1, text)])
        if n == 10:
            reporter.queue_turn_fields(items=[{"itemId": "cmd", "type": "command", "status": "inProgress"}])
        if n == 20:
            reporter.queue_turn_fields(items=[{"itemId": "cmd", "type": "command", "status": "completed", "exitCode": 0}])
    wait_until(lambda: relay.attempts >= 2, what="flushes tried while the relay is down")
    relay.down = False
    reporter.finish({"status": "completed"})
    assert relay.sent("itemsAppend") == [item(1, text), {"itemId": "cmd", "type": "command", "status": "completed", "exitCode": 0}]


def test_a_request_resolved_before_it_was_sent_is_added_in_an_earlier_update():
    relay = Relay(down=True)
    reporter = TaskReporter(relay, "task_1", per_update_bytes=12000)
    reporter.queue_turn_fields(requests_add=[request(1)])
    reporter.queue_turn_fields(requests_resolved=[{"requestId": "req_1", "status": "expired"}], steers_applied=["st_1"])
    relay.down = False
    reporter.finish({"status": "completed"})
    added = next(i for i, b in enumerate(relay.updates) if "requestsAdd" in b)
    resolved = next(i for i, b in enumerate(relay.updates) if "requestsResolved" in b)
    assert added < resolved
    assert relay.sent("steersApplied") == ["st_1"]


def test_the_final_update_waits_until_every_field_reached_the_relay():
    relay = Relay(down=True)
    reporter = TaskReporter(relay, "task_1", per_update_bytes=MIN_CAP)
    reporter.queue_turn_fields(items=[item(n) for n in range(10)], requests_resolved=[{"requestId": "req_1", "status": "accepted"}],
                               steers_rejected=[{"steerId": "st_1", "reason": "turn-ended"}], token_usage={"input": 5, "output": 7})  # fmt: skip
    finishing = threading.Thread(target=reporter.finish, args=({"status": "completed", "summary": "done"},))
    finishing.start()
    wait_until(lambda: relay.attempts >= 3, what="the final update retried while the relay is down")
    assert relay.updates == []
    relay.down = False
    finishing.join(60)
    assert not finishing.is_alive()
    assert relay.updates[-1] == {"status": "completed", "summary": "done"}
    assert all("status" not in body for body in relay.updates[:-1])
    assert len(relay.sent("itemsAppend")) == 10
    assert relay.sent("requestsResolved") == [{"requestId": "req_1", "status": "accepted"}]
    assert relay.sent("steersRejected") == [{"steerId": "st_1", "reason": "turn-ended"}]
    assert [b["tokenUsage"] for b in relay.updates if "tokenUsage" in b] == [{"input": 5, "output": 7}]


def test_queued_items_are_bounded_while_the_relay_is_unreachable_but_requests_are_kept():
    relay = Relay(down=True)
    reporter = TaskReporter(relay, "task_1", per_update_bytes=12000)
    for n in range(ITEMS_MAX + 30):
        reporter.queue_turn_fields(items=[item(n)])
        if n % 60 == 0:
            reporter.queue_turn_fields(requests_add=[request(n)])
    relay.down = False
    reporter.finish({"status": "completed"})
    assert [i["itemId"] for i in relay.sent("itemsAppend")] == [f"item_{n}" for n in range(30, ITEMS_MAX + 30)]
    assert [r["requestId"] for r in relay.sent("requestsAdd")] == [f"req_{n}" for n in range(0, ITEMS_MAX + 30, 60)]


def test_a_409_stops_the_run_and_drops_what_is_queued():
    relay = Relay()
    cancel = threading.Event()
    reporter = TaskReporter(relay, "task_1", per_update_bytes=12000, cancel=cancel)
    relay.refuse_with = 409
    reporter.queue_turn_fields(requests_add=[request(1)])
    wait_until(reporter.stopped.is_set, what="the reporter stopped by the 409")
    assert cancel.is_set()
    reporter.queue_turn_fields(items=[item(1)])
    relay.refuse_with = None
    reporter.finish({"status": "completed"})
    assert relay.updates == []


def test_a_request_is_sent_without_waiting_for_the_end_of_the_run():
    relay = Relay()
    reporter = TaskReporter(relay, "task_1", per_update_bytes=12000)
    reporter.queue_turn_fields(requests_add=[request(1)])
    wait_until(lambda: relay.sent("requestsAdd") == [request(1)], what="the request sent while the run goes on")
    reporter.finish({"status": "completed"})
    assert relay.updates[-1] == {"status": "completed"}


def test_output_that_json_escapes_still_fits_the_cap_on_the_wire():
    """CJK costs 6 bytes in the body, an emoji 12, a terminal colour escape 6: the cap counts the body."""
    relay = Relay(down=True)
    reporter = TaskReporter(relay, "task_1", per_update_bytes=MIN_CAP)
    text = "".join(f"\x1b[32m行{n}\x1b[0m 😀 \"quoted\\\"\n" for n in range(400))
    reporter.append(text)
    reporter.queue_turn_fields(items=[item(1)])
    relay.down = False
    reporter.finish({"status": "completed"})
    assert len(relay.updates) > len(text.encode()) // MIN_CAP  # more updates than UTF-8 counting would need
    assert all(size <= MIN_CAP for size in relay.sizes)
    assert relay.output() == text


def test_a_reported_value_is_sent_as_it_was_when_reported():
    relay = Relay(down=True)
    reporter = TaskReporter(relay, "task_1", per_update_bytes=12000)
    shown = {"itemId": "cmd", "type": "command", "status": "inProgress", "output": "a"}
    reporter.queue_turn_fields(items=[shown])
    shown["output"] += "b"  # the handler goes on with its own copy
    with pytest.raises(TypeError):
        reporter.queue_turn_fields(items=[{"itemId": "x", "at": object()}])  # fails where it is reported, not in the flusher
    relay.down = False
    reporter.finish({"status": "completed"})
    assert relay.sent("itemsAppend") == [{"itemId": "cmd", "type": "command", "status": "inProgress", "output": "a"}]


class StrictRelay(Relay):
    """Refuses (400) any update carrying the request `req_bad`, as the relay refuses one over budget."""

    def update(self, task_id: str, body: dict) -> dict:
        if any(r.get("requestId") == "req_bad" for r in body.get("requestsAdd", [])):
            self.attempts += 1
            raise RelayRefused(400, "invalid-field")
        return super().update(task_id, body)


def test_a_refused_update_costs_only_the_value_the_relay_refuses():
    relay = StrictRelay(down=True)
    reporter = TaskReporter(relay, "task_1", per_update_bytes=12000)
    reporter.append("output before ")
    reporter.queue_turn_fields(items=[item(1)], requests_add=[request(1), {**request(0), "requestId": "req_bad"}, request(2)],
                               turn_id="turn-1")  # fmt: skip
    reporter.append("and after")
    relay.down = False
    reporter.finish({"status": "completed"})
    assert relay.sent("requestsAdd") == [request(1), request(2)]
    assert relay.sent("itemsAppend") == [item(1)] and relay.output() == "output before and after"
    assert [b["turnId"] for b in relay.updates if "turnId" in b] == ["turn-1"]
    assert relay.updates[-1] == {"status": "completed"}


def test_the_relay_going_away_while_parts_are_resent_loses_none_of_them():
    relay = StrictRelay()
    reporter = TaskReporter(relay, "task_1", per_update_bytes=12000)
    original = relay.update
    calls = []

    def flaky(task_id, body):  # the relay goes down right after refusing the batch, once
        calls.append(body)
        if len(calls) == 2:
            raise RelayUnavailable("connection reset")
        return original(task_id, body)

    relay.update = flaky
    reporter.queue_turn_fields(turn_id="turn-1", items=[item(1)], requests_add=[{**request(0), "requestId": "req_bad"}, request(2)])
    reporter.finish({"status": "completed"})
    assert relay.sent("requestsAdd") == [request(2)] and relay.sent("itemsAppend") == [item(1)]
    assert [b["turnId"] for b in relay.updates if "turnId" in b] == ["turn-1"]
    assert relay.updates[-1] == {"status": "completed"}
