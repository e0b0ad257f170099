"""Interactive Codex on the relay (API.md "Interactive Codex"), over real HTTP: a waitress relay, a
phone, and a scripted agent using its agent token. Modes and threads at task create; the agent's
conversation fields; answers and steers and how they reach the agent's held poll; who may; and
that none of the conversation's text reaches the data dir.
"""

from __future__ import annotations

import pytest

from mobile_codex.core.interactive import ITEMS_BYTES, ITEMS_MAX, REQUESTS_PER_TASK
from mobile_codex.core.task_text import text_size

from .agent_helpers import Http, in_thread, member, other_workspace, pair_over_http, wait_held
from .conftest import ORIGIN
from .turn_helpers import EXEC_MODES, Turns, command_request

ACCEPT_ALL = ["accept", "decline", "cancel"]


@pytest.fixture
def turns(tmp_path):
    made = Turns(tmp_path)
    yield made
    made.close()


def as_http(turns: Turns, browser) -> Http:
    """A TestClient browser's session (agent_helpers.member) as a real HTTP phone."""
    phone = Http(turns.live.port, origin=ORIGIN)
    phone.cookie = f"mobilecodex_session={browser.cookies['mobilecodex_session']}"
    return phone


# --- poll body and task create ------------------------------------------------------------------


def test_the_agent_view_shows_interactive_modes_and_whether_codex_is_signed_in(turns):
    status, state = turns.phone.get("/api/admin/state")
    (agent,) = state["agents"]
    assert agent["codexSignedIn"] is True
    assert (agent["conversationModels"], agent["conversationEfforts"]) == (["gpt-5.1-codex", "gpt-5"], ["low", "high"])
    assert [mode.get("interactive") for mode in agent["execModes"]] == [False, True, True, True]
    cursor = state["changeCursor"]
    thread, box = in_thread(lambda: turns.phone.get(f"/api/admin/state?waitForChangeAfter={cursor}&waitMs=20000"))
    wait_held(turns.live)
    turns.poll(codexSignedIn=False)  # memory only, and still moves the cursor
    thread.join(25)
    assert box["elapsed"] < 10 and box["result"][1]["agents"][0]["codexSignedIn"] is False
    # A poll that leaves them out changes none of them; an agent that never said shows the defaults.
    turns.poll(label="renamed")
    other = pair_over_http(turns.live, turns.phone, "agent-2")
    agents = {a["agentId"]: a for a in turns.phone.get("/api/admin/state")[1]["agents"]}
    assert agents["agent-1"]["conversationEfforts"] == ["low", "high"] and agents["agent-1"]["codexSignedIn"] is False
    assert (agents["agent-2"]["codexSignedIn"], agents["agent-2"]["conversationModels"]) == (None, [])
    assert other.post("/api/agent/poll", {"conversationModels": ["ok", 7]})[0] == 400


def test_interactive_modes_are_checked_against_the_agent_s_list(turns):
    status, made = turns.create(execMode="chat", model="gpt-5.1-codex", effort="high")
    assert status == 201, made
    task = made["task"]
    assert (task["interactive"], task["execMode"], task["writeAccess"], task["model"], task["effort"]) == (
        True, "chat", False, "gpt-5.1-codex", "high"
    )  # fmt: skip
    assert (task["items"], task["requests"], task["steers"], task["awaitingInput"]) == ([], [], [], False)
    status, made = turns.create(execMode="pairing", threadId="thread-1")  # an advertised interactive mode
    assert status == 201 and made["task"]["interactive"] is True and made["task"]["threadId"] == "thread-1"
    # The poll hands the agent the mode, the thread, the model and effort.
    claimed = turns.poll(maxTasks=2)["tasks"]
    assert sorted((t["execMode"], t["threadId"], t["model"]) for t in claimed) == [("chat", "", "gpt-5.1-codex"), ("pairing", "thread-1", "")]
    # A second agent that advertises no interactive mode: chat is not accepted unasked.
    other = pair_over_http(turns.live, turns.phone, "agent-2")
    other.post("/api/agent/poll", {"execModes": [m for m in EXEC_MODES if not m.get("interactive")]})
    for mode in ("chat", "supervised", "pairing"):
        status, body = turns.create(agentId="agent-2", execMode=mode)
        assert (status, body["error"], body["detail"]) == (400, "invalid-field", "execMode"), mode
    status, made = turns.create(agentId="agent-2", execMode="read-only")  # built-in command lines stay accepted
    assert status == 201 and made["task"]["interactive"] is False


