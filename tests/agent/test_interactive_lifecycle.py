"""An interactive turn's processes: steers, cancel, a crashed or stalled app-server, agent restarts, odd requests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from mobile_codex.agent_app.codex.app_server.launch import open_app_server
from mobile_codex.agent_app.codex.app_server.process import AppServer, stop_leftovers
from mobile_codex.agent_app.codex.app_server.requests import RequestIds
from mobile_codex.agent_app.codex.app_server.rpc import Incoming
from mobile_codex.agent_app.codex.app_server.turn import Turn, TurnSettings
from mobile_codex.agent_app.errors import TaskCanceled, TaskFailed
from mobile_codex.agent_app.turn_channel import Steer
from mobile_codex.core.timeutil import system_clock

from ..waiting import wait_until
from .conftest import pid_alive, processes_with
from .model_server import exec_command, mcp_tool_call, message, slow
from .turn_host import TurnHost, TurnRecorder


@pytest.fixture(scope="module")
def host(tmp_path_factory, codex_bin, model_server):
    return TurnHost(tmp_path_factory.mktemp("lifecycle"), codex_bin, model_server)


@pytest.fixture(autouse=True)
def fresh_model(model_server):
    model_server.reset()


def test_steer_while_a_command_runs_reaches_the_model_in_the_same_turn(host, model_server):
    model_server.script(exec_command("sleep 2; echo slept"), message("steered answer"))
    turn = host.start("take your time")
    turn.answer(turn.request(), "accept")
    wait_until(lambda: any(i["type"] == "command" and i["output"] == "" and i["status"] == "inProgress"
                           for i in turn.channel.items().values()), timeout=30)  # fmt: skip
    turn.channel.give(Steer("s1", "please also mention kappa"))
    assert turn.finish().error is None
    assert turn.channel.field("steers_applied") == ["s1"]
    assert "please also mention kappa" in " ".join(model_server.user_texts(model_server.requests[-1]))
    assert len(model_server.requests) == 2  # one turn: the command's result and the steer went together
    assert any(i["type"] == "steer" and i["text"] == "please also mention kappa" for i in turn.channel.items().values())


def test_cancel_during_an_approved_sleep_leaves_no_process(host, model_server):
    model_server.script(exec_command("sleep 307; echo mk-cancel-307"), message("never"))
    turn = host.start("sleep a while")
    turn.answer(turn.request(), "accept")
    wait_until(lambda: processes_with("mk-cancel-307"), timeout=30)
    turn.cancel.set()
    turn.finish(timeout=10)
    assert isinstance(turn.error, TaskCanceled)
    wait_until(lambda: not processes_with("mk-cancel-307") and not processes_with("sleep\0" + "307"), timeout=5)
    assert host.server_pids() == []


def test_cancel_while_waiting_for_approval_ends_within_three_seconds(host, model_server):
    model_server.script(exec_command("echo never > never.txt"))
    turn = host.start("ask me")
    turn.request()
    pids = host.server_pids()
    started = time.monotonic()
    turn.cancel.set()
    turn.thread.join(3)
    assert not turn.thread.is_alive() and time.monotonic() - started < 3
    assert isinstance(turn.error, TaskCanceled) and all(not pid_alive(pid) for pid in pids)


def test_killed_app_server_fails_the_turn_codex_crashed_and_the_next_turn_works(host, model_server):
    model_server.script(message("first"))
    first = host.start("start a thread", mode="chat").finish()
    model_server.script(exec_command("echo x > crash.txt"))
    turn = host.start("ask", threadId=first.thread_id)
    request = turn.request()
    (pid,) = host.server_pids()
    os.killpg(pid, signal.SIGKILL)
    turn.finish(timeout=30)
    assert isinstance(turn.error, TaskFailed) and turn.error.code == "codex-crashed"
    assert turn.channel.field("requests_resolved") == [{"requestId": request["requestId"], "status": "resolved"}]
    assert turn.channel.waiting == [True, False]
    model_server.reset()
    model_server.script(message("back again"))
    again = host.start("are you there", mode="chat", threadId=first.thread_id).finish()
    assert again.error is None and again.summary == "back again"


def test_stalled_turn_fails_codex_stalled(host, model_server):
    host.interactive.stall_timeout = 1.0
    try:
        model_server.script(slow(message("too late"), 6))
        turn = host.start("think", mode="chat")
        turn.finish(timeout=30)
    finally:
        host.interactive.stall_timeout = 600
    assert isinstance(turn.error, TaskFailed) and turn.error.code == "codex-stalled"


def test_steer_after_the_turn_ended_is_rejected(host, model_server, tmp_path):
    """Codex itself refuses a steer once its turn is over; the agent reports that as rejected."""
    channel = TurnRecorder()
    server = open_app_server(host.interactive.codex, cwd=host.workspace, state_dir=tmp_path)
    try:
        thread = server.rpc.request("thread/start", {"cwd": str(host.workspace), "approvalPolicy": "never",
                                                      "sandbox": "read-only"}, timeout=60)["thread"]["id"]  # fmt: skip
        model_server.script(message("quick"))
        turn = make_turn(server, channel, thread, host)
        turn.run("quick one")
        turn.finished.clear()
        turn._steer(Steer("late", "too late now"))
    finally:
        server.stop()
    rejected = channel.field("steers_rejected")
    assert rejected and rejected[0]["steerId"] == "late" and "no active turn" in rejected[0]["reason"]


def test_a_real_mcp_elicitation_is_refused_shown_as_declined_and_the_turn_goes_on(tmp_path, codex_bin, model_server):
    """An MCP server in CODEX_HOME whose tool a supervised turn calls: Codex asks to approve the call by
    `mcpServer/elicitation/request`, which the agent cannot show; refused, the tool never runs."""
    log = tmp_path / "mcp-log.jsonl"
    host = TurnHost(tmp_path, codex_bin, model_server)
    with open(host.home / "config.toml", "a", encoding="utf-8") as config:
        config.write(f'\n[mcp_servers.asker]\ncommand = {json.dumps(sys.executable)}\n'
                     f'args = [{json.dumps(str(Path(__file__).with_name("mcp_asker.py")))}, {json.dumps(str(log))}]\n')  # fmt: skip
    model_server.script(mcp_tool_call("asker", "ask"), message("went on without it"))
    turn = host.start("use the tool")
    result = turn.finish()
    assert result.error is None and result.summary == "went on without it"
    (shown,) = turn.channel.field("requests_add")
    assert shown["kind"] == "other" and shown["status"] == "declined" and "mcpServer/elicitation/request" in shown["title"]
    assert "mcpServer/elicitation/request" in turn.text and turn.channel.waiting == []
    assert "tools/list" in log.read_text() and "tools/call" not in log.read_text()


def test_a_server_request_the_agent_cannot_show_is_refused_and_the_turn_goes_on(host, model_server, tmp_path):
    """Fed a recorded `item/tool/requestUserInput` (Codex sends it only in plan mode), as if Codex sent it."""
    channel = TurnRecorder()
    server = open_app_server(host.interactive.codex, cwd=host.workspace, state_dir=tmp_path, record=[])
    try:
        thread = server.rpc.request("thread/start", {"cwd": str(host.workspace), "approvalPolicy": "never",
                                                      "sandbox": "read-only"}, timeout=60)["thread"]["id"]  # fmt: skip
        recorded = {"threadId": thread, "turnId": "t", "itemId": "call_9", "questions": [{"id": "q", "header": "Pick",
                    "question": "Which one?", "isOther": False, "isSecret": False, "options": None}]}  # fmt: skip
        server.rpc.incoming.put(Incoming("item/tool/requestUserInput", recorded, 9001))
        model_server.script(message("went on"))
        outcome = make_turn(server, channel, thread, host).run("go")
    finally:
        server.stop()
    assert outcome.status == "completed" and outcome.last_message == "went on"
    (shown,) = channel.field("requests_add")
    assert shown["kind"] == "other" and shown["status"] == "declined" and "item/tool/requestUserInput" in shown["title"]
    refusal = {"id": 9001, "error": {"code": -32601, "message": "mobile_codex does not handle item/tool/requestUserInput"}}
    assert refusal in server.rpc.sent


def make_turn(server, channel, thread, host) -> Turn:
    settings = TurnSettings(approval_timeout=60, stall_timeout=60, sandbox_policy={"type": "readOnly"}, approval_policy="never")
    return Turn(server.rpc, channel, task_id="t-x", thread_id=thread, cwd=str(host.workspace), settings=settings,
                output=lambda text: None, cancel=threading.Event(), ids=RequestIds(), clock=system_clock)  # fmt: skip


AGENT_THEN_KILLED = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from tests.agent.turn_host import TurnHost
    class Remote:  # the test's model server, reached by URL
        def write_codex_home(self, home):
            return home
    host = TurnHost.__new__(TurnHost)
    host.folder = __import__("pathlib").Path({folder!r}); host.model = Remote()
    host.home = host.folder / "codex-home"; host.workspace = host.folder / "workspace"; host.state = host.folder / "agent-state"
    host.doc = {doc!r}
    host.restart()
    turn = host.start("leave me waiting", threadId={thread!r})
    turn.request()
    print("waiting", flush=True)
    time.sleep(600)
""")


