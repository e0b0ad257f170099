"""Interactive Codex end to end: phone → relay → agent → `codex app-server` → the scripted model server.

Everything talks over HTTP or stdio as in production: the phone answers approvals and steers through the
relay's endpoints, the agent learns of them in its held poll, and Codex runs the approved command for
real. Asserts on what the model received as well as on what the phone sees (issue 16, "Done when").
"""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from ..waiting import wait_until
from .conftest import processes_with
from .model_server import exec_command, message
from .stack import Stack


@pytest.fixture(autouse=True)
def fresh_script(model_server):
    model_server.reset()
    yield


def pending(view: dict) -> list[dict]:
    return [r for r in view.get("requests") or [] if r["status"] == "pending"]


def start(stack: Stack, mode: str, prompt: str, **body) -> str:
    return stack.create(type="codex_exec", execMode=mode, prompt=prompt, **body)["taskId"]


def asked(stack: Stack, task_id: str) -> dict:
    """The first request the turn waits on, once the phone can see it."""
    view = stack.wait(task_id, until=lambda v: bool(pending(v)) or v["status"] not in ("queued", "running"))
    assert pending(view), view
    return pending(view)[0]


def answer(stack: Stack, task_id: str, request: dict, decision: str, digest: str | None = None):
    return stack.phone.post(
        f"/api/admin/tasks/{task_id}/requests/{request['requestId']}/answer",
        {"decision": decision, "digest": request["digest"] if digest is None else digest},
    )


def patch_adding(path: str, line: str) -> str:
    return f"apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: {path}\n+{line}\n*** End Patch\nEOF\n"


def app_servers_of(stack: Stack) -> list[int]:
    """The app-server processes running with this stack's CODEX_HOME (other tests may run their own)."""
    home = f"CODEX_HOME={stack.codex_home}".encode()
    found = []
    for pid in processes_with("app-server"):
        try:
            with open(f"/proc/{pid}/environ", "rb") as handle:
                if home in handle.read().split(b"\0"):
                    found.append(pid)
        except OSError:
            pass
    return found


def model_inputs(model_server) -> str:
    return json.dumps(model_server.requests[-1].get("input", []), ensure_ascii=False)


def test_agent_offers_the_interactive_modes(stack):
    agent = stack.live.app.relay.services.agents
    state = stack.phone.get("/api/admin/state")[1]
    modes = {m["id"]: m for a in state["agents"] for m in a.get("execModes") or []}
    assert modes["chat"]["interactive"] is True and modes["chat"]["writes"] is False
    assert modes["supervised"]["interactive"] is True and modes["supervised"]["writes"] is True
    assert modes["read-only"].get("interactive") is False
    assert agent is not None


def test_supervised_command_waits_for_the_phone_and_runs_once_accepted(stack, model_server):
    model_server.script(exec_command("touch accepted-marker.txt && echo ran-it"), message("Touched it."))
    task_id = start(stack, "supervised", "make the marker file")
    request = asked(stack, task_id)
    assert request["kind"] == "command" and "touch accepted-marker.txt" in request["command"]
    assert set(request["decisions"]) <= {"accept", "decline", "cancel"} and "accept" in request["decisions"]
    assert not (stack.workspace / "accepted-marker.txt").exists()  # nothing ran before the answer
    view = stack.view(task_id)
    assert view["status"] == "running" and view["awaitingInput"] is True and view["interactive"] is True

    status, reply = answer(stack, task_id, request, "accept")
    assert status == 200, reply
    view = stack.wait(task_id)
    assert view["status"] == "completed", view
    assert (stack.workspace / "accepted-marker.txt").exists()
    commands = [item for item in view["items"] if item["type"] == "command"]
    assert commands and commands[-1]["exitCode"] == 0 and "ran-it" in (commands[-1].get("output") or "")
    assert [r["status"] for r in view["requests"]] == ["accepted"]
    assert view["requests"][0]["decidedBy"]  # who answered is shown
    assert any(i["type"] == "agentMessage" and "Touched it." in i["text"] for i in view["items"])
    assert view["awaitingInput"] is False and view["threadId"]


