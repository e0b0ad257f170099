"""The agent-side parts of the state view: pending pair requests, agents, tasks.

`state_view` calls this with its open transaction; everything here is scoped to the caller's
current workspace. Agents carry their Codex session summaries from memory; tasks carry their
volatile text from memory.
"""

from __future__ import annotations

from typing import Any

EMPTY = {"pendingPairRequests": [], "agents": [], "tasks": []}


def agent_state_parts(ctx, tx, caller) -> dict[str, Any]:
    """`pendingPairRequests` (<=20 newest first), `agents`, `tasks` (<=100, newest update first)."""
    if caller is None or caller.locked or caller.workspace_id is None:
        return {key: [] for key in EMPTY}
    workspace_id = caller.workspace_id
    services = ctx.services
    return {
        "pendingPairRequests": services.pairing.pending_views(tx, workspace_id),
        "agents": services.agents.views(tx, workspace_id),
        "tasks": services.tasks.recent_views(tx, workspace_id),
    }
