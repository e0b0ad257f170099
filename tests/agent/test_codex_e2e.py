"""Real Codex end to end: phone → relay → agent → `codex` → scripted model server, all over HTTP.

Asserts on what the model server received as well as on what the phone sees.
"""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from mobile_codex.agent_app.codex.threads import CodexThreads

from ..waiting import wait_until
from .conftest import processes_with, wait_dead
from .model_server import exec_command, message
from .stack import git


@pytest.fixture(autouse=True)
def fresh_script(model_server):
    model_server.reset()
    yield


def user_texts(model_server) -> list[str]:
    return [text for request in model_server.requests for text in model_server.user_texts(request)]


def codex_session(stack, prompt: str, answer: str) -> str:
    stack.model.script(message(answer))
    view = stack.run(type="codex_exec", prompt=prompt)
    assert view["status"] == "completed", view
    return view["threadId"]


def test_the_prompt_arrives_and_the_phone_reads_text_not_jsonl(stack, model_server):
    model_server.script(message("Hello from the model."))
    view = stack.run(type="codex_exec", prompt="Say hello, please")
    assert view["status"] == "completed", view
    assert "Say hello, please" in user_texts(model_server)
    assert view["summary"] == "Hello from the model."
    assert "Hello from the model." in view["outputTail"] and '"type"' not in view["outputTail"]
    assert view["threadId"] and view["result"]["threadId"] == view["threadId"] and view["result"]["exitCode"] == 0
    assert view["execMode"] == "read-only" and not view["diffText"]


def test_a_read_only_run_that_tries_to_write_completes_and_changes_nothing(stack, model_server):
    before = git(stack.workspace, "status", "--porcelain")
    model_server.script(exec_command("echo written > ro.txt && echo wrote-it"), message("I tried."))
    view = stack.run(type="codex_exec", prompt="write a file")
    assert view["status"] == "completed", view
    assert view["summary"] == "I tried."
    assert not (stack.workspace / "ro.txt").exists()
    assert git(stack.workspace, "status", "--porcelain") == before
    assert len(model_server.requests) == 2  # the call's outcome went back to the model
    call_output = [i for i in model_server.requests[1]["input"] if i.get("type") == "function_call_output"]
    assert call_output and "wrote-it" not in json.dumps(call_output)  # the write did not run


def test_a_write_run_diffs_against_its_start_untracked_files_included_index_untouched(stack, model_server):
    (stack.workspace / "tracked.txt").write_text("line one\nchanged before the run\n")
    index = (stack.workspace / ".git" / "index").read_bytes()
    model_server.script(
        exec_command("printf 'added by the run\\n' >> tracked.txt && echo brand new > created.txt"), message("Wrote two files.")
    )
    view = stack.run(type="codex_exec", prompt="change things", writeAccess=True)
    assert view["status"] == "completed", view
    assert view["execMode"] == "workspace-write" and view["writeAccess"] is True
    assert "$ /bin/bash -c " in view["outputTail"] and "[exit code 0]" in view["outputTail"]
    diff = view["diffText"]
    assert "+added by the run" in diff and "created.txt" in diff and "+brand new" in diff
    assert "changed before the run" not in diff.replace(" changed before the run", "")  # context, never an added line
    assert "+changed before the run" not in diff
    assert (stack.workspace / "created.txt").read_text() == "brand new\n"
    assert (stack.workspace / ".git" / "index").read_bytes() == index
    assert "?? created.txt" in git(stack.workspace, "status", "--porcelain")


def test_resume_sends_the_earlier_turn_and_continues_the_session(stack, model_server):
    thread_id = codex_session(stack, "remember the word pelican", "Noted: pelican.")
    model_server.reset()
    model_server.script(message("The word was pelican."))
    view = stack.run(type="codex_exec", prompt="which word?", resumeSessionId=thread_id)
    assert view["status"] == "completed", view
    assert view["execMode"] == "resume" and view["threadId"] == thread_id
    texts = model_server.texts()
    assert "remember the word pelican" in texts and "Noted: pelican." in texts and "which word?" in texts
    assert view["summary"] == "The word was pelican."


@pytest.mark.parametrize("prompt", ["--version", "--dangerously-bypass-approvals-and-sandbox"])
def test_a_prompt_that_starts_with_dashes_reaches_the_model_as_text(stack, model_server, prompt):
    model_server.script(message("Just text."))
    view = stack.run(type="codex_exec", prompt=prompt)
    assert view["status"] == "completed", view
    assert prompt in user_texts(model_server)


