"""What the wire shows of tasks, agents and pair requests, and the per-type result shapes.

The task view merges the stored metadata with the volatile text kept in memory. A task's
`result` is reduced to the fields of its type (API.md "Update rules"), so an agent cannot make
the relay keep or show anything else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mobile_codex.core.records import Agent, PairRequest, Task
from mobile_codex.core.timeutil import iso

from ..fields import clamp_head

def task_view(task: Task, text: dict[str, Any]) -> dict[str, Any]:
    return {
        "taskId": task.task_id, "agentId": task.agent_id, "type": task.type, "title": task.title,
        "status": task.status, "createdAt": task.created_at, "updatedAt": task.updated_at,
        "needsApproval": task.needs_approval, "approvedAt": task.approved_at, "rejectedAt": task.rejected_at,
        "writeAccess": task.write_access, "resumeSessionId": task.resume_session_id, "sessionId": task.session_id,
        "summary": text["summary"], "prompt": text["prompt"], "actionId": task.action_id,
        "logSourceId": task.log_source_id, "cwd": task.cwd, "outputTail": text["outputTail"],
        "result": text["result"], "error": text["error"], "diffText": text["diffText"],
        # ours
        "execMode": task.exec_mode, "cancelRequestedAt": task.cancel_requested_at, "threadId": task.thread_id,
    }  # fmt: skip


def agent_view(agent: Agent, *, last_seen_at: str | None, codex_sessions: list) -> dict[str, Any]:
    return {
        "agentId": agent.agent_id, "label": agent.label, "createdAt": agent.created_at,
        "lastSeenAt": max(filter(None, (agent.last_seen_at, last_seen_at)), default=None),
        "revokedAt": agent.revoked_at, "features": dict(agent.features), "actions": list(agent.actions),
        "logSources": list(agent.log_sources), "workspaceRootName": agent.workspace_root_name,
        "codexSessions": codex_sessions,
        # ours
        "codexAvailable": agent.codex_available, "codexVersion": agent.codex_version, "execModes": list(agent.exec_modes),
    }  # fmt: skip


def pair_request_status(request: PairRequest, now: datetime) -> str:
    """`expired` is computed: a request still pending past its pairing code's expiry."""
    if request.status == "pending" and request.expires_at <= iso(now):
        return "expired"
    return request.status


def pair_request_view(request: PairRequest, now: datetime) -> dict[str, Any]:
    return {
        "requestId": request.request_id, "pairingId": request.pairing_id, "status": pair_request_status(request, now),
        "note": request.note, "agentId": request.agent_id, "label": request.label, "hostname": request.hostname,
        "workspaceRootName": request.workspace_root_name, "createdAt": request.created_at,
        "expiresAt": request.expires_at, "approvedAt": request.approved_at, "rejectedAt": request.rejected_at,
    }  # fmt: skip


# --- results -------------------------------------------------------------------------------


def _int(value: Any, lo: int | None = None, hi: int | None = None) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value in (float("inf"), float("-inf")):
        return None
    value = int(value)
    if lo is not None:
        value = max(lo, value)
    return min(hi, value) if hi is not None else value


def _str(value: Any, budget: int) -> str | None:
    return clamp_head(value, budget) if isinstance(value, str) else None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _messages(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        return []
    messages = []
    for item in value[:80]:
        if isinstance(item, dict):
            messages.append({"role": _str(item.get("role"), 16) or "", "text": _str(item.get("text"), 400) or ""})
    return messages


_RESULT_FIELDS = {
    "codex_exec": {
        "exitCode": _int, "signal": lambda v: _str(v, 32), "completedAt": lambda v: _str(v, 40),
        "threadId": lambda v: _str(v, 120),
    },
    "run_action": {
        "actionId": lambda v: _str(v, 80), "exitCode": _int, "signal": lambda v: _str(v, 32),
        "completedAt": lambda v: _str(v, 40),
    },
    "read_log": {
        "logSourceId": lambda v: _str(v, 80), "lineCount": lambda v: _int(v, 0, 5000), "completedAt": lambda v: _str(v, 40),
    },
    "delete_session": {"sessionId": lambda v: _str(v, 120), "deleted": _bool, "completedAt": lambda v: _str(v, 40)},
    "read_session": {
        "sessionId": lambda v: _str(v, 120), "title": lambda v: _str(v, 180), "cwd": lambda v: _str(v, 240),
        "messageCount": lambda v: _int(v, 0), "messages": _messages, "completedAt": lambda v: _str(v, 40),
    },
}  # fmt: skip


def sanitize_result(task_type: str, result: dict[str, Any]) -> dict[str, Any]:
    """Only the fields of the task's type, each of the right type (wrong types become null)."""
    fields = _RESULT_FIELDS.get(task_type, {})
    return {name: clean(result.get(name)) for name, clean in fields.items() if name in result}
