"""Secrets never leave the server, end to end (issue 21 "Done when"): phone → real relay → agent → real
Codex → the scripted model server, which makes Codex run a command that prints a fake private key, an
AWS-style key pair and a GitHub-style token.

The phone sees markers in their place — in outputTail, in items and an approval request (whose digest
still holds), in the diff of a file holding them, in a log tail, in a session read and the session
catalog — and none of their text is in any relay answer or any file of the relay. A clean text passes
unchanged, a filter that raises withholds the text, an allowlisted key passes.
"""

from __future__ import annotations

import json
import time

import pytest

from mobile_codex.agent_app.redaction import Redactor
from mobile_codex.plugins.filters.secrets import find_secrets

from ..secret_samples import ALLOWED_KEY_ID, GITHUB_TOKEN, MARKERS, NEEDLES, SECRET_TEXT
from ..waiting import wait_until
from .model_server import add_file, exec_command, message
from .stack import Stack

ALLOWED_LINE = f"allowed example key {ALLOWED_KEY_ID}"
PRINT_SECRETS = f"printf '%s\\n' '{SECRET_TEXT.rstrip()}' '{ALLOWED_LINE}' > leaked.env && cat leaked.env"


@pytest.fixture(scope="module")
def log_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("redaction-logs") / "app.log"
    path.write_text("service started\n" + SECRET_TEXT + "service ready\n")
    return path


@pytest.fixture(scope="module")
def stack(tmp_path_factory, codex_bin, model_server, log_file):
    overrides = {
        "logSources": {"app": {"label": "App log", "path": str(log_file)}},
        "redaction": {"allowlist": [f"^{ALLOWED_KEY_ID}$"]},
    }  # fmt: skip
    instance = Stack(tmp_path_factory.mktemp("redaction-e2e"), codex_bin, model_server, agent_overrides=overrides)
    yield instance
    instance.close()


@pytest.fixture(autouse=True)
def fresh_script(model_server):
    model_server.reset()
    yield


def assert_no_secret(text: str, where: str) -> None:
    for needle in NEEDLES:
        assert needle not in text, f"{needle!r} reached {where}"


def assert_markers(text: str) -> None:
    for marker in MARKERS:
        assert marker in text, f"{marker} missing from {text!r}"


def phone_answers(stack: Stack) -> str:
    """Everything the phone can read: the state view and the task list, as the relay answers them."""
    answers = []
    for path in ("/api/admin/state", "/api/admin/tasks"):
        status, reply = stack.phone.get(path)
        assert status == 200, reply
        answers.append(json.dumps(reply))
    return "\n".join(answers)


def test_a_write_run_printing_secrets_shows_markers_in_output_diff_and_summary(stack, model_server):
    model_server.script(exec_command(PRINT_SECRETS), message(f"Printed them; the token was {GITHUB_TOKEN}."))
    view = stack.run(type="codex_exec", prompt="print the credentials", writeAccess=True)
    assert view["status"] == "completed", view
    assert (stack.workspace / "leaked.env").read_text().startswith("-----BEGIN")  # the command really ran
    assert_markers(view["outputTail"])
    assert ALLOWED_LINE in view["outputTail"]  # the allowlisted key passes
    assert "leaked.env" in view["diffText"] and "[redacted: Private Key]" in view["diffText"]
    assert "[redacted: GitHub Token]" in view["diffText"] and ALLOWED_KEY_ID in view["diffText"]
    assert view["summary"] == "Printed them; the token was [redacted: GitHub Token]."
    assert view["redactions"] == 4  # the key, both halves of the pair, the token: each counted once
    assert_no_secret(json.dumps(view), "the task view")
    assert_no_secret(phone_answers(stack), "the phone's answers")


