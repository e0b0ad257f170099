"""Notification delivery (issue 17): never on a request's path, retried, bounded, honouring preferences,
and nothing of it on the relay's disk."""

from __future__ import annotations

import threading
import time

from mobile_codex.core.config.relay import NotificationsConfig
from mobile_codex.core.interactive import request_digest
from mobile_codex.core.notifications import AGENT_OFFLINE, REQUEST_WAITING, TASK_FINISHED, TEST, NotificationEvent
from mobile_codex.relay_app.services.notifications.delivery import DeliveryQueue

from ..waiting import wait_until
from .agent_helpers import LiveRelay, created, member, pair_agent, pair_over_http
from .conftest import Relay
from .notify_helpers import RecordingNotifier, plugins_with
from .people_helpers import bootstrap_user_id

SECRET_COMMAND = "curl https://example.invalid/very-secret-command"


def event(number: int = 0) -> NotificationEvent:
    return NotificationEvent(kind=TEST, event_id=f"note_{number}", recipients=["user_1"], title="t", body="b",
                             link="http://localhost:8787/#/more", tag=f"user_1:test:{number}")  # fmt: skip


def test_a_hanging_channel_never_delays_the_request_that_raised_the_event(tmp_path):
    hold = threading.Event()
    recorder = RecordingNotifier(hold=hold, timeout_sec=60)
    live = LiveRelay(tmp_path, plugins=plugins_with(recorder), notifications={"timeoutSec": 120, "workers": 1})
    try:
        phone = live.phone()
        started = time.monotonic()
        status, body = phone.get("/api/health")
        plain = time.monotonic() - started
        assert status == 200, body
        for _ in range(3):  # the one worker hangs in the first delivery, the others wait in the queue
            started = time.monotonic()
            status, body = phone.post("/api/admin/notifications/test")
            raising = time.monotonic() - started
            assert (status, body) == (200, {"ok": True, "queued": 1})
            # It answered while the channel still hangs: nothing was delivered, the worker is in deliver().
            assert recorder.events == [] and not hold.is_set()
        wait_until(lambda: recorder.attempts, timeout=10)
        # The answer's latency, measured beside a request that raises nothing: the same order of magnitude.
        assert raising < plain + 1.0, (raising, plain)
        hold.set()
        wait_until(lambda: len(recorder.of_kind(TEST)) == 3, timeout=10)
    finally:
        hold.set()
        live.close()


def test_a_channel_asking_to_retry_is_retried_until_it_takes_the_event():
    recorder = RecordingNotifier(fail_first=2, retry_after=0.05)
    queue = DeliveryQueue(NotificationsConfig(retries=3)).start()
    try:
        spec = recorder.register_notifiers(None, None)[0]
        queue.put(spec, event())
        wait_until(lambda: recorder.events, timeout=10)
        assert len(recorder.attempts) == 3 and recorder.attempts[1] - recorder.attempts[0] >= 0.05
        assert (queue.stats.retried, queue.stats.delivered, queue.stats.failed) == (2, 1, 0)
    finally:
        queue.stop()


def test_retries_end_after_the_configured_number_and_a_plain_failure_is_not_retried():
    recorder = RecordingNotifier(fail_first=100, retry_after=0.01)
    queue = DeliveryQueue(NotificationsConfig(retries=1)).start()
    try:
        queue.put(recorder.register_notifiers(None, None)[0], event())
        wait_until(lambda: queue.stats.failed == 1, timeout=10)
        assert len(recorder.attempts) == 2 and queue.stats.retried == 1
        no_retry = RecordingNotifier(fail_first=100, retry_after=None, channel_id="plain")
        queue.put(no_retry.register_notifiers(None, None)[0], event(1))
        wait_until(lambda: queue.stats.failed == 2, timeout=10)
        assert len(no_retry.attempts) == 1
    finally:
        queue.stop()


def test_a_delivery_past_its_timeout_is_abandoned_and_the_worker_goes_on():
    hold = threading.Event()
    slow = RecordingNotifier(hold=hold, channel_id="slow", timeout_sec=0.2)
    quick = RecordingNotifier(channel_id="quick")
    queue = DeliveryQueue(NotificationsConfig(workers=1)).start()
    try:
        queue.put(slow.register_notifiers(None, None)[0], event(1))
        queue.put(quick.register_notifiers(None, None)[0], event(2))
        wait_until(lambda: quick.events, timeout=10)
        assert queue.stats.timed_out == 1 and slow.events == []
    finally:
        hold.set()
        queue.stop()


def test_a_full_queue_drops_its_oldest_deliveries_and_counts_them():
    recorder = RecordingNotifier()
    spec = recorder.register_notifiers(None, None)[0]
    queue = DeliveryQueue(NotificationsConfig(queue_size=10, workers=1))  # not started: nothing is taken yet
    for number in range(15):
        queue.put(spec, event(number))
    assert queue.stats.dropped == 5 and queue.pending() == 10
    queue.start()
    try:
        wait_until(lambda: len(recorder.events) == 10, timeout=10)
        assert [e.event_id for e in recorder.events] == [f"note_{n}" for n in range(5, 15)]
    finally:
        queue.stop()


