"""Codex sessions from the phone, against a real relay, a real agent and the real Codex CLI.

Three sessions are made by real Codex runs; the phone lists them with previews, opens one (a
read_session task), continues it (a read-only resume: codex_exec with resumeSessionId) and sees the
reply, deletes it after confirming, then clears the other two with a confirmation naming the count.
"""

from __future__ import annotations

import json
import threading
import time

import pytest

from mobile_codex.agent_app.agent import build_agent
from mobile_codex.agent_app.codex.threads import CodexThreads
from mobile_codex.core.config import load_agent_config
from mobile_codex.core.plugins import load_plugins
from mobile_codex.core.task_catalog import TERMINAL
from tests.agent.conftest import DEFAULT_CODEX
from tests.agent.model_server import ModelServer, message
from tests.agent.stack import git_workspace
from tests.relay.agent_helpers import pair_over_http

from .conftest import BOOTSTRAP_TOKEN, WebRelay



class AgentThread:
    """The real agent (its poll loop, plugins and the Codex CLI) in a thread, paired over HTTP."""

    def __init__(self, relay: WebRelay, folder, model: ModelServer):
        self.codex_home = model.write_codex_home(folder / "codex-home")
        workspace = git_workspace(folder / "workspace")
        agent_http = pair_over_http(relay, relay.owner(), "box-1")
        path = folder / "agent.json"
        path.write_text(json.dumps({
            "relayBaseUrl": f"http://127.0.0.1:{relay.port}", "agentId": "box-1", "agentLabel": "Build box",
            "workspaceRoot": str(workspace), "stateDir": str(folder / "agent-state"), "pollIntervalMs": 250, "longPollMs": 2000,
            "codex": {"binary": str(DEFAULT_CODEX), "homeDir": str(self.codex_home)},
        }))  # fmt: skip
        config = load_agent_config(path)
        plugins = load_plugins(allow=config.plugins.allow, flags=config.features)
        self.agent = build_agent(config, plugins, token=agent_http.token, say=lambda message: None)
        self.thread = threading.Thread(target=self.agent.run, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.agent.stop()
        self.thread.join(15)


@pytest.fixture
def stack(tmp_path):
    if not DEFAULT_CODEX.is_file():
        pytest.fail(f"the Codex CLI is not installed at {DEFAULT_CODEX}: run `bash .ci/test`")
    model = ModelServer().start()
    (tmp_path / "relay").mkdir()
    relay = WebRelay(tmp_path / "relay")
    agent = AgentThread(relay, tmp_path, model)
    yield relay, agent, model
    agent.stop()
    relay.stop()
    model.stop()


def run_codex(owner, prompt: str) -> str:
    status, made = owner.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "box-1", "prompt": prompt})
    assert status == 201, made
    return made["task"]["taskId"]


def wait_for(owner, task_ids: list[str], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        status, state = owner.get("/api/admin/state")
        done = {t["taskId"]: t for t in state["tasks"] if t["taskId"] in task_ids and t["status"] in TERMINAL}
        if len(done) == len(task_ids):
            assert all(t["status"] == "completed" for t in done.values()), done
            return
        assert time.monotonic() < deadline, state["tasks"]
        time.sleep(0.2)


def test_browse_open_continue_delete_and_clear_codex_sessions(stack, phones):
    relay, agent, model = stack
    owner = relay.owner()
    # Three sessions made by real Codex runs (one at a time: the scripted model answers in order).
    for prompt, answer in (("Remember the word pelican", "Noted: pelican."), ("List the files", "Only tracked.txt."),
                           ("Say hi", "Hi.")):  # fmt: skip
        model.script(message(answer))
        wait_for(owner, [run_codex(owner, prompt)])

    phone = phones(relay)
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.manage("Agents", "agents")
    phone.page.locator("[data-agent-id=box-1] a", has_text="Open").click()
    phone.screen("agent")
    phone.page.locator("a", has_text="Sessions (3)").click(timeout=30000)  # the agent's next poll lists them
    phone.screen("sessions")
    rows = phone.page.locator(".session-row")
    assert rows.count() == 3
    listed = [rows.nth(n).get_attribute("data-session-id") for n in range(3)]
    assert rows.first.locator(".row-title").inner_text() == "Say hi"  # newest first
    pelican = phone.page.locator(".session-row", has_text="Remember the word pelican")
    assert "Noted: pelican." in pelican.locator(".preview").inner_text()
    assert "Updated just now" in pelican.inner_text() and "folder" not in pelican.inner_text()  # the workspace root
    assert phone.page.get_by_text("3 sessions").is_visible()
    phone.check("sessions")

    # Open it: the agent reads the conversation (a read_session task).
    pelican.click()
    phone.screen("session")
    conversation = phone.page.locator("ol.conversation")
    phone.page.locator("p", has_text="A preview").wait_for(state="detached", timeout=30000)
    assert conversation.locator(".msg-text").all_inner_texts() == ["Remember the word pelican", "Noted: pelican."]
    assert conversation.locator(".msg-role").all_inner_texts() == ["You", "Codex"]
    assert phone.page.locator("p", has_text="Reading the conversation").count() == 0
    phone.check("session-open")

    # Continue it (read-only resume) and see the reply.
    model.script(message("The word was pelican."))
    phone.page.fill("textarea[name=resumePrompt]", "Which word did I ask you to remember?")
    phone.page.locator("button", has_text="Continue").click()
    conversation.locator(".msg-assistant", has_text="The word was pelican.").wait_for(timeout=60000)
    assert conversation.locator(".msg-user .msg-text").last.inner_text() == "Which word did I ask you to remember?"
    conversation.locator(".msg-assistant [data-status=completed]").wait_for()
    resumed = [t for t in owner.get("/api/admin/state")[1]["tasks"] if t.get("resumeSessionId")]
    assert len(resumed) == 1 and resumed[0]["execMode"] == "resume" and not resumed[0]["writeAccess"]
    assert any("Remember the word pelican" in text for text in model.texts())  # the earlier turn went along
    phone.check("session-continued")

    # Delete it, after confirming.
    phone.page.locator("button", has_text="Delete session").click()
    phone.check("session-delete-confirm")
    phone.page.locator("button", has_text="Delete it for good").click()
    phone.screen("sessions")
    pelican.wait_for(state="detached", timeout=30000)
    assert rows.count() == 2
    phone.check("session-deleted")

    # Clear the rest: the confirmation names the count.
    phone.page.locator("button", has_text="Clear all sessions").click()
    confirm = phone.page.locator("button", has_text="Delete all 2 sessions")
    assert confirm.is_visible()
    phone.check("sessions-clear-confirm")
    confirm.click()
    phone.page.get_by_text("No Codex sessions in this agent's workspace yet.").wait_for(timeout=30000)
    assert rows.count() == 0
    phone.check("sessions-cleared")
    assert all(CodexThreads(agent.codex_home).get(session_id) is None for session_id in listed)
