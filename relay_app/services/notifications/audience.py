"""Who hears about an event, read in the transaction that builds it.

Only members of the event's own workspace with the role the event needs: a person of another
workspace receives nothing. A disabled user receives nothing at all.
"""

from __future__ import annotations

from mobile_codex.core.interactive import PENDING
from mobile_codex.core.store import Transaction
from mobile_codex.core.task_catalog import Status
from mobile_codex.core.task_text import TaskText

ANSWERING_ROLES = frozenset({"operator", "owner"})  # who may answer a request or approve a pair request


def operators(tx: Transaction, workspace_id: str) -> list[str]:
    """Operators and owners of the workspace (those who may answer: policy.py)."""
    return _members(tx, workspace_id, ANSWERING_ROLES)


def owners(tx: Transaction, workspace_id: str) -> list[str]:
    return _members(tx, workspace_id, frozenset({"owner"}))


def active(tx: Transaction, user_id: str) -> bool:
    user = tx.users.get(user_id)
    return user is not None and user.disabled_at is None


def waiting(tx: Transaction, user_ids: list[str], volatile: TaskText) -> dict[str, int]:
    """For each user: the requests waiting for an answer in the workspaces where they may answer
    (the app badge). Counted from the running tasks' text in memory; nothing is written."""
    per_workspace: dict[str, int] = {}
    counts = {}
    for user_id in user_ids:
        total = 0
        for membership in tx.memberships.find(user_id=user_id):
            if membership.revoked_at is not None or membership.role not in ANSWERING_ROLES:
                continue
            workspace_id = membership.workspace_id
            if workspace_id not in per_workspace:
                per_workspace[workspace_id] = sum(
                    volatile.inspect(task.task_id, _pending_requests)
                    for task in tx.tasks.find(workspace_id=workspace_id, status=Status.RUNNING)
                )  # fmt: skip
            total += per_workspace[workspace_id]
        counts[user_id] = total
    return counts


def _members(tx: Transaction, workspace_id: str, roles: frozenset[str]) -> list[str]:
    return [
        membership.user_id
        for membership in tx.memberships.find(workspace_id=workspace_id)
        if membership.revoked_at is None and membership.role in roles
    ]


def _pending_requests(entry: dict | None) -> int:
    return sum(1 for request in (entry or {}).get("requests") or () if request["status"] == PENDING)