def test_servers_of_a_killed_agent_are_stopped_at_the_next_start_and_the_thread_continues(host, model_server):
    model_server.script(message("remember sigma"))
    first = host.start("start", mode="chat").finish()
    model_server.script(exec_command("echo y > leftover.txt"))
    script = AGENT_THEN_KILLED.format(root=str(Path(__file__).resolve().parents[2]), folder=str(host.folder),
                                      doc=host.doc, thread=first.thread_id)  # fmt: skip
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    frozen = None
    try:
        assert child.stdout.readline().strip() == "waiting"
        (leftover,) = host.server_pids()
        # Frozen first: a server may also end by itself on its stdin's EOF once the agent is gone, which
        # would leave nothing for the next start to stop. A leftover that does not notice is the case here.
        frozen = os.getpgid(leftover)
        os.killpg(frozen, signal.SIGSTOP)
        child.kill()
        child.wait(10)
        assert pid_alive(leftover)  # the killed agent could not stop it: the thread has an active writer
        host.restart()
        wait_until(lambda: not pid_alive(leftover), timeout=5)
    finally:
        child.kill()
        if frozen is not None:  # never leave a stopped group behind when an assertion failed
            try:
                os.killpg(frozen, signal.SIGKILL)
            except ProcessLookupError:
                pass
    model_server.reset()
    model_server.script(message("still here"))
    result = host.start("after the restart", mode="chat", threadId=first.thread_id).finish()
    assert result.error is None and result.summary == "still here"
    assert "remember sigma" in model_server.texts()