def test_a_clean_run_passes_unchanged_and_counts_nothing(stack, model_server):
    model_server.script(exec_command("echo just-a-plain-line && echo commit 3b18e512dba79e4c8300dd08aeb37f8e728b8dad"),
                        message("Nothing secret here."))  # fmt: skip
    view = stack.run(type="codex_exec", prompt="print plain lines")
    assert view["status"] == "completed", view
    assert "just-a-plain-line\ncommit 3b18e512dba79e4c8300dd08aeb37f8e728b8dad\n" in view["outputTail"]
    assert "[redacted" not in view["outputTail"] and view["summary"] == "Nothing secret here."
    assert view["redactions"] == 0


def test_a_supervised_turn_shows_a_redacted_request_and_its_digest_still_answers(stack, model_server):
    model_server.script(exec_command(PRINT_SECRETS), message("Ran it."))
    task_id = stack.create(type="codex_exec", execMode="supervised", prompt="print the credentials")["taskId"]
    view = stack.wait(task_id, until=lambda v: any(r["status"] == "pending" for r in v.get("requests") or [])
                      or v["status"] not in ("queued", "running"))  # fmt: skip
    request = next(r for r in view["requests"] if r["status"] == "pending")
    assert "[redacted: Private Key]" in request["command"] and "[redacted: GitHub Token]" in request["command"]
    assert_no_secret(json.dumps(view), "the waiting request")
    status, reply = stack.phone.post(f"/api/admin/tasks/{task_id}/requests/{request['requestId']}/answer",
                                     {"decision": "accept", "digest": request["digest"]})  # fmt: skip
    assert status == 200, reply  # the digest covers the redacted request the phone saw
    view = stack.wait(task_id)
    assert view["status"] == "completed", view
    commands = [item for item in view["items"] if item["type"] == "command"]
    assert commands and commands[-1]["exitCode"] == 0
    assert_markers(commands[-1]["output"]) and ALLOWED_LINE in commands[-1]["output"]
    assert "[redacted: Private Key]" in commands[-1]["command"]
    assert view["redactions"] >= 4
    assert_no_secret(json.dumps(view), "the conversation's items")


def test_a_supervised_file_change_asks_with_a_redacted_diff_and_lands_once_accepted(stack, model_server):
    model_server.script(add_file("creds.env", SECRET_TEXT), message("Added the file."))
    task_id = stack.create(type="codex_exec", execMode="supervised", prompt="add creds.env")["taskId"]
    view = stack.wait(task_id, until=lambda v: any(r["status"] == "pending" for r in v.get("requests") or [])
                      or v["status"] not in ("queued", "running"))  # fmt: skip
    request = next(r for r in view["requests"] if r["status"] == "pending")
    assert request["kind"] == "fileChange" and request["changes"][0]["path"].endswith("creds.env"), request
    assert_markers(request["changes"][0]["diff"])
    assert_no_secret(json.dumps(view), "the file change request")
    status, reply = stack.phone.post(f"/api/admin/tasks/{task_id}/requests/{request['requestId']}/answer",
                                     {"decision": "accept", "digest": request["digest"]})  # fmt: skip
    assert status == 200, reply
    view = stack.wait(task_id)
    assert view["status"] == "completed", view
    assert (stack.workspace / "creds.env").read_text() == SECRET_TEXT  # the real change, secrets and all, on the server
    assert [item["status"] for item in view["items"] if item["type"] == "fileChange"] == ["completed"]  # paths and counts only
    assert "creds.env" in view["diffText"] and "[redacted: GitHub Token]" in view["diffText"]
    assert_no_secret(json.dumps(view), "the file change's items and diff")


def test_a_log_tail_shows_markers(stack):
    view = stack.run(type="read_log", logSourceId="app")
    assert view["status"] == "completed", view
    assert view["outputTail"].startswith("service started\n[redacted: Private Key]\n")
    assert_markers(view["outputTail"]) and view["outputTail"].endswith("service ready\n")
    assert view["redactions"] == 4
    assert_no_secret(json.dumps(view), "the log tail")


