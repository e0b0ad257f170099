"""The phone drives a real agent process and the real Codex CLI through a real relay.

Pair the agent from the UI (the agent is started with the code read off the screen) and approve
it; a read-only Codex run whose scripted model first asks for a command, then holds its second
answer: the command and its output are on screen while the run goes on; cancel it from the UI;
a write run shows its summary and diff; an action is approved and its output read; a log is read.
"""

from __future__ import annotations

import json
import threading

import pytest

from tests.agent.conftest import DEFAULT_CODEX
from tests.agent.model_server import ModelServer, exec_command, message
from tests.agent.stack import git_workspace
from tests.agent.cli_processes import AgentProcess

from .conftest import BOOTSTRAP_TOKEN, WebRelay

HOLD = {**message("This answer is held."), "_hold": True}
ANSWER = "## Created\n\n- `phone.txt`\n- one line\n\n```\ncat phone.txt\n```\n\nSee [the docs](https://example.com/docs)."


class HoldingModel(ModelServer):
    """The scripted model, which can hold an answer until the test releases it."""

    def __init__(self):
        super().__init__()
        self.release = threading.Event()

    def _next_turn(self, body: dict) -> dict:
        turn = super()._next_turn(body)
        if turn["item"].pop("_hold", False):
            self.release.wait(120)
        return turn


@pytest.fixture(scope="module")
def codex_bin() -> str:
    if not DEFAULT_CODEX.is_file():
        pytest.fail(f"the Codex CLI is not installed at {DEFAULT_CODEX}: run `bash .ci/test`")
    return str(DEFAULT_CODEX)


@pytest.fixture
def model():
    server = HoldingModel().start()
    yield server
    server.release.set()
    server.stop()


@pytest.fixture
def setup(tmp_path, codex_bin, model, user_dirs):
    relay = WebRelay(tmp_path, features={"codexExecWrite": True})
    workspace = git_workspace(tmp_path / "workspace")
    log = tmp_path / "app.log"
    log.write_text("".join(f"log line {n}\n" for n in range(1, 31)))
    config = tmp_path / "agent.json"
    config.write_text(json.dumps({
        "relayBaseUrl": f"http://127.0.0.1:{relay.port}", "agentId": "box-1", "agentLabel": "Build box",
        "workspaceRoot": str(workspace), "stateDir": str(tmp_path / "agent-state"),
        "pollIntervalMs": 250, "longPollMs": 2000, "features": {"codexExecWrite": True},
        "codex": {"binary": codex_bin, "homeDir": str(model.write_codex_home(tmp_path / "codex-home"))},
        "actions": {"hello": {"label": "Say hello", "argv": ["echo", "hello-from-the-action"]}},
        "logSources": {"app": {"label": "App log", "path": str(log), "maxLines": 20}},
    }))  # fmt: skip
    yield relay, config, workspace, user_dirs
    relay.stop()


