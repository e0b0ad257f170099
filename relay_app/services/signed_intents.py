"""The relay's part in signed intents (issue 20, core/intents.py): checks against the task it holds,
and what the agent's poll reply carries.

The relay does not judge an intent (the agent verifies its signature); it refuses, with 400
`intent-mismatch`, a signed approval, answer or steer that names another task, agent, request,
decision or text than the one it comes with, so a person's mistake (or a stale screen) is told at
once instead of by the agent later. The intent and its assertion live with the task's text: they go
when the text goes, and a task whose text is gone is interrupted as ever.
"""

from __future__ import annotations

from typing import Any, Mapping

from mobile_codex.core import intents

from ..errors import BadRequest


def mismatch(field: str) -> BadRequest:
    return BadRequest(intents.MISMATCH, detail=f"the signed intent and the request differ in {field}")


def check_task(signed: Mapping[str, Any], view: Mapping[str, Any]) -> None:
    """An approve intent names this task (its id, agent and fields as the relay holds them)."""
    field = intents.task_mismatch(signed["intent"], view)
    if field:
        raise mismatch(field)


def check_answer(signed: Mapping[str, Any], *, task_id: str, agent_id: str, request_id: str, decision: str, digest: str) -> None:
    intent = signed["intent"]
    expected = {"taskId": task_id, "agentId": agent_id, "requestId": request_id, "decision": decision, "digest": digest}
    for key, value in expected.items():
        if intent[key] != value:
            raise mismatch(key)


def check_steer(signed: Mapping[str, Any], *, task_id: str, agent_id: str, text: str) -> None:
    intent = signed["intent"]
    for key, value in {"taskId": task_id, "agentId": agent_id, "textSha256": intents.sha256_or_none(text)}.items():
        if intent[key] != value:
            raise mismatch("text" if key == "textSha256" else key)


def signed_fields(text: Mapping[str, Any]) -> dict[str, Any]:
    """A task's signed intents for the agent's poll reply: absent when unsigned (old agents see nothing new)."""
    return {key: text[key] for key in SIGNED_TEXT_KEYS if text.get(key) is not None}


SIGNED_TEXT_KEYS: tuple[str, ...] = ("intent", "intentAssertion", "approvalIntent", "approvalAssertion")


def task_view_fields(state) -> dict[str, Any]:
    """What `intents.task_mismatch` compares, from a task as the relay holds it (a `TaskState`)."""
    task = state.task
    return {
        "taskId": task.task_id, "agentId": task.agent_id, "type": task.type, "execMode": task.exec_mode,
        "actionId": task.action_id, "logSourceId": task.log_source_id, "sessionId": task.session_id,
        "threadId": task.thread_id, "resumeSessionId": task.resume_session_id, "cwd": task.cwd,
        "prompt": state.text.get("prompt") or "",
    }  # fmt: skip
