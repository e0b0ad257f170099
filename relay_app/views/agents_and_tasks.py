"""What the wire shows of tasks, agents and pair requests (API.md's task, agent and pair request views).

Resources call these to shape their answers; services hand them typed values and never build JSON.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mobile_codex.core.records import Agent, PairRequest

from ..services.pair_status import pair_request_status
from ..services.task_values import TaskState
from .turns import turn_fields


def task_view(state: TaskState) -> dict[str, Any]:
    task, text = state.task, state.text
    created_by = None
    if task.created_by_user_id:
        created_by = {"userId": task.created_by_user_id, "displayName": task.created_by_display_name or ""}
    return {
        "taskId": task.task_id, "agentId": task.agent_id, "type": task.type,
        "title": text.get("title") or task.title,  # a text-derived title is volatile (services/tasks.py)
        "status": task.status, "createdAt": task.created_at, "updatedAt": task.updated_at,
        "needsApproval": task.needs_approval, "approvedAt": task.approved_at, "rejectedAt": task.rejected_at,
        "writeAccess": task.write_access, "resumeSessionId": task.resume_session_id, "sessionId": task.session_id,
        "summary": text["summary"], "prompt": text["prompt"], "actionId": task.action_id,
        "logSourceId": task.log_source_id, "cwd": task.cwd, "outputTail": text["outputTail"],
        "result": text["result"], "error": text["error"], "diffText": text["diffText"],
        # ours
        "execMode": task.exec_mode, "cancelRequestedAt": task.cancel_requested_at, "threadId": task.thread_id,
        "createdBy": created_by, "redactions": task.redactions, **turn_fields(task, text),  # redactions: stored
    }  # fmt: skip


def agent_view(
    agent: Agent, *, last_seen_at: str | None, codex_sessions: list, codex_facts: dict, online: bool
) -> dict[str, Any]:  # fmt: skip
    return {
        "agentId": agent.agent_id, "label": agent.label, "createdAt": agent.created_at,
        "lastSeenAt": max(filter(None, (agent.last_seen_at, last_seen_at)), default=None),
        "revokedAt": agent.revoked_at, "features": dict(agent.features), "actions": list(agent.actions),
        "logSources": list(agent.log_sources), "workspaceRootName": agent.workspace_root_name,
        "codexSessions": codex_sessions,
        # ours
        "online": online,  # the relay's judgement (services/agents.py Presence.online)
        "codexAvailable": agent.codex_available, "codexVersion": agent.codex_version, "execModes": list(agent.exec_modes),
        **codex_facts,  # codexSignedIn, conversationModels, conversationEfforts, requireSignedIntents (memory only)
    }  # fmt: skip


def pair_request_view(request: PairRequest, now: datetime) -> dict[str, Any]:
    return {
        "requestId": request.request_id, "pairingId": request.pairing_id, "status": pair_request_status(request, now),
        "note": request.note, "agentId": request.agent_id, "label": request.label, "hostname": request.hostname,
        "workspaceRootName": request.workspace_root_name, "createdAt": request.created_at,
        "expiresAt": request.expires_at, "approvedAt": request.approved_at, "rejectedAt": request.rejected_at,
    }  # fmt: skip


def agent_state_parts(ctx, tx, caller) -> dict[str, Any]:
    """The state view's `pendingPairRequests` (<=20 newest first), `agents` and `tasks` (<=100, newest
    update first), all of the caller's current workspace; empty lists for a locked or homeless session."""
    if caller is None or caller.locked or caller.workspace_id is None:
        return {"pendingPairRequests": [], "agents": [], "tasks": []}
    workspace_id, services, now = caller.workspace_id, ctx.services, ctx.clock()
    return {
        "pendingPairRequests": [pair_request_view(r, now) for r in services.pairing.pending(tx, workspace_id)],
        "agents": [
            agent_view(
                s.agent, last_seen_at=s.last_seen_at, codex_sessions=s.codex_sessions, codex_facts=s.codex_facts,
                online=s.online,
            )  # fmt: skip
            for s in services.agents.in_workspace(tx, workspace_id)
        ],
        "tasks": [task_view(state) for state in services.tasks.recent(tx, workspace_id)],
    }