@pytest.mark.parametrize(
    "body, field",
    [
        ({"execMode": "read-only", "threadId": "t1"}, "threadId"),  # not an interactive mode
        ({"execMode": "resume", "resumeSessionId": "s1", "threadId": "t1"}, "threadId"),
        ({"execMode": "chat", "resumeSessionId": "s1", "threadId": "t1"}, "execMode"),  # threads, not resume
        ({"execMode": "read-only", "model": "gpt-5"}, "model"),
        ({"execMode": "read-only", "effort": "high"}, "effort"),
        ({"execMode": "chat", "model": "gpt 5; rm"}, "model"),
        ({"execMode": "chat", "effort": "HIGH!"}, "effort"),
        ({"execMode": "chat", "threadId": 7}, "threadId"),
    ],
)
def test_thread_model_and_effort_only_with_an_interactive_mode(turns, body, field):
    status, answer = turns.create(**body)
    assert (status, answer["error"], answer["detail"]) == (400, "invalid-field", field)


def test_supervised_writes_so_it_needs_the_write_flag(tmp_path):
    off = Turns(tmp_path / "off")
    try:
        status, body = off.create(execMode="supervised")
        assert (status, body["error"]) == (403, "write-mode-disabled")
    finally:
        off.close()
    on = Turns(tmp_path / "on", features={"codexExecWrite": True})
    try:
        status, made = on.create(execMode="supervised")
        assert status == 201 and made["task"]["writeAccess"] is True and made["task"]["interactive"] is True
        status, body = on.create(execMode="chat", writeAccess=True)
        assert (status, body["detail"]) == (400, "writeAccess")
    finally:
        on.close()


# --- the agent's conversation fields -------------------------------------------------------------


def test_a_request_wakes_a_held_state_wait_and_the_phone_sees_it_pending(turns):
    task_id = turns.running()
    status, state = turns.phone.get("/api/admin/state")
    cursor = state["changeCursor"]
    thread, box = in_thread(lambda: turns.phone.get(f"/api/admin/state?waitForChangeAfter={cursor}&waitMs=20000"))
    wait_held(turns.live)
    request = turns.add_request(task_id, requestedAt="2026-11-26T11:59:58.000Z")  # when Codex asked
    thread.join(25)
    assert box["elapsed"] < 10  # the same wait, not its end
    (task,) = [t for t in box["result"][1]["tasks"] if t["taskId"] == task_id]
    assert task["awaitingInput"] is True and task["status"] == "running"
    (shown,) = task["requests"]
    assert {key: shown[key] for key in request} == request
    assert (shown["status"], shown["decidedAt"], shown["decidedBy"]) == ("pending", None, None)
    assert shown["requestedAt"] == "2026-11-26T11:59:58.000Z"
    assert "answer" not in shown and "settled" not in shown


def test_requests_are_refused_never_clamped(turns):
    task_id = turns.running()
    over = command_request(task_id, title="T" * 201)
    status, body = turns.update(task_id, requestsAdd=[over])
    assert (status, body["error"]) == (400, "invalid-field") and "title" in body["detail"]
    forged = {**command_request(task_id), "command": "rm -rf ~"}  # the digest covers another command
    status, body = turns.update(task_id, requestsAdd=[forged])
    assert (status, body["error"]) == (400, "invalid-field") and "digest" in body["detail"]
    # A refused update changes nothing, not even its other fields.
    status, body = turns.update(task_id, requestsAdd=[over], turnId="turn-9")
    assert status == 400 and turns.task(task_id)["turnId"] == "" and turns.task(task_id)["requests"] == []
    # At most REQUESTS_PER_TASK requests per task, pending or not.
    for n in range(REQUESTS_PER_TASK):
        request = turns.add_request(task_id, f"r{n}")
        assert turns.update(task_id, requestsResolved=[{"requestId": request["requestId"], "status": "expired"}])[0] == 200
    status, body = turns.update(task_id, requestsAdd=[command_request(task_id, "one-more")])
    assert (status, body["error"]) == (400, "invalid-field") and str(REQUESTS_PER_TASK) in body["detail"]
    # A repeat of a request already held (a retried update) is no new request.
    assert turns.update(task_id, requestsAdd=[command_request(task_id, "r0")])[0] == 200


