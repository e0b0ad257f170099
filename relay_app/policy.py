"""Who may do what: roles, relay owners and the enrollment lock, in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .services.callers import Caller

ROLES = ("viewer", "operator", "owner")
_RANK = {role: rank for rank, role in enumerate(ROLES)}
FLAGS = (
    "viewWorkspace", "switchWorkspace", "createTasks", "approveTasks", "pairAgents", "revokeAgents", "manageMembers",
    "createWorkspaces", "createAccountInvites", "managePasskeys", "manageRelayUsers",
)  # fmt: skip


def at_least(role: str | None, needed: str) -> bool:
    return role is not None and _RANK.get(role, -1) >= _RANK[needed]


def permissions(caller: Caller | None) -> dict[str, bool]:
    """The `auth.permissions` object of API.md."""
    if caller is None:
        return {key: False for key in FLAGS}
    if caller.locked:  # enrollment-locked: see and switch workspaces, manage own passkeys, nothing else
        return {key: key in ("viewWorkspace", "switchWorkspace", "managePasskeys") for key in FLAGS}
    role, is_relay_owner = caller.role, caller.is_relay_owner
    operator, owner = at_least(role, "operator"), at_least(role, "owner")
    return {
        "viewWorkspace": role is not None,
        "switchWorkspace": True,
        "createTasks": operator,
        "approveTasks": operator,
        "pairAgents": operator,
        "revokeAgents": owner,
        "manageMembers": owner,
        "createWorkspaces": True,
        "createAccountInvites": is_relay_owner,
        "managePasskeys": True,
        "manageRelayUsers": is_relay_owner,
    }
