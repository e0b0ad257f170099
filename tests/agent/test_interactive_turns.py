"""Interactive turns over the real `codex app-server`: approvals, file changes, chat, continued threads.

The agent's own dispatcher runs each turn (real Codex, the scripted model server); the recorder in
place of the runner's TurnChannel shows what the phone would get.
"""

from __future__ import annotations

import subprocess

import pytest

from mobile_codex.agent_app.errors import TaskFailed
from mobile_codex.core.interactive import request_digest, request_problem

from .model_server import add_file, exec_command, message
from .turn_host import TurnHost


@pytest.fixture(scope="module")
def host(tmp_path_factory, codex_bin, model_server):
    return TurnHost(tmp_path_factory.mktemp("turns"), codex_bin, model_server)


@pytest.fixture(autouse=True)
def fresh_model(model_server):
    model_server.reset()


def test_accepted_command_runs_and_its_output_arrives_as_an_item(host, model_server):
    model_server.script(exec_command("echo made > accepted.txt; echo out-$((40+2))"), message("ran it"))
    turn = host.start("make a file")
    request = turn.request()
    assert request["kind"] == "command" and "accepted.txt" in request["command"]
    assert request["decisions"] == ["accept", "decline", "cancel"] and request_problem(request) is None
    assert request["digest"] == request_digest(turn.task["taskId"], request)
    assert not (host.workspace / "accepted.txt").exists()
    assert turn.channel.waiting == [True]
    turn.answer(request, "accept")
    result = turn.finish()
    assert result.error is None and result.summary == "ran it"
    assert (host.workspace / "accepted.txt").read_text() == "made\n"
    command = next(i for i in turn.channel.items().values() if i["type"] == "command")
    assert command["exitCode"] == 0 and command["status"] == "completed" and "out-42" in command["output"]
    assert turn.channel.field("requests_resolved") == [{"requestId": request["requestId"], "status": "accepted"}]
    assert turn.channel.waiting == [True, False]
    assert "out-42" in turn.text and "ran it" in turn.text  # outputTail for old clients
    usage = [r["token_usage"] for r in turn.channel.reports if "token_usage" in r]
    assert usage[-1] == {"input": 20, "output": 10}  # this turn's two model calls (10 in, 5 out each)
    assert result.result["tokenUsage"] == usage[-1]


def test_declined_command_does_not_run_and_the_model_is_told(host, model_server):
    model_server.script(exec_command("echo no > declined.txt"), message("ok, not doing it"))
    turn = host.start("make a file")
    turn.answer(turn.request(), "decline")
    result = turn.finish()
    assert result.error is None
    assert not (host.workspace / "declined.txt").exists()
    assert any("reject" in text.lower() for text in model_server.texts())
    assert turn.channel.field("requests_resolved")[0]["status"] == "declined"


def test_cancel_decision_ends_the_turn(host, model_server):
    model_server.script(exec_command("echo no > canceled.txt"), message("should not be asked for"))
    turn = host.start("make a file")
    turn.answer(turn.request(), "cancel")
    result = turn.finish()
    assert not (host.workspace / "canceled.txt").exists()
    assert result.result["turnStatus"] == "interrupted" and result.error is None  # ended as the person chose
    assert len(model_server.requests) == 1


def test_accepted_file_change_is_written_and_in_the_diff(host, model_server):
    subprocess.run(["git", "init", "-q"], cwd=host.workspace, check=True)
    model_server.script(add_file("notes/hello.txt", "hello phone\nsecond line"), message("added"))
    turn = host.start("add a note")
    request = turn.request()
    assert request["kind"] == "fileChange"
    assert request["changes"] == [{"path": "notes/hello.txt", "kind": "add", "movePath": None, "diff": "hello phone\nsecond line\n"}]
    assert request_problem(request) is None
    turn.answer(request, "accept")
    result = turn.finish()
    assert (host.workspace / "notes" / "hello.txt").read_text() == "hello phone\nsecond line\n"
    assert "+hello phone" in result.diff_text and "notes/hello.txt" in result.diff_text
    change = next(i for i in turn.channel.items().values() if i["type"] == "fileChange")
    assert change["changes"] == [{"path": "notes/hello.txt", "kind": "add", "movePath": None, "added": 2, "removed": 0}]
    assert change["status"] == "completed"