def test_catalog_read_and_delete(stack, model_server):
    thread_id = codex_session(stack, "catalog me please", "Catalogued.")

    def advertised() -> bool:
        return any(s["sessionId"] == thread_id for s in stack.advertised_sessions())

    wait_until(advertised, timeout=15, interval=0.1, what="the next poll carrying the fresh catalog")
    listed = next(s for s in stack.advertised_sessions() if s["sessionId"] == thread_id)
    assert listed["firstUserMessage"] == "catalog me please" and listed["cwd"] == "."
    assert [p["role"] for p in listed["preview"]] == ["user", "assistant"]
    assert [p["text"] for p in listed["preview"]] == ["catalog me please", "Catalogued."]
    assert stack.advertised_sessions()[0]["sessionId"] == thread_id  # newest first

    view = stack.run(type="read_session", sessionId=thread_id)
    assert view["status"] == "completed", view
    assert view["result"]["messages"] == [{"role": "user", "text": "catalog me please"}, {"role": "assistant", "text": "Catalogued."}]
    assert "environment_context" not in json.dumps(view["result"])

    view = stack.run(type="delete_session", sessionId=thread_id)
    assert view["status"] == "completed" and view["result"]["deleted"] is True, view
    assert CodexThreads(stack.codex_home).get(thread_id) is None  # gone from Codex's own store
    wait_until(lambda: not advertised(), timeout=15, interval=0.1, what="a poll without the deleted session")


def test_a_session_outside_the_workspace_cannot_be_read_resumed_or_deleted(stack, model_server, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    model_server.script(message("outside answer"))
    done = subprocess.run(
        [stack.codex_bin, "exec", "--json", "--skip-git-repo-check", "-C", str(outside), "--sandbox", "read-only", "--", "outside"],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CODEX_HOME": str(stack.codex_home)},
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    thread_id = json.loads(done.stdout.splitlines()[0])["thread_id"]
    model_server.reset()
    for body in ({"type": "read_session", "sessionId": thread_id}, {"type": "delete_session", "sessionId": thread_id},
                 {"type": "codex_exec", "prompt": "continue", "resumeSessionId": thread_id}):  # fmt: skip
        view = stack.run(**body)
        assert (view["status"], view["error"]) == ("failed", "session-outside-workspace"), view
    assert model_server.requests == []  # Codex never ran
    assert CodexThreads(stack.codex_home).get(thread_id) is not None  # not deleted
    assert all(s["sessionId"] != thread_id for s in stack.advertised_sessions())


@pytest.mark.parametrize(("session_id", "error"), [("../../etc/passwd", "invalid-session-id"),
                                                   ("01a21488-0000-7000-8000-000000000000", "session-not-found")])  # fmt: skip
def test_bad_session_ids(stack, session_id, error):
    view = stack.run(type="read_session", sessionId=session_id)
    assert (view["status"], view["error"]) == ("failed", error)


def test_cancel_stops_a_sleeping_command_and_nothing_of_the_run_survives(stack, model_server):
    model_server.script(exec_command("sleep 29.4817; echo never"), message("not reached"))
    task = stack.create(type="codex_exec", prompt="cancel-me-7731")
    stack.wait(task["taskId"], until=lambda view: "sleep 29.4817" in (view["outputTail"] or ""))
    wait_until(lambda: processes_with("sleep 29.4817"), timeout=10, interval=0.05, what="the sleep command running")
    pids = processes_with("29.4817") + processes_with("cancel-me-7731")
    started = time.monotonic()
    status, reply = stack.phone.post(f"/api/admin/tasks/{task['taskId']}/cancel")
    assert status == 200, reply
    view = stack.wait(task["taskId"])
    assert (view["status"], view["error"]) == ("canceled", "canceled")
    assert time.monotonic() - started < 5
    assert all(wait_dead(pid) for pid in pids)
    assert processes_with("29.4817") == [] and processes_with("cancel-me-7731") == []


def test_the_agent_advertises_codex_and_its_modes(stack):
    record = stack.agent_record()
    assert record.codex_available is True and record.codex_version == "0.169.0"
    assert {m["id"]: m["writes"] for m in record.exec_modes} == {
        "read-only": False, "workspace-write": True, "resume": False, "chat": False, "supervised": True,
    }  # the interactive modes too: this Codex speaks the app-server protocol the agent supports