def test_pair_run_watch_cancel_write_act_and_read_a_log(setup, model, phones):
    relay, config, workspace, user_dirs = setup
    phone = phones(relay)
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")

    # Pair from the UI: the code and the command on screen, the agent started with that code.
    code = phone.new_pairing_code("build box")
    assert phone.page.locator("pre.command").inner_text() == f"mobile-codex agent --relay {relay.origin} --pair-code {code}"
    phone.check("pair-code")
    agent = AgentProcess(user_dirs, "--config", config, "--pair-code", code)
    try:
        request = phone.page.locator("[data-request-id]")
        request.wait_for()
        assert "box-1" in request.inner_text() and "build box" in request.inner_text()
        phone.check("pair-request")
        request.locator("button", has_text="Approve").click()
        agent.expect(r"connected to the relay")
        phone.manage("Agents", "agents")
        card = phone.page.locator("[data-agent-id=box-1]")
        card.locator(".chip", has_text="Online").wait_for()
        card.get_by_text("Codex 0.").wait_for()
        card.locator("summary", has_text="What this agent may do").click()
        phone.check("agents")

        # A read-only run: the command and its output show while the model holds its answer.
        model.script(exec_command("echo streamed-$((40 + 2))"), HOLD)
        card.locator("a", has_text="Open").click()
        phone.screen("agent")
        phone.check("agent")
        phone.page.locator("a", has_text="New Codex run").click()
        phone.screen("codex")
        options = phone.page.locator("select[name=execMode] option").all_inner_texts()
        assert options[:2] == ["Read-only", "Workspace write · changes files"]
        assert [o for o in options[2:] if "conversation" in o] == options[2:] and len(options) == 4  # chat, supervised
        phone.page.fill("textarea[name=prompt]", "Count to forty-two")
        phone.check("codex")
        phone.page.locator("button", has_text="Run").click()
        phone.screen("task")
        output = phone.page.locator("pre.output")
        output.filter(has_text="streamed-42").wait_for(timeout=60000)
        assert "$ " in output.inner_text() and "echo streamed-" in output.inner_text()
        assert phone.page.locator(".task [data-status]").get_attribute("data-status") == "running"
        phone.check("task-running")
        phone.page.locator(".toolbar button", has_text="Stop").click()
        phone.page.locator(".task [data-status=canceled]").wait_for(timeout=60000)
        phone.check("task-canceled")
        model.release.set()

        # A write run: its answer as markdown, the diff as a card per file with numbered lines.
        model.script(exec_command("printf 'from the phone\\n' > phone.txt"), message(ANSWER))
        phone.codex_form()
        phone.page.select_option("select[name=execMode]", "workspace-write")
        phone.page.fill("textarea[name=prompt]", "Create phone.txt")
        phone.page.locator("button", has_text="Run").click()
        phone.screen("task")
        phone.page.locator(".task [data-status=completed]").wait_for(timeout=90000)
        answer = phone.page.locator(".msg-assistant .md")
        assert answer.locator("h2").inner_text() == "Created" and answer.locator("li").all_inner_texts() == ["phone.txt", "one line"]
        assert answer.locator("pre code").inner_text() == "cat phone.txt\n"
        assert answer.locator("a").get_attribute("href") == "https://example.com/docs" and answer.locator("a").get_attribute("rel") == "noopener noreferrer"
        card = phone.page.locator(".diff-file[data-path='phone.txt']")
        assert "+1 −0" in card.locator("summary").inner_text().replace("\n", " ")
        card.locator("summary").click()
        added = card.locator(".dl-add", has_text="from the phone")
        assert added.locator(".ln-new").inner_text() == "1"
        assert (workspace / "phone.txt").read_text() == "from the phone\n"
        phone.check("task-diff")

        # A reply in place: the next turn of the run's Codex thread, as a chat, on the same screen.
        model.script(message("Still **here**."))
        phone.page.fill("textarea[name=composer]", "Are you there?")
        phone.page.locator(".composer button", has_text="Send").click()
        phone.page.locator(".turn-block .msg-assistant strong", has_text="here").wait_for(timeout=90000)
        assert phone.page.locator(".turn-block").count() == 2
        turns = [t for t in relay.owner().get("/api/admin/state")[1]["tasks"] if t["type"] == "codex_exec"]
        assert turns[0]["execMode"] == "chat" and turns[0]["threadId"] == turns[1]["threadId"] == turns[1]["result"]["threadId"]
        phone.check("reply-in-place")

        # An action: one tap runs it (its asker may approve, no second person asked for); what runs
        # is a list of quoted arguments, then its output.
        assert request_one_tap(phone, "Say hello", "Request", "action") == "hello-from-the-action"
        assert phone.page.locator(".argv li").all_inner_texts() == ['"echo"', '"hello-from-the-action"']
        # A log tail, in the monospace view, opened at its newest line.
        text = request_one_tap(phone, "App log", "Read", "log")
        assert "log line 30" in text and "log line 11" in text and "log line 10\n" not in text
        output = phone.page.locator("pre.output")
        assert "monospace" in output.evaluate("(el) => getComputedStyle(el).fontFamily")
        phone.page.wait_for_timeout(200)  # the scroll to the newest line happens on the next frame
        bottom, height = output.evaluate("(el) => [el.getBoundingClientRect().bottom, window.innerHeight]")
        assert 0 < bottom <= height, f"the last log line is off screen: bottom {bottom}, viewport {height}"
        assert phone.page.locator("button", has_text="Approve").count() == 0
        phone.check("log-read")

        # The task list with its status filters.
        phone.tab("Tasks", "tasks")
        assert phone.page.locator(".task-row").count() == 5
        phone.page.locator("[data-filter=problems]").click()
        assert phone.page.locator(".task-row").count() == 1
        phone.check("tasks-filtered")
        phone.page.locator("[data-filter=completed]").click()
        phone.page.select_option("select[name=type]", "codex_exec")
        assert phone.page.locator(".task-row").count() == 2  # the write run and its reply
        phone.check("tasks-completed-codex")
    finally:
        model.release.set()
        if agent.proc.poll() is None:
            agent.proc.terminate()
            agent.finish()


def request_one_tap(phone, item: str, button: str, name: str) -> str:
    """From the agent screen: one tap asks for an action or a log and runs it; its output."""
    phone.manage("Agents", "agents")
    phone.page.locator("[data-agent-id=box-1] a", has_text="Open").click()
    phone.screen("agent")
    phone.page.locator(".item-row", has_text=item).locator("button", has_text=button).click()
    phone.screen("task")
    phone.page.locator(".task [data-status=completed]").wait_for(timeout=30000)
    assert phone.page.locator(".failure").is_hidden() and phone.page.locator(".task .notice").is_hidden()
    phone.check(f"{name}-done")
    return phone.page.locator("pre.output").inner_text().strip()