def test_conversation_fields_of_a_task_that_is_not_interactive_are_refused(turns):
    status, made = turns.create(execMode="read-only")
    task_id = made["task"]["taskId"]
    turns.poll(maxTasks=1)
    status, body = turns.update(task_id, itemsAppend=[{"itemId": "i1", "type": "notice", "text": "x"}])
    assert (status, body["error"], body["detail"]) == (400, "invalid-field", "itemsAppend")
    status, body = turns.update(task_id, requestsAdd=[command_request(task_id)])
    assert (status, body["error"], body["detail"]) == (400, "invalid-field", "requestsAdd")


def test_items_are_added_or_updated_by_id_and_the_oldest_go_first(turns):
    task_id = turns.running()
    first = {"itemId": "cmd-1", "type": "command", "command": "ls", "status": "inProgress", "output": "a\n"}
    status, _ = turns.update(task_id, itemsAppend=[first, {"itemId": "msg-1", "type": "agentMessage", "text": "Hi"}],
                             turnId="turn-1", tokenUsage={"input": 120, "output": 30})  # fmt: skip
    assert status == 200
    done = {**first, "status": "completed", "exitCode": 0, "output": "a\nb\n"}
    assert turns.update(task_id, itemsAppend=[done])[0] == 200
    task = turns.task(task_id)
    assert [(i["itemId"], i["status"]) for i in task["items"]] == [("cmd-1", "completed"), ("msg-1", None)]
    assert task["items"][0]["exitCode"] == 0 and task["items"][0]["output"] == "a\nb\n" and task["items"][0]["at"]
    assert task["turnId"] == "turn-1" and task["tokenUsage"] == {"input": 120, "output": 30}
    # More than ITEMS_MAX items: the oldest go.
    many = [{"itemId": f"n{n}", "type": "notice", "text": f"note {n}"} for n in range(ITEMS_MAX)]
    assert turns.update(task_id, itemsAppend=many)[0] == 200
    items = turns.task(task_id)["items"]
    assert len(items) == ITEMS_MAX and items[0]["itemId"] == "n0" and items[-1]["itemId"] == f"n{ITEMS_MAX - 1}"
    # More than ITEMS_BYTES of text: the oldest go, the newest is kept whole.
    big = [{"itemId": f"big{n}", "type": "agentMessage", "text": "字" * 5000} for n in range(6)]
    assert turns.update(task_id, itemsAppend=big)[0] == 200
    items = turns.task(task_id)["items"]
    assert sum(map(text_size, items)) <= ITEMS_BYTES and items[-1]["itemId"] == "big5" and len(items) < 10
    odd = {"itemId": "f1", "type": "fileChange", "changes": [{"path": "a", "kind": "rename"}, {"path": "b", "kind": "add"}]}
    assert turns.update(task_id, itemsAppend=[odd])[0] == 200  # a change of a kind not known here is left out
    assert [c["path"] for c in turns.task(task_id)["items"][-1]["changes"]] == ["b"]
    status, body = turns.update(task_id, itemsAppend=[{"itemId": "bad id!", "type": "notice"}])
    assert (status, body["detail"]) == (400, "itemsAppend")
    status, body = turns.update(task_id, tokenUsage={"input": -1, "output": 0})
    assert (status, body["detail"]) == (400, "tokenUsage")


# --- answers -----------------------------------------------------------------------------------