def test_a_session_read_and_the_session_catalog_show_markers(stack, model_server):
    typed = "gh" + "p_" + GITHUB_TOKEN[4:][::-1]  # the person's own token in the prompt: the relay holds the prompt
    model_server.script(message(f"Your token is {GITHUB_TOKEN}, keep it safe."))
    first = stack.run(type="codex_exec", prompt=f"remember my token {typed}")
    assert first["status"] == "completed", first
    thread_id = first["threadId"]

    def listed():
        return next((s for s in stack.advertised_sessions() if s["sessionId"] == thread_id), None)

    wait_until(lambda: listed() is not None, timeout=20, interval=0.1, what="the catalog carrying the new session")
    entry = listed()
    assert entry["firstUserMessage"] == "remember my token [redacted: GitHub Token]"
    assert [p["text"] for p in entry["preview"]][-1] == "Your token is [redacted: GitHub Token], keep it safe."
    view = stack.run(type="read_session", sessionId=thread_id)
    assert view["status"] == "completed", view
    texts = [m["text"] for m in view["result"]["messages"]]
    assert texts == ["remember my token [redacted: GitHub Token]", "Your token is [redacted: GitHub Token], keep it safe."]
    assert "[redacted: GitHub Token]" in view["outputTail"] and view["redactions"] == 2
    shown = json.dumps(view) + json.dumps(stack.advertised_sessions())
    assert_no_secret(shown, "the session read")
    assert typed not in shown


def test_a_secret_that_a_clip_would_cut_in_half_is_hidden_before_the_clip(stack, model_server):
    """The catalog's previews are clipped at 320 characters, a session read's messages at 400: a token
    cut there would no longer look like one, so the agent filters first, then clips."""
    long = "z" * 300 + " " + GITHUB_TOKEN + " " + "w" * 40 + " " + GITHUB_TOKEN  # tokens across 320 and 400
    model_server.script(message(long))
    first = stack.run(type="codex_exec", prompt="say something long")
    assert first["status"] == "completed", first

    def listed():
        return next((s for s in stack.advertised_sessions() if s["sessionId"] == first["threadId"]), None)

    wait_until(lambda: listed() is not None, timeout=20, interval=0.1, what="the catalog carrying the new session")
    preview = listed()["preview"][-1]["text"]
    assert preview.startswith("z" * 300 + " [redacted: GitHub") and GITHUB_TOKEN[:10] not in preview  # the marker, clipped
    view = stack.run(type="read_session", sessionId=first["threadId"])
    assert view["status"] == "completed", view
    text = view["result"]["messages"][-1]["text"]
    assert text.startswith("z" * 300 + " [redacted: GitHub Token] " + "w" * 40 + " [redacted: GitHub Token]")
    assert GITHUB_TOKEN[:10] not in json.dumps(view)


def test_a_filter_that_raises_withholds_the_text(stack):
    def broken(text, where):
        raise RuntimeError("filter crashed")

    runner = stack.agent.runner
    kept = runner.redactor
    runner.redactor = Redactor([("secrets", find_secrets), ("broken", broken)])
    try:
        view = stack.run(type="read_log", logSourceId="app")
    finally:
        runner.redactor = kept
    assert view["status"] == "completed", view
    assert view["outputTail"] == "[withheld: filter broken failed]\n"
    assert view["summary"] == "[withheld: filter broken failed]"
    assert_no_secret(json.dumps(view), "a withheld text")


def test_no_secret_text_is_in_any_relay_answer_or_file(stack):
    """Last in the module: every run above has been through this relay."""
    assert_no_secret(phone_answers(stack), "the phone's answers")
    time.sleep(0.5)
    files = [path for path in (stack.folder / "relay").rglob("*") if path.is_file()]
    assert files  # the relay's database is there to search
    for path in files:
        data = path.read_bytes()
        for needle in NEEDLES:
            assert needle.encode() not in data, f"{needle!r} found in {path}"