def test_a_declined_command_does_not_run_and_the_model_is_told(stack, model_server):
    model_server.script(exec_command("touch declined-marker.txt"), message("Understood."))
    task_id = start(stack, "supervised", "try the marker")
    request = asked(stack, task_id)
    status, reply = answer(stack, task_id, request, "decline")
    assert status == 200, reply
    view = stack.wait(task_id)
    assert view["status"] == "completed", view
    assert not (stack.workspace / "declined-marker.txt").exists()
    assert "reject" in model_inputs(model_server).lower()  # the model learnt the command was refused
    assert view["requests"][0]["status"] == "declined"


def test_cancel_as_a_decision_ends_the_turn(stack, model_server):
    model_server.script(exec_command("touch canceled-marker.txt"), message("Should not be asked for."))
    task_id = start(stack, "supervised", "try again")
    request = asked(stack, task_id)
    if "cancel" not in request["decisions"]:
        pytest.fail(f"the agent must offer cancel for a command: {request}")
    status, reply = answer(stack, task_id, request, "cancel")
    assert status == 200, reply
    view = stack.wait(task_id)
    assert view["status"] in ("completed", "failed", "canceled"), view
    assert not (stack.workspace / "canceled-marker.txt").exists()
    assert len(model_server.requests) == 1  # the turn ended: the model was not asked again


def test_a_file_change_asks_with_its_diff_and_lands_once_accepted(stack, model_server):
    model_server.script(exec_command(patch_adding("patched.txt", "from the patch")), message("Patched."))
    task_id = start(stack, "supervised", "add patched.txt")
    request = asked(stack, task_id)
    assert request["kind"] == "fileChange", request
    change = request["changes"][0]
    assert change["path"].endswith("patched.txt") and change["kind"] == "add"
    assert "from the patch" in change["diff"]
    assert not (stack.workspace / "patched.txt").exists()
    status, reply = answer(stack, task_id, request, "accept")
    assert status == 200, reply
    view = stack.wait(task_id)
    assert view["status"] == "completed", view
    assert (stack.workspace / "patched.txt").read_text().strip() == "from the patch"
    assert "patched.txt" in view["diffText"] and "from the patch" in view["diffText"]


def test_a_wrong_digest_is_refused_and_a_second_answer_too(stack, model_server):
    model_server.script(exec_command("touch digest-marker.txt"), message("ok"))
    task_id = start(stack, "supervised", "digest check")
    request = asked(stack, task_id)
    status, reply = answer(stack, task_id, request, "accept", digest="0" * 64)
    assert (status, reply.get("error")) == (409, "request-changed")
    assert not (stack.workspace / "digest-marker.txt").exists()
    assert answer(stack, task_id, request, "decline")[0] == 200
    status, reply = answer(stack, task_id, request, "accept")
    assert (status, reply.get("error")) == (409, "request-not-pending")
    assert stack.wait(task_id)["status"] == "completed"
    assert not (stack.workspace / "digest-marker.txt").exists()


def test_a_chat_turn_that_tries_to_write_asks_nothing_and_changes_nothing(stack, model_server):
    model_server.script(exec_command("echo chat > chat-marker.txt"), message("I could not."))
    task_id = start(stack, "chat", "write chat-marker.txt")
    view = stack.wait(task_id)
    assert view["status"] == "completed", view
    assert view["requests"] == [] and not (stack.workspace / "chat-marker.txt").exists()


def test_turns_continue_the_thread_with_its_whole_conversation(stack, model_server):
    model_server.script(message("First answer."))
    first = stack.wait(start(stack, "chat", "remember the word kumquat"))
    assert first["status"] == "completed" and first["threadId"], first
    model_server.script(message("Second answer."))
    second = stack.wait(start(stack, "chat", "which word?", threadId=first["threadId"]))
    assert second["status"] == "completed", second
    assert second["threadId"] == first["threadId"]
    sent = model_inputs(model_server)
    assert "remember the word kumquat" in sent and "First answer." in sent and "which word?" in sent


def test_a_supervised_continuation_of_a_chat_thread_may_write(stack, model_server):
    model_server.script(message("Chatting."))
    chat = stack.wait(start(stack, "chat", "just chat"))
    model_server.script(exec_command("touch upgraded-marker.txt"), message("Wrote."))
    task_id = start(stack, "supervised", "now write", threadId=chat["threadId"])
    request = asked(stack, task_id)  # the sandbox and policy are the task's mode, not the thread's
    assert answer(stack, task_id, request, "accept")[0] == 200
    assert stack.wait(task_id)["status"] == "completed"
    assert (stack.workspace / "upgraded-marker.txt").exists()


