"""The agent-side parts of the state view: pending pair requests, agents, tasks.

Placeholder until the agents-and-tasks work lands: empty lists, so the state view is complete.
"""

from __future__ import annotations

from typing import Any


def agent_state_parts(ctx, tx, caller) -> dict[str, Any]:
    """`pendingPairRequests` (<=20 newest first), `agents`, `tasks` (<=100, newest update first)."""
    return {"pendingPairRequests": [], "agents": [], "tasks": []}