def test_a_leftover_native_server_whose_wrapper_died_is_stopped_too(host, tmp_path):
    """The npm `codex` is a Node wrapper; with the wrapper killed (and reaped, as init does for a dead
    agent's children), the native server keeps running in the wrapper's group."""
    server = AppServer([host.interactive.codex.require_binary(), "app-server"], cwd=host.workspace,
                       env=host.interactive.codex.env(), state_dir=tmp_path)  # fmt: skip
    native: list[int] = []
    try:
        native = wait_until(lambda: [p for p in processes_with("app-server") if os.getpgid(p) == server.pid and p != server.pid],
                            timeout=30)  # fmt: skip
        os.kill(server.pid, signal.SIGKILL)
        os.waitpid(server.pid, 0)
        assert all(pid_alive(pid) for pid in native)
        assert set(stop_leftovers(tmp_path)) == set(native)
        wait_until(lambda: not any(pid_alive(pid) for pid in native), timeout=5)
        assert list((tmp_path / "app-servers").glob("*.pid")) == []
    finally:
        for pid in native:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_turns_of_one_thread_run_one_at_a_time(host, model_server):
    model_server.script(message("thread made"))
    first = host.start("start", mode="chat").finish()
    model_server.script(exec_command("echo one > one-at-a-time.txt"), message("first turn done"), message("second turn done"))
    waiting = host.start("first turn", threadId=first.thread_id)
    request = waiting.request()
    queued = host.start("second turn", mode="chat", threadId=first.thread_id)
    time.sleep(1)  # give the second turn every chance to start a server of its own, which it must not
    assert len(host.server_pids()) == 1 and queued.thread.is_alive() and len(model_server.requests) == 2
    waiting.answer(request, "accept")
    assert waiting.finish().summary == "first turn done"
    assert queued.finish().summary == "second turn done"
    assert "first turn" in model_server.user_texts(model_server.requests[-1])


def test_a_thread_another_process_has_loaded_is_refused_not_hung(host, model_server, tmp_path):
    """Codex lets one process write a thread ("active writer"): e.g. the person's own terminal has it open."""
    model_server.script(message("made"))
    first = host.start("start", mode="chat").finish()
    other = open_app_server(host.interactive.codex, cwd=host.workspace, state_dir=tmp_path)
    try:
        other.rpc.request("thread/resume", {"threadId": first.thread_id}, timeout=60)
        turn = host.start("while it is open elsewhere", mode="chat", threadId=first.thread_id)
        turn.finish(timeout=60)
    finally:
        other.stop()
    assert isinstance(turn.error, TaskFailed) and turn.error.code == "codex-refused"
    assert "active writer" in turn.error.detail