def test_preferences_are_one_s_own_and_honoured(tmp_path, backend):
    recorder = RecordingNotifier()
    relay = Relay(tmp_path, backend, plugins=plugins_with(recorder))
    try:
        owner = relay.owner()
        agent = pair_agent(relay, owner)
        shown = owner.get("/api/admin/notifications/preferences")
        assert shown.status_code == 200 and shown.json["channels"] == [{"id": "recorder", "label": "Recorder"}]
        assert all(shown.json["preferences"]["kinds"].values()) and "task-finished" in shown.json["preferences"]["kinds"]
        for bad in ({"kinds": {"test": False}}, {"kinds": {"task-finished": "no"}}, {"kinds": []}, {}):
            refused = owner.post("/api/admin/notifications/preferences", bad)
            assert (refused.status_code, refused.json["error"]) == (400, "invalid-field"), bad
        changed = owner.post("/api/admin/notifications/preferences", {"kinds": {"task-finished": False}})
        assert changed.status_code == 200 and changed.json["preferences"]["kinds"]["task-finished"] is False
        assert changed.json["preferences"]["kinds"]["request-waiting"] is True
        # Another person's preferences are untouched by it.
        operator = member(relay, "operator")
        assert operator.get("/api/admin/notifications/preferences").json["preferences"]["kinds"]["task-finished"] is True

        mine = created(owner, prompt="mine")
        theirs = created(operator, prompt="theirs")
        agent.poll(maxTasks=2)
        for task in (mine, theirs):
            assert agent.update(task["taskId"], status="completed").status_code == 200
        wait_until(lambda: recorder.of_kind(TASK_FINISHED), timeout=10)
        relay.app.relay.services.notifications.queue.stop()  # every queued delivery is done or dropped
        assert [e.task_id for e in recorder.of_kind(TASK_FINISHED)] == [theirs["taskId"]]
    finally:
        relay.close()


def test_the_test_notification_goes_to_its_sender_only(tmp_path, backend):
    recorder = RecordingNotifier()
    relay = Relay(tmp_path, backend, plugins=plugins_with(recorder))
    try:
        relay.owner()
        operator = member(relay, "operator")
        sent = operator.post("/api/admin/notifications/test")
        assert sent.status_code == 200 and sent.json == {"ok": True, "queued": 1}
        [test] = wait_until(lambda: recorder.of_kind(TEST), timeout=10)
        assert test.recipients != (bootstrap_user_id(relay),) and len(test.recipients) == 1
        assert relay.browser().post("/api/admin/notifications/test").status_code == 401
    finally:
        relay.close()


def test_an_agent_gone_offline_is_told_to_the_workspace_owners(tmp_path, backend):
    recorder = RecordingNotifier()
    relay = Relay(tmp_path, backend, plugins=plugins_with(recorder))
    try:
        owner = relay.owner()
        member(relay, "operator")
        agent = pair_agent(relay, owner)
        agent.poll()
        relay.clock.advance(120)
        assert relay.sweep().workspaces_with_agents_gone_offline == 1
        [offline] = wait_until(lambda: recorder.of_kind(AGENT_OFFLINE), timeout=10)
        assert offline.recipients == (bootstrap_user_id(relay),) and offline.agent_id == "agent-1"
        assert offline.link.endswith("#/agent/agent-1")
    finally:
        relay.close()


def test_nothing_of_a_notification_reaches_the_relay_s_disk(tmp_path):
    recorder = RecordingNotifier()
    live = LiveRelay(tmp_path, plugins=plugins_with(recorder))
    try:
        phone = live.phone()
        agent = pair_over_http(live, phone)
        agent.post("/api/agent/poll", {"execModes": [{"id": "chat", "label": "Chat", "writes": False, "interactive": True}]})
        status, made = phone.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "agent-1", "prompt": "p", "execMode": "chat"})
        assert status == 201, made
        task_id = made["task"]["taskId"]
        agent.post("/api/agent/poll", {"maxTasks": 1})
        request = {"requestId": "req-1", "kind": "command", "title": "Run it", "command": SECRET_COMMAND, "cwd": ".",
                   "reason": "", "changes": [], "decisions": ["accept", "decline"], "truncated": False}  # fmt: skip
        request["digest"] = request_digest(task_id, request)
        assert agent.post(f"/api/agent/tasks/{task_id}/update", {"requestsAdd": [request]})[0] == 200
        [waiting] = wait_until(lambda: recorder.of_kind(REQUEST_WAITING), timeout=10)
        assert waiting.detail == SECRET_COMMAND
    finally:
        live.close()
    written = b"".join(path.read_bytes() for path in (tmp_path / "data").rglob("*") if path.is_file())
    for needle in (SECRET_COMMAND, waiting.event_id, waiting.title):
        assert needle.encode() not in written, needle