def test_an_answer_wakes_the_agent_s_held_poll_and_repeats_until_the_agent_settles_it(turns):
    task_id = turns.running()
    request = turns.add_request(task_id)
    assert turns.poll(waitMs=0)["answers"] == []
    thread, box = in_thread(lambda: turns.agent.post("/api/agent/poll", {"waitMs": 20000, "maxTasks": 1}))
    wait_held(turns.live)
    cursor = turns.phone.get("/api/admin/state")[1]["changeCursor"]
    status, answered = turns.answer(task_id, "req-1", "accept", request["digest"])
    assert status == 200, answered
    assert turns.phone.get("/api/admin/state")[1]["changeCursor"] != cursor  # phones see the answer too
    (shown,) = answered["task"]["requests"]
    assert (shown["status"], shown["decidedBy"], answered["task"]["awaitingInput"]) == ("accepted", "Owner", False)
    assert shown["decidedAt"]
    thread.join(25)
    status, reply = box["result"]
    assert box["elapsed"] < 10 and reply["heldMs"] < 10000  # the same held poll
    owed = [{"taskId": task_id, "requestId": "req-1", "decision": "accept", "digest": request["digest"]}]
    assert reply["answers"] == owed
    # Only the task's own agent is handed it.
    other = pair_over_http(turns.live, turns.phone, "agent-2")
    assert other.post("/api/agent/poll", {})[1]["answers"] == []
    # Repeated on every poll, but a repeat alone does not end a held poll at once (no hot loop).
    repeat, repeat_box = in_thread(lambda: turns.agent.post("/api/agent/poll", {"waitMs": 300}))
    repeat.join(25)
    assert repeat_box["result"][1]["answers"] == owed and repeat_box["result"][1]["heldMs"] >= 250
    assert turns.update(task_id, requestsResolved=[{"requestId": "req-1", "status": "accepted"}])[0] == 200
    assert turns.poll()["answers"] == []


def test_answer_checks_in_the_contract_s_order(turns):
    task_id = turns.running()
    request = turns.add_request(task_id, decisions=["accept", "decline"])
    digest = request["digest"]
    assert turns.answer("task_0000000000000000", "req-1", "accept", digest)[1]["error"] == "task-not-found"
    assert turns.answer(task_id, "req-2", "accept", digest)[1]["error"] == "request-not-found"
    status, body = turns.answer(task_id, "req-1", "accept", "0" * 64)
    assert (status, body["error"]) == (409, "request-changed")
    status, body = turns.answer(task_id, "req-1", "cancel", digest)  # not offered for this request
    assert (status, body["error"], body["detail"]) == (400, "invalid-field", "decision")
    status, body = turns.answer(task_id, "req-1", "decline", digest)
    assert status == 200 and body["task"]["requests"][0]["status"] == "declined"
    status, body = turns.answer(task_id, "req-1", "accept", digest)  # the first answer wins
    assert (status, body["error"]) == (409, "request-not-pending")
    assert turns.task(task_id)["requests"][0]["status"] == "declined"
    # The body is checked in the same order, after the task and the request: a digest that is not
    # even one differs from the request's, a decision that is not a string is not offered.
    status, body = turns.phone.post(f"/api/admin/tasks/{task_id}/requests/req-1/answer", {"decision": 1, "digest": None})
    assert (status, body["error"]) == (409, "request-not-pending")
    request = turns.add_request(task_id, "req-3")
    answer = f"/api/admin/tasks/{task_id}/requests/req-3/answer"
    assert turns.phone.post(answer, {"decision": "accept", "digest": 7})[1]["error"] == "request-changed"
    status, body = turns.phone.post(answer, {"decision": ["accept"], "digest": request["digest"]})
    assert (status, body["error"], body["detail"]) == (400, "invalid-field", "decision")
    status, body = turns.phone.post(f"/api/admin/tasks/{task_id}/requests/req-9/answer", {})
    assert (status, body["error"]) == (404, "request-not-found")


def test_the_agent_s_final_status_stands_over_an_answer(turns):
    task_id = turns.running()
    request = turns.add_request(task_id)
    assert turns.answer(task_id, "req-1", "accept", request["digest"])[0] == 200
    # It expired on the agent before the answer arrived: the agent's word stands, who answered stays.
    assert turns.update(task_id, requestsResolved=[{"requestId": "req-1", "status": "expired"}])[0] == 200
    (shown,) = turns.task(task_id)["requests"]
    assert (shown["status"], shown["decidedBy"]) == ("expired", "Owner")
    assert turns.poll()["answers"] == []
    status, body = turns.update(task_id, requestsResolved=[{"requestId": "req-1", "status": "pending"}])
    assert (status, body["detail"]) == (400, "requestsResolved")


def test_a_finished_turn_s_requests_cannot_be_answered(turns):
    task_id = turns.running()
    request = turns.add_request(task_id)
    assert turns.update(task_id, status="completed", result={"exitCode": 0})[0] == 200
    status, body = turns.answer(task_id, "req-1", "accept", request["digest"])
    assert (status, body["error"]) == (409, "request-not-pending")
    assert turns.task(task_id)["awaitingInput"] is False