def test_chat_turn_that_tries_to_write_asks_nothing_and_leaves_the_workspace_alone(host, model_server):
    before = sorted(p.name for p in host.workspace.iterdir())
    model_server.script(exec_command("echo x > chat-wrote.txt"), add_file("chat-patch.txt", "x"), message("tried"))
    turn = host.start("write something", mode="chat")
    result = turn.finish()
    assert result.error is None
    assert sorted(p.name for p in host.workspace.iterdir()) == before
    assert turn.channel.field("requests_add") == [] and turn.channel.waiting == []


def test_second_turn_on_the_thread_sends_the_earlier_conversation(host, model_server):
    model_server.script(message("first answer alpha"))
    first = host.start("first question zeta", mode="chat").finish()
    model_server.reset()
    model_server.script(message("second answer"))
    second = host.start("second question", mode="chat", threadId=first.thread_id).finish()
    assert second.thread_id == first.thread_id and second.error is None
    texts = model_server.texts()
    assert "first question zeta" in texts and "first answer alpha" in texts and "second question" in texts


def test_supervised_continuation_of_a_chat_thread_runs_with_write_access(host, model_server):
    model_server.script(message("chatting"))
    chat = host.start("just talk", mode="chat").finish()
    model_server.script(exec_command("echo w > continued.txt"), message("wrote"))
    turn = host.start("now write", mode="supervised", threadId=chat.thread_id)
    turn.answer(turn.request(), "accept")
    assert turn.finish().error is None
    assert (host.workspace / "continued.txt").read_text() == "w\n"
    model_server.script(exec_command("echo r > back-to-chat.txt"), message("no"))
    assert host.start("write again", mode="chat", threadId=chat.thread_id).finish().error is None
    assert not (host.workspace / "back-to-chat.txt").exists()  # the sandbox is sent each turn, not inherited


def test_continues_a_session_made_by_codex_exec(host, model_server, codex_bin):
    model_server.script(message("exec said omega"))
    subprocess.run(
        [codex_bin, "exec", "--json", "--skip-git-repo-check", "-C", str(host.workspace), "--sandbox", "read-only",
         "--", "exec question"], env=host.interactive.codex.env(), stdin=subprocess.DEVNULL, capture_output=True,
        check=True, timeout=120,
    )  # fmt: skip
    host.interactive.codex.sessions.invalidate()
    session = host.interactive.codex.sessions.catalog()[0]["sessionId"]
    model_server.reset()
    result = host.start("follow up", mode="chat", threadId=session).finish()
    assert result.error is None and result.thread_id == session
    assert {"exec question", "exec said omega", "follow up"} <= set(model_server.texts())


def test_unknown_thread_fails_thread_not_found(host):
    turn = host.start("hi", mode="chat", threadId="00000000-0000-0000-0000-000000000000")
    turn.finish()
    assert isinstance(turn.error, TaskFailed) and turn.error.code == "thread-not-found"


def test_wrong_digest_is_ignored_and_the_right_one_applies(host, model_server):
    model_server.script(exec_command("echo d > digest.txt"), message("done"))
    turn = host.start("make a file")
    request = turn.request()
    turn.answer({**request, "digest": "0" * 64}, "accept")
    turn.answer({**request, "requestId": "someone-else"}, "accept")
    turn.answer(request, "decline")  # taken after the two above, in order
    assert turn.finish().error is None
    assert turn.channel.field("requests_resolved") == [{"requestId": request["requestId"], "status": "declined"}]
    assert not (host.workspace / "digest.txt").exists()


def test_unanswered_request_expires_to_a_decline(host, model_server):
    host.interactive.approval_timeout = 1.0
    try:
        model_server.script(exec_command("echo e > expired.txt"), message("it was declined"))
        turn = host.start("make a file")
        request = turn.request()
        assert turn.finish().error is None
    finally:
        host.interactive.approval_timeout = 900
    assert turn.channel.field("requests_resolved") == [{"requestId": request["requestId"], "status": "expired"}]
    assert not (host.workspace / "expired.txt").exists()
    assert "expired" in turn.text


def test_a_session_outside_the_workspace_is_not_found(host, model_server, codex_bin, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    model_server.script(message("elsewhere"))
    subprocess.run(
        [codex_bin, "exec", "--json", "--skip-git-repo-check", "-C", str(outside), "--sandbox", "read-only", "--", "hi"],
        env=host.interactive.codex.env(), stdin=subprocess.DEVNULL, capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    thread = host.interactive.codex.sessions.threads.recent(under=outside, limit=1)[0]
    turn = host.start("continue it", mode="chat", threadId=thread.id)
    turn.finish()
    assert isinstance(turn.error, TaskFailed) and turn.error.code == "thread-not-found"
