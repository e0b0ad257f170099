"""What the wire shows of an interactive turn (API.md "Interactive Codex" task view fields).

The relay's bookkeeping in the held entry (whether an answer reached the agent, how many requests
were added) stays out of the view.
"""

from __future__ import annotations

from typing import Any, Mapping

from mobile_codex.core.records import Task
from mobile_codex.core.task_catalog import Status

from ..services.conversation import awaiting_input, is_interactive

REQUEST_FIELDS = (
    "requestId", "kind", "status", "title", "command", "cwd", "reason", "changes", "decisions", "digest", "truncated",
    "requestedAt", "decidedAt", "decidedBy",
)  # fmt: skip
STEER_FIELDS = ("steerId", "text", "status", "reason", "at")


def turn_fields(task: Task, text: Mapping[str, Any]) -> dict[str, Any]:
    """The task view's interactive fields (empty ones for every other task: most of a state view)."""
    if not is_interactive(task, text):
        return {
            "interactive": False, "turnId": "", "tokenUsage": None, "model": "", "effort": "", "items": [],
            "requests": [], "steers": [], "awaitingInput": False,
        }  # fmt: skip
    return {
        "interactive": True, "turnId": text.get("turnId") or "", "tokenUsage": text.get("tokenUsage"),
        "model": text.get("model") or "", "effort": text.get("effort") or "",
        "items": list(text.get("items") or ()),  # the text is the view's own copy (TaskText.get)
        "requests": [{name: request.get(name) for name in REQUEST_FIELDS} for request in text.get("requests") or ()],
        "steers": [{name: steer.get(name) for name in STEER_FIELDS} for steer in text.get("steers") or ()],
        "awaitingInput": task.status == Status.RUNNING and awaiting_input(text),
    }  # fmt: skip