def test_a_session_made_by_codex_exec_continues_as_a_conversation(stack, model_server):
    model_server.script(message("Exec answer."))
    run = stack.run(type="codex_exec", prompt="an exec-made session about figs")
    assert run["status"] == "completed" and run["threadId"], run
    model_server.script(message("Continued."))
    view = stack.wait(start(stack, "chat", "go on", threadId=run["threadId"]))
    assert view["status"] == "completed", view
    assert "an exec-made session about figs" in model_inputs(model_server)


def test_a_steer_reaches_the_model_within_the_same_turn(stack, model_server):
    model_server.script(exec_command("sleep 3"), message("Steered."))
    task_id = start(stack, "chat", "wait a little")
    stack.wait(task_id, until=lambda v: any(i["type"] == "command" for i in v.get("items") or []))
    status, reply = stack.phone.post(f"/api/admin/tasks/{task_id}/steer", {"text": "also mention pears"})
    assert status == 200, reply
    view = stack.wait(task_id)
    assert view["status"] == "completed", view
    assert [s["status"] for s in view["steers"]] == ["applied"], view["steers"]
    assert len(model_server.requests) == 2 and "also mention pears" in model_inputs(model_server)
    assert any(item["type"] == "steer" for item in view["items"])


def test_cancel_during_an_approved_command_leaves_no_process(stack, model_server):
    marker = "sleep 47.25"
    model_server.script(exec_command(marker), message("never"))
    task_id = start(stack, "supervised", "sleep long")
    request = asked(stack, task_id)
    assert answer(stack, task_id, request, "accept")[0] == 200
    wait_until(lambda: processes_with(marker), timeout=30, what="the approved command never started")
    status, reply = stack.phone.post(f"/api/admin/tasks/{task_id}/cancel")
    assert status == 200, reply
    assert stack.wait(task_id)["status"] == "canceled"
    wait_until(lambda: not processes_with(marker), timeout=10, what="the approved command outlived its cancel")


def test_an_app_server_killed_mid_turn_fails_the_turn_and_the_next_one_works(stack, model_server):
    model_server.script(exec_command("touch crash-marker.txt"), message("never"))
    task_id = start(stack, "supervised", "crash me")
    asked(stack, task_id)
    servers = app_servers_of(stack)
    assert servers, "no codex app-server process of this agent found"
    for pid in servers:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    view = stack.wait(task_id)
    assert (view["status"], view["error"]) == ("failed", "codex-crashed"), view
    model_server.script(message("Back again."))
    again = stack.wait(start(stack, "chat", "are you there?"))
    assert again["status"] == "completed", again


def test_turns_waiting_for_a_person_do_not_block_a_third_task(stack, model_server):
    slots = stack.config.max_concurrent_tasks
    waiting = []
    for n in range(slots):
        model_server.script(exec_command(f"touch slot-{n}.txt"))
        waiting.append(start(stack, "supervised", f"slot {n}"))
        asked(stack, waiting[-1])
    model_server.script(message("Third one ran."))
    third = stack.wait(start(stack, "chat", "meanwhile"))
    assert third["status"] == "completed", third
    for task_id in waiting:
        assert stack.phone.post(f"/api/admin/tasks/{task_id}/cancel")[0] == 200
        assert stack.wait(task_id)["status"] == "canceled"


def test_no_conversation_text_reaches_the_relays_disk(stack, model_server):
    secret = "Kürbis-4711-interactive"
    model_server.script(exec_command(f"touch {secret}.txt"), message(f"answer {secret}"))
    task_id = start(stack, "supervised", f"prompt {secret}")
    request = asked(stack, task_id)
    assert answer(stack, task_id, request, "accept")[0] == 200
    stack.phone.post(f"/api/admin/tasks/{task_id}/steer", {"text": f"steer {secret}"})
    stack.wait(task_id)
    time.sleep(0.5)
    for path in (stack.folder / "relay").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for needle in (secret, "Kürbis", "4711-interactive"):
                assert needle.encode() not in data, f"{needle!r} found in {path}"
