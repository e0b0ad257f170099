"""A person's signed intent beside a task create, approve, answer or steer body (issue 20, core/intents.py).

The relay is not trusted with what the intent says: the agent verifies the signature. So here only
the shape and size are checked (400 `invalid-field`), and that the body asks for exactly what the
intent says (400 `intent-mismatch`): a signed field the relay would clamp, trim or default
differently is refused, never normalised, so the agent is not handed a task its intent does not
cover. Both travel on untouched with the task's text (core/task_text.py).
"""

from __future__ import annotations

from typing import Any, Mapping

from mobile_codex.core import intents

from ..errors import BadRequest
from ..services.signed_intents import mismatch
from ..services.task_values import TaskRequest


def signed_part(body: Mapping[str, Any], kind: str) -> dict[str, Any] | None:
    """`{intent, intentAssertion}` as sent, or None for an unsigned body (every old client's)."""
    intent, assertion = body.get("intent"), body.get("intentAssertion")
    problem = intents.signed_pair_problem(intent, assertion, kind=kind)
    if problem:
        raise BadRequest("invalid-field", detail=f"intent: {problem}")
    if intent is None:
        return None
    return {"intent": intent, "intentAssertion": assertion}


# What each signed create field becomes in the relay's reading of the body (resources/task_bodies.py).
_REQUEST_FIELDS = {
    "execMode": "exec_mode", "actionId": "action_id", "logSourceId": "log_source_id", "sessionId": "session_id",
    "threadId": "thread_id", "resumeSessionId": "resume_session_id", "cwd": "cwd",
}  # fmt: skip


def check_create(signed: Mapping[str, Any], body: Mapping[str, Any], request: TaskRequest) -> None:
    """The intent names the body's fields as sent, and the relay keeps them as sent (no clamp, no trim)."""
    intent = signed["intent"]
    if intent["agentId"] != body.get("agentId") or request.agent_id != intent["agentId"]:
        raise mismatch("agentId")
    for key, value in intents.task_fields(body).items():
        if intent[key] != value:
            raise mismatch("prompt" if key == "promptSha256" else key)
    for key, name in _REQUEST_FIELDS.items():
        if key not in intents.USED_BY_TYPE[request.type]:
            continue
        sent = body.get(key) or ("." if key == "cwd" else "")
        if getattr(request, name) != sent:
            raise mismatch(key)  # clamped to its budget or trimmed: refused, not normalised
    if request.type == "codex_exec" and request.prompt != body.get("prompt"):
        raise mismatch("prompt")