def test_an_idempotency_key_answers_the_first_result_again(turns):
    task_id = turns.running()
    request = turns.add_request(task_id)
    key = {"Idempotency-Key": "answer-1"}
    first = turns.answer(task_id, "req-1", "accept", request["digest"], headers=key)
    again = turns.answer(task_id, "req-1", "accept", request["digest"], headers=key)
    assert first[0] == again[0] == 200 and again[1]["task"]["requests"][0]["status"] == "accepted"
    status, body = turns.answer(task_id, "req-1", "decline", request["digest"], headers=key)
    assert (status, body["error"]) == (409, "idempotency-key-reused")
    steered = [turns.steer(task_id, "once", headers={"Idempotency-Key": "steer-1"}) for _ in range(2)]
    assert [status for status, _ in steered] == [200, 200]
    assert [s["text"] for s in turns.task(task_id)["steers"]] == ["once"]


def test_who_may_answer_and_steer(turns):
    task_id = turns.running()
    request = turns.add_request(task_id)
    viewer = as_http(turns, member(turns.live, "viewer"))
    status, body = turns.answer(task_id, "req-1", "accept", request["digest"], phone=viewer)
    assert (status, body["error"]) == (403, "insufficient-role")
    assert (turns.steer(task_id, "hi", phone=viewer)[1]["error"]) == "insufficient-role"
    _, foreign_browser = other_workspace(turns.live)
    foreign = as_http(turns, foreign_browser)
    status, body = turns.answer(task_id, "req-1", "accept", request["digest"], phone=foreign)
    assert (status, body["error"]) == (404, "task-not-found")
    assert turns.steer(task_id, "hi", phone=foreign)[:1] == (404,)
    operator = as_http(turns, member(turns.live, "operator"))
    status, body = turns.answer(task_id, "req-1", "accept", request["digest"], phone=operator)
    assert status == 200 and body["task"]["requests"][0]["decidedBy"] == "operator"


# --- steers ------------------------------------------------------------------------------------


def test_a_steer_wakes_the_held_poll_and_is_repeated_until_applied_or_rejected(turns):
    task_id = turns.running()
    thread, box = in_thread(lambda: turns.agent.post("/api/agent/poll", {"waitMs": 20000}))
    wait_held(turns.live)
    cursor = turns.phone.get("/api/admin/state")[1]["changeCursor"]
    status, body = turns.steer(task_id, "also run the linter")
    assert status == 200 and turns.phone.get("/api/admin/state")[1]["changeCursor"] != cursor
    (steer,) = body["task"]["steers"]
    assert (steer["text"], steer["status"], steer["reason"]) == ("also run the linter", "pending", "")
    thread.join(25)
    assert box["elapsed"] < 10
    assert box["result"][1]["steers"] == [{"taskId": task_id, "steerId": steer["steerId"], "text": "also run the linter"}]
    second = turns.steer(task_id, "and the tests")[1]["task"]["steers"][1]
    assert [s["steerId"] for s in turns.poll()["steers"]] == [steer["steerId"], second["steerId"]]
    status, _ = turns.update(task_id, steersApplied=[steer["steerId"]],
                             steersRejected=[{"steerId": second["steerId"], "reason": "the turn had ended"}])  # fmt: skip
    assert status == 200
    assert turns.poll()["steers"] == []
    shown = turns.task(task_id)["steers"]
    assert [(s["status"], s["reason"]) for s in shown] == [("applied", ""), ("rejected", "the turn had ended")]


def test_steer_refusals(turns):
    status, made = turns.create()
    chat = made["task"]["taskId"]
    status, body = turns.steer(chat, "too early")
    assert (status, body["error"]) == (409, "task-not-running")
    status, made = turns.create(execMode="read-only")
    turns.poll(maxTasks=2)
    status, body = turns.steer(made["task"]["taskId"], "not a conversation")
    assert (status, body["error"]) == (400, "invalid-field")
    for text in ("", "  ", None, 12):
        status, body = turns.steer(chat, text)
        assert (status, body["detail"]) == (400, "text"), text
    status, body = turns.phone.post("/api/admin/tasks/task_0000000000000000/steer", {})
    assert (status, body["error"]) == (404, "task-not-found")  # the task before the body
    long = turns.steer(chat, "x" * 13000)[1]["task"]["steers"][0]["text"]  # clamped like other text
    assert len(long) == 12000


