"""Notifications (issue 17): which events reach whom, raised by real API calls on a real relay app."""

from __future__ import annotations

from mobile_codex.core.interactive import request_digest
from mobile_codex.core.notifications import (
    APPROVAL_EXPIRED, PAIR_REQUEST, REQUEST_ANSWERED, REQUEST_WAITING, TASK_FINISHED,
)  # fmt: skip

from ..waiting import wait_until
from .agent_helpers import created, member, new_pairing_code, other_workspace, pair_agent, request_pairing
from .conftest import ORIGIN, Relay
from .notify_helpers import RecordingNotifier, plugins_with
from .people_helpers import bootstrap_user_id

EXEC_MODES = [{"id": "chat", "label": "Chat", "writes": False, "interactive": True}]


def notifying_relay(tmp_path, backend, recorder, **overrides) -> Relay:
    return Relay(tmp_path, backend, plugins=plugins_with(recorder), **overrides)


def running_chat(relay, owner, agent) -> str:
    agent.poll(codexAvailable=True, execModes=EXEC_MODES)
    task = created(owner, execMode="chat", prompt="secret prompt text")
    assert [t["taskId"] for t in agent.poll(maxTasks=1)["tasks"]] == [task["taskId"]]
    return task["taskId"]


def command_request(task_id: str, request_id: str = "req-1") -> dict:
    request = {
        "requestId": request_id, "kind": "command", "title": "Run a command", "command": "rm -rf secret-dir",
        "cwd": ".", "reason": "cleanup", "changes": [], "decisions": ["accept", "decline", "cancel"], "truncated": False,
    }  # fmt: skip
    request["digest"] = request_digest(task_id, request)
    return request


def user_id_of(browser) -> str:
    return browser.get("/api/admin/state").json["auth"]["currentUser"]["userId"]


def test_a_waiting_request_reaches_operators_and_owners_of_its_workspace_only(tmp_path, backend):
    recorder = RecordingNotifier()
    relay = notifying_relay(tmp_path, backend, recorder)
    try:
        owner = relay.owner()
        agent = pair_agent(relay, owner)
        operator, viewer = member(relay, "operator"), member(relay, "viewer")
        _, stranger = other_workspace(relay)
        task_id = running_chat(relay, owner, agent)
        request = command_request(task_id)
        assert agent.update(task_id, requestsAdd=[request]).status_code == 200
        wait_until(lambda: recorder.of_kind(REQUEST_WAITING), timeout=10)
        [event] = recorder.of_kind(REQUEST_WAITING)
        assert set(event.recipients) == {bootstrap_user_id(relay), user_id_of(operator)}
        assert user_id_of(viewer) not in event.recipients and user_id_of(stranger) not in event.recipients
        assert event.link == f"{ORIGIN}/#/task/{task_id}" and event.tag == f"{task_id}:{REQUEST_WAITING}"
        assert event.task_id == task_id and event.request_id == "req-1" and event.agent_id == "agent-1"
        assert event.waiting == {uid: 1 for uid in event.recipients}
        # No task text where every channel shows it; the command only in `detail` (includeText channels).
        for shown in (event.title, event.body, str(event.public_payload())):
            assert "rm -rf" not in shown and "secret prompt" not in shown
        assert event.detail == "rm -rf secret-dir" and "detail" in event.public_payload(include_text=True)

        # Answered on one phone: the others' notification is replaced by "answered by …" (same tag).
        answered = operator.post(
            f"/api/admin/tasks/{task_id}/requests/req-1/answer", {"decision": "accept", "digest": request["digest"]}
        )  # fmt: skip
        assert answered.status_code == 200, answered.text
        wait_until(lambda: recorder.of_kind(REQUEST_ANSWERED), timeout=10)
        [done] = recorder.of_kind(REQUEST_ANSWERED)
        assert done.tag == event.tag and done.actor == "operator" and "operator" in done.title
        assert done.status == "accepted" and done.waiting == {uid: 0 for uid in done.recipients}
    finally:
        relay.close()
    assert recorder.closed  # the relay stopping closes its notifiers


def test_an_expired_request_and_a_finished_task_are_told(tmp_path, backend):
    recorder = RecordingNotifier()
    relay = notifying_relay(tmp_path, backend, recorder)
    try:
        owner = relay.owner()
        agent = pair_agent(relay, owner)
        operator = member(relay, "operator")
        agent.poll(codexAvailable=True, execModes=EXEC_MODES)
        task = created(operator, execMode="chat")
        agent.poll(maxTasks=1)
        task_id = task["taskId"]
        assert agent.update(task_id, requestsAdd=[command_request(task_id)]).status_code == 200
        assert agent.update(task_id, requestsResolved=[{"requestId": "req-1", "status": "expired"}]).status_code == 200
        wait_until(lambda: recorder.of_kind(APPROVAL_EXPIRED), timeout=10)
        [expired] = recorder.of_kind(APPROVAL_EXPIRED)
        assert expired.request_id == "req-1" and set(expired.recipients) == {bootstrap_user_id(relay), user_id_of(operator)}
        assert agent.update(task_id, status="completed").status_code == 200
        wait_until(lambda: recorder.of_kind(TASK_FINISHED), timeout=10)
        [finished] = recorder.of_kind(TASK_FINISHED)
        assert finished.recipients == (user_id_of(operator),)  # its creator only
        assert finished.status == "completed" and finished.link == f"{ORIGIN}/#/task/{task_id}"
        assert finished.tag == f"{task_id}:{TASK_FINISHED}"
    finally:
        relay.close()


def test_a_pair_request_reaches_operators_and_owners(tmp_path, backend):
    recorder = RecordingNotifier()
    relay = notifying_relay(tmp_path, backend, recorder)
    try:
        owner = relay.owner()
        operator, viewer = member(relay, "operator"), member(relay, "viewer")
        pending = request_pairing(relay, new_pairing_code(owner), "box-1", label="Build box")
        assert pending.status_code == 200, pending.text
        wait_until(lambda: recorder.of_kind(PAIR_REQUEST), timeout=10)
        [event] = recorder.of_kind(PAIR_REQUEST)
        assert set(event.recipients) == {bootstrap_user_id(relay), user_id_of(operator)}
        assert user_id_of(viewer) not in event.recipients
        assert event.agent_label == "Build box" and event.link == f"{ORIGIN}/#/agents"
    finally:
        relay.close()


def test_with_the_flag_off_nothing_is_raised(tmp_path, backend):
    recorder = RecordingNotifier()
    relay = notifying_relay(tmp_path, backend, recorder, features={"notifications": False})
    try:
        owner = relay.owner()
        request_pairing(relay, new_pairing_code(owner), "box-1")
        assert relay.app.relay.services.notifications.channels() == []
        assert relay.app.relay.services.notifications.queue.pending() == 0 and recorder.attempts == []
    finally:
        relay.close()
