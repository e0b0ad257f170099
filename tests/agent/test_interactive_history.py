"""History of an interactive thread through the agent (issue 16, "History"): once the relay has lost a
turn's text, the phone asks the agent to read the thread from Codex's own record — a `read_session`
task whose sessionId is the turn's threadId. Real relay, real agent, real `codex app-server`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mobile_codex.agent_app.codex.threads import CodexThreads

from .model_server import message
from .stack import Stack


@pytest.fixture(autouse=True)
def fresh_script(model_server):
    model_server.reset()
    yield


def turn(stack: Stack, mode: str, prompt: str, **body) -> dict:
    return stack.wait(stack.create(type="codex_exec", execMode=mode, prompt=prompt, **body)["taskId"])


def test_an_app_server_thread_reads_back_as_its_conversation(stack, model_server):
    model_server.script(message("Quinces keep for months."))
    first = turn(stack, "chat", "how long do quinces keep?")
    assert first["status"] == "completed" and first["threadId"], first
    model_server.script(message("Stew them with honey."))
    second = turn(stack, "chat", "and how do I cook them?", threadId=first["threadId"])
    assert second["status"] == "completed", second

    read = stack.run(type="read_session", sessionId=first["threadId"])
    assert read["status"] == "completed", read
    result = read["result"]
    assert result["sessionId"] == first["threadId"] and result["cwd"] == "."
    assert result["messages"] == [
        {"role": "user", "text": "how long do quinces keep?"},
        {"role": "assistant", "text": "Quinces keep for months."},
        {"role": "user", "text": "and how do I cook them?"},
        {"role": "assistant", "text": "Stew them with honey."},
    ], json.dumps(result, indent=1)  # no injected context block (environment, permissions, AGENTS.md) among them
    assert result["messageCount"] == 4
    # ...though Codex's record of the thread holds such blocks as user messages, which the reader skips
    rollout = Path(CodexThreads(stack.codex_home).get(first["threadId"]).rollout_path).read_text()
    said = [json.loads(line)["payload"] for line in rollout.splitlines() if '"response_item"' in line]
    typed_by_user = [p["content"][0]["text"] for p in said if p.get("type") == "message" and p.get("role") == "user"]
    assert any(text.lstrip().startswith("<environment_context>") for text in typed_by_user), typed_by_user