# --- nothing of it on disk ------------------------------------------------------------------------


def test_no_conversation_text_reaches_the_data_dir(tmp_path):
    turns = Turns(tmp_path, features={"codexExecWrite": True})
    try:
        turns.poll(conversationModels=["MODEL-MARKER"])  # memory only, like the task's choice of it
        task_id = turns.running(execMode="supervised", prompt="PROMPT-MARKER 提示", model="MODEL-MARKER")
        request = turns.add_request(
            task_id, command="REQUEST-MARKER-命令", reason="REASON-MARKER",
            changes=[{"path": "PATH-MARKER.txt", "kind": "add", "movePath": None, "diff": "+DIFF-MARKER-差异"}],
        )  # fmt: skip
        item = {"itemId": "m1", "type": "agentMessage", "text": "ITEM-MARKER-消息"}
        assert turns.update(task_id, itemsAppend=[item], turnId="TURN-MARKER")[0] == 200
        assert turns.answer(task_id, "req-1", "accept", request["digest"])[0] == 200
        assert turns.steer(task_id, "STEER-MARKER-转向")[0] == 200
        assert turns.poll()["steers"][0]["text"] == "STEER-MARKER-转向"
        assert turns.update(task_id, requestsResolved=[{"requestId": "req-1", "status": "accepted"}], status="completed")[0] == 200
        shown = turns.task(task_id)
        assert shown["items"][0]["text"] == "ITEM-MARKER-消息" and shown["requests"][0]["decidedBy"] == "Owner"
    finally:
        turns.close()
    files = [path for path in (tmp_path / "data").rglob("*") if path.is_file()]
    assert files
    markers = ("PROMPT-MARKER", "提示", "MODEL-MARKER", "REQUEST-MARKER", "命令", "REASON-MARKER", "PATH-MARKER",
               "DIFF-MARKER", "差异", "ITEM-MARKER", "消息", "STEER-MARKER", "转向", request["digest"])  # fmt: skip
    for path in files:
        data = path.read_bytes()
        for marker in markers:
            assert marker.encode() not in data and marker.encode("utf-16-le") not in data, (path, marker)



# --- the OpenAPI document ------------------------------------------------------------------------


def test_interactive_answers_fit_the_openapi_document(turns):
    from openapi_schema_validator import OAS31Validator

    from mobile_codex.relay_app.openapi import document

    doc = document()
    by_path = {path: item for path, item in doc["paths"].items()}

    def fits(method: str, path: str, status: int, body: dict) -> None:
        schema = by_path[path][method]["responses"][str(status)]["content"]["application/json"]["schema"]
        OAS31Validator({**schema, "components": doc["components"]}).validate(body)

    task_id = turns.running(model="gpt-5", effort="low")
    request = turns.add_request(task_id, kind="fileChange", changes=[{"path": "a.txt", "kind": "add", "diff": "+a"}])
    item = {"itemId": "c1", "type": "fileChange", "status": "completed", "changes": [{"path": "a.txt", "kind": "add", "added": 1, "removed": 0}]}
    assert turns.update(task_id, itemsAppend=[item], tokenUsage={"input": 1, "output": 2}, turnId="t1")[0] == 200
    status, answered = turns.answer(task_id, "req-1", "accept", request["digest"])
    fits("post", "/api/admin/tasks/{taskId}/requests/{requestId}/answer", status, answered)
    status, steered = turns.steer(task_id, "more")
    fits("post", "/api/admin/tasks/{taskId}/steer", status, steered)
    status, error = turns.steer(task_id, "")
    fits("post", "/api/admin/tasks/{taskId}/steer", status, error)
    reply = turns.poll()
    assert reply["answers"] and reply["steers"]
    fits("post", "/api/agent/poll", 200, reply)
    status, state = turns.phone.get("/api/admin/state")
    shown = next(t for t in state["tasks"] if t["taskId"] == task_id)
    assert shown["items"] and shown["requests"] and shown["steers"] and shown["tokenUsage"]
    fits("get", "/api/admin/state", status, state)
    status, refused = turns.answer(task_id, "req-1", "accept", request["digest"])
    fits("post", "/api/admin/tasks/{taskId}/requests/{requestId}/answer", status, refused)
