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
    phone.screen("agents")

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
        phone.tab("Agents", "agents")
        card = phone.page.locator("[data-agent-id=box-1]")
        card.locator(".chip", has_text="Online").wait_for()
        card.get_by_text("Codex 0.").wait_for()
        card.locator("summary", has_text="Features").click()
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
        phone.page.locator("button", has_text="Cancel run").click()
        phone.page.locator(".task [data-status=canceled]").wait_for(timeout=60000)
        phone.check("task-canceled")
        model.release.set()

        # A write run: summary and the diff.
        model.script(exec_command("printf 'from the phone\\n' > phone.txt"), message("Created phone.txt."))
        phone.tab("Codex", "codex")
        phone.page.select_option("select[name=execMode]", "workspace-write")
        phone.page.fill("textarea[name=prompt]", "Create phone.txt")
        phone.page.locator("button", has_text="Run").click()
        phone.screen("task")
        phone.page.locator(".task [data-status=completed]").wait_for(timeout=90000)
        assert phone.page.locator("p.summary").inner_text() == "Created phone.txt."
        phone.page.locator(".dl-add", has_text="+from the phone").wait_for()
        assert "phone.txt" in phone.page.locator(".diff-files").inner_text()
        assert (workspace / "phone.txt").read_text() == "from the phone\n"
        phone.check("task-diff")

        # An action: requested, awaiting approval, approved, its output read.
        assert "hello-from-the-action" in request_and_approve(phone, "Say hello", "Request", "action")
        # A log tail, in the monospace view.
        text = request_and_approve(phone, "App log", "Read", "log")
        assert "log line 30" in text and "log line 11" in text and "log line 10\n" not in text
        family = phone.page.locator("pre.output").evaluate("(el) => getComputedStyle(el).fontFamily")
        assert "monospace" in family
        phone.check("log-read")

        # The task list with its status filters.
        phone.tab("Tasks", "tasks")
        assert phone.page.locator(".task-row").count() == 4
        phone.page.locator("[data-filter=problems]").click()
        assert phone.page.locator(".task-row").count() == 1
        phone.check("tasks-filtered")
        phone.page.locator("[data-filter=completed]").click()
        phone.page.select_option("select[name=type]", "codex_exec")
        assert phone.page.locator(".task-row").count() == 1
        phone.check("tasks-completed-codex")
    finally:
        model.release.set()
        if agent.proc.poll() is None:
            agent.proc.terminate()
            agent.finish()


def request_and_approve(phone, item: str, button: str, name: str) -> str:
    """From the agent screen: ask for an action or a log, see it await approval, approve it; its output."""
    phone.tab("Agents", "agents")
    phone.page.locator("[data-agent-id=box-1] a", has_text="Open").click()
    phone.screen("agent")
    phone.page.locator(".item-row", has_text=item).locator("button", has_text=button).click()
    phone.screen("task")
    phone.page.locator(".task [data-status=awaiting_approval]").wait_for()
    phone.check(f"{name}-awaiting")
    phone.page.locator("button", has_text="Approve").click()
    phone.page.locator(".task [data-status=completed]").wait_for(timeout=30000)
    phone.check(f"{name}-done")
    return phone.page.locator("pre.output").inner_text()
